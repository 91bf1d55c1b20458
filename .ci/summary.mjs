// Prints "N passed, M failed" from vitest's JSON report. A failed run with no report (the content
// check, type check or dry-run bundle failed before the tests) counts as one failure.
import { existsSync, readFileSync } from 'node:fs'

const [file, status] = process.argv.slice(2)
if (!existsSync(file)) {
  console.log(`0 passed, ${status === '0' ? 0 : 1} failed`)
} else {
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const failed = report.numFailedTests + (report.numRuntimeErrors ?? 0) + (status !== '0' && report.numFailedTests === 0 ? 1 : 0)
  console.log(`${report.numPassedTests} passed, ${failed} failed`)
}
