/**
 * @module
 * Every request the hub makes to a subscriber or another hub: bounded in time and size, never
 * following a redirect (a redirect could lead past the callback policy).
 */

export const OUTBOUND_TIMEOUT_MS = 10_000
/** More than any echoed challenge needs; the rest of a response body is never read. */
export const MAX_RESPONSE_BYTES = 4096

export interface OutboundResult {
  /** HTTP status, or 0 when no response came (network error, timeout). */
  status: number
  /** The first MAX_RESPONSE_BYTES of the body, as text. */
  body: string
  /** A short description for records and logs (never contains the secret). */
  detail: string
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < MAX_RESPONSE_BYTES) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel().catch(() => {})
  const all = new Uint8Array(Math.min(size, MAX_RESPONSE_BYTES))
  let offset = 0
  for (const c of chunks) {
    const part = c.subarray(0, all.length - offset)
    all.set(part, offset)
    offset += part.length
    if (offset >= all.length) break
  }
  return new TextDecoder().decode(all)
}

export async function outbound(url: string, init: RequestInit): Promise<OutboundResult> {
  try {
    const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(OUTBOUND_TIMEOUT_MS) })
    const body = await readCapped(res)
    return { status: res.status, body, detail: `HTTP ${res.status}` }
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error'
    return { status: 0, body: '', detail: name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : `network error (${name})` }
  }
}
