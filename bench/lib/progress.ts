/**
 * How far a long bench section is, on one terminal line rewritten in place. Off a terminal (CI, a
 * log file) it prints nothing: each section prints its own summary line when it ends.
 */
export function progress(message: string): void {
  if (!process.stdout.isTTY) return
  process.stdout.write(`\r\x1b[2K${message}`)
}

/** Clears the progress line before a summary is printed. */
export function progressDone(): void {
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[2K')
}
