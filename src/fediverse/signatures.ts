/**
 * @module
 * HTTP Signatures as Mastodon sends and checks them: draft-cavage-http-signatures-12 with
 * `rsa-sha256` (Mastodon's `hs2019` is the same computation), and the `Digest: SHA-256=…` header
 * of the body (RFC 3230). RFC 9421 is not implemented; Mastodon still signs with draft-cavage.
 *
 * The signing string is one line per signed header, `name: value`, joined by `\n`, where
 * `(request-target)` is the lowercase method, a space, and the path with query.
 */

/** Headers Herald signs on a POST; a GET leaves out digest and content-type. */
export const SIGNED_POST_HEADERS = ['(request-target)', 'host', 'date', 'digest', 'content-type'] as const
export const SIGNED_GET_HEADERS = ['(request-target)', 'host', 'date'] as const

/**
 * Mastodon's window (matches_time_window?, app/lib/signed_request.rb): a signature without
 * `expires` expires 5 minutes after its Date, and an hour of clock skew is allowed either way.
 * (Its 12-hour EXPIRATION_WINDOW_LIMIT only caps an explicit `expires`.)
 */
export const MAX_SIGNATURE_AGE_MS = 65 * 60_000
export const MAX_CLOCK_SKEW_MS = 3_600_000

const te = new TextEncoder()

function b64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
}

export async function digestOf(body: string): Promise<string> {
  return `SHA-256=${b64(await crypto.subtle.digest('SHA-256', te.encode(body)))}`
}

/**
 * The signing string over `names`, or undefined when a named header is missing. `(created)` and
 * `(expires)` (draft-cavage-12 §2.3) are the Signature header's own `created` and `expires`
 * parameters, as written there, which Mastodon also verifies.
 */
export function signingString(method: string, url: URL, headers: Headers, names: readonly string[], params?: Pick<SignatureParams, 'created' | 'expires'>): string | undefined {
  const lines: string[] = []
  for (const name of names) {
    if (name === '(request-target)') lines.push(`(request-target): ${method.toLowerCase()} ${url.pathname}${url.search}`)
    else if (name === '(created)' || name === '(expires)') {
      const value = name === '(created)' ? params?.created : params?.expires
      if (value === undefined) return undefined
      lines.push(`${name}: ${value}`)
    } else {
      const value = name === 'host' ? (headers.get('host') ?? url.host) : headers.get(name)
      if (value === null) return undefined
      lines.push(`${name}: ${value}`)
    }
  }
  return lines.join('\n')
}

/** Headers for a signed request from `keyId`: Date, Digest (with a body), Signature. */
export async function signedHeaders(
  method: 'GET' | 'POST',
  url: URL,
  key: CryptoKey,
  keyId: string,
  extra: Record<string, string>,
  body?: string,
  now = Date.now(),
): Promise<Headers> {
  const headers = new Headers(extra)
  headers.set('host', url.host)
  headers.set('date', new Date(now).toUTCString())
  if (body !== undefined) headers.set('digest', await digestOf(body))
  const names = body !== undefined ? SIGNED_POST_HEADERS : SIGNED_GET_HEADERS
  const text = signingString(method, url, headers, names)!
  const sig = b64(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, te.encode(text)))
  headers.set('signature', `keyId="${keyId}",algorithm="rsa-sha256",headers="${names.join(' ')}",signature="${sig}"`)
  headers.delete('host') // fetch sets it from the URL
  return headers
}

export interface SignatureParams {
  keyId: string
  algorithm?: string
  headers: string[]
  signature: string
  /** The `created` and `expires` parameters as written (Unix seconds; `expires` may have a fraction). */
  created?: string
  expires?: string
}

/** Parses a `Signature` header (`k="v",…`); undefined when malformed or incomplete. */
export function parseSignature(value: string | null): SignatureParams | undefined {
  if (!value) return undefined
  const params = new Map<string, string>()
  // `created` and `expires` are numbers, which the draft writes without quotes.
  for (const m of value.matchAll(/([a-zA-Z]+)=(?:"([^"]*)"|([0-9]+(?:\.[0-9]+)?))\s*(?:,\s*|$)/g)) params.set(m[1]!.toLowerCase(), m[2] ?? m[3]!)
  const keyId = params.get('keyid')
  const signature = params.get('signature')
  if (!keyId || !signature) return undefined
  // draft-cavage §2.1.6: when `headers` is left out, only `date` is signed.
  const created = params.get('created')
  const expires = params.get('expires')
  return {
    keyId,
    signature,
    algorithm: params.get('algorithm'),
    headers: (params.get('headers') ?? 'date').toLowerCase().split(/\s+/).filter(Boolean),
    ...(created !== undefined ? { created } : {}),
    ...(expires !== undefined ? { expires } : {}),
  }
}

/** Why a signed request is not acceptable before any key is fetched, or undefined. */
export async function preconditionProblem(request: Request, body: string, params: SignatureParams, now: number): Promise<string | undefined> {
  if (params.algorithm && !['rsa-sha256', 'hs2019'].includes(params.algorithm.toLowerCase())) return `unsupported signature algorithm ${params.algorithm}`
  for (const required of ['(request-target)', 'host', 'digest']) {
    if (!params.headers.includes(required)) return `the signature must cover ${required}`
  }
  // Its freshness: a signed Date, or (created) in its place, as Mastodon accepts either.
  const [signsDate, signsCreated, signsExpires] = ['date', '(created)', '(expires)'].map((h) => params.headers.includes(h))
  if (!signsDate && !signsCreated) return 'the signature must cover date or (created)'
  // draft-cavage-12 §2.3: the two pseudo-headers only with hs2019 (or no algorithm named), as Mastodon holds them.
  if ((signsCreated || signsExpires) && params.algorithm && params.algorithm.toLowerCase() !== 'hs2019') return `(created) and (expires) are signed only with algorithm hs2019, not ${params.algorithm}`
  if (signsDate) {
    const date = Date.parse(request.headers.get('date') ?? '')
    if (Number.isNaN(date)) return 'the Date header is missing or not a date'
    if (date < now - MAX_SIGNATURE_AGE_MS || date > now + MAX_CLOCK_SKEW_MS) return 'the Date header is outside the accepted window'
  }
  if (signsCreated) {
    if (params.created === undefined || !/^[0-9]+$/.test(params.created)) return 'the signature covers (created) but has no created parameter in whole seconds'
    const created = Number(params.created) * 1000
    if (created < now - MAX_SIGNATURE_AGE_MS || created > now + MAX_CLOCK_SKEW_MS) return 'the signature’s created is outside the accepted window'
  }
  if (signsExpires) {
    if (params.expires === undefined) return 'the signature covers (expires) but has no expires parameter'
    if (Number(params.expires) * 1000 < now - MAX_CLOCK_SKEW_MS) return 'the signature has expired'
  }
  const digest = request.headers.get('digest') ?? ''
  const sha256 = digest.split(',').map((d) => d.trim()).find((d) => d.toLowerCase().startsWith('sha-256='))
  if (!sha256) return 'the Digest header must carry SHA-256'
  if (`SHA-256=${sha256.slice(8)}` !== (await digestOf(body))) return 'the Digest does not match the body'
  return undefined
}

/** Whether `params.signature` is `publicKey`'s signature over the request's signing string. */
export async function signatureValid(request: Request, params: SignatureParams, publicKey: CryptoKey): Promise<boolean> {
  const text = signingString(request.method, new URL(request.url), request.headers, params.headers, params)
  if (text === undefined) return false
  let sig: Uint8Array<ArrayBuffer>
  try {
    sig = Uint8Array.from(atob(params.signature), (c) => c.charCodeAt(0))
  } catch {
    return false
  }
  return crypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, sig, te.encode(text))
}
