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

/**
 * The body's first `limit` bytes as text, and whether it had more. Reading stops one chunk past
 * the limit at most; the rest is never read.
 */
export async function readUpTo(res: Response, limit: number, bom: 'strip' | 'keep' = 'strip'): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size <= limit) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel().catch(() => {})
  const all = new Uint8Array(Math.min(size, limit))
  let offset = 0
  for (const c of chunks) {
    const part = c.subarray(0, all.length - offset)
    all.set(part, offset)
    offset += part.length
    if (offset >= all.length) break
  }
  return { text: new TextDecoder('utf-8', { fatal: false, ignoreBOM: bom === 'keep' }).decode(all), truncated: size > limit }
}

/** A request under the outbound rules: no redirect followed, OUTBOUND_TIMEOUT_MS at most. */
export function outboundFetch(url: string, init: RequestInit): Promise<Response> {
  return fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(OUTBOUND_TIMEOUT_MS) })
}

/** What a failed outbound request met, for records and logs. */
export function failureDetail(err: unknown): string {
  const name = err instanceof Error ? err.name : 'Error'
  return name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : `network error (${name})`
}

export async function outbound(url: string, init: RequestInit): Promise<OutboundResult> {
  try {
    const res = await outboundFetch(url, init)
    // A challenge is echoed exactly (§5.3): a byte-order mark before it is something else.
    const { text } = await readUpTo(res, MAX_RESPONSE_BYTES, 'keep')
    return { status: res.status, body: text, detail: `HTTP ${res.status}` }
  } catch (err) {
    return { status: 0, body: '', detail: failureDetail(err) }
  }
}
