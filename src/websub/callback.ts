/**
 * @module
 * Which addresses the hub may call: the SSRF guard for hub.callback (verification and delivery).
 * Workers cannot resolve a name before connecting, so the URL itself is judged strictly: http(s),
 * no credentials, no private, loopback, link-local, multicast or metadata address literal, no
 * internal names, default ports only. `HUB_ALLOW_LOOPBACK` (development, tests) admits loopback
 * hosts on any port.
 */

export const MAX_CALLBACK_LENGTH = 2048

/** IPv4 ranges that are never a subscriber: RFC 6890 special-purpose blocks. */
const BLOCKED_V4: [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 shared (CGNAT)
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 IETF protocol assignments
  [0xc0000200, 24], // 192.0.2/24 documentation
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xc6336400, 24], // 198.51.100/24 documentation
  [0xcb007100, 24], // 203.0.113/24 documentation
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, broadcast
]

const BLOCKED_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home|corp|localdomain|home\.arpa)$|^metadata(\.google\.internal)?$/i

function v4ToInt(host: string): number | undefined {
  const parts = host.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

function inRange(ip: number, [base, bits]: [number, number]): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  return (ip & mask) >>> 0 === base
}

function isLoopback(host: string): boolean {
  const v4 = v4ToInt(host)
  return (v4 !== undefined && inRange(v4, [0x7f000000, 8])) || host === '[::1]' || host === 'localhost' || host.endsWith('.localhost')
}

/** Why a host literal is refused, or undefined when it may be called. */
function blockedHost(host: string): string | undefined {
  const v4 = v4ToInt(host)
  if (v4 !== undefined) return BLOCKED_V4.some((r) => inRange(v4, r)) ? 'is a private, loopback, link-local or reserved address' : undefined
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1).toLowerCase()
    // Loopback, unspecified, unique-local (fc00::/7), link-local (fe80::/10), multicast, and IPv4-mapped/translated.
    if (v6 === '::1' || v6 === '::' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || /^ff/.test(v6) || v6.startsWith('::ffff:') || v6.startsWith('64:ff9b:')) {
      return 'is a private, loopback, link-local or reserved address'
    }
    return undefined
  }
  if (BLOCKED_NAMES.test(host) || !host.includes('.')) return 'is an internal host name'
  return undefined
}

/** Checks a hub.callback; returns the reason it is refused, or undefined if the hub may call it. */
export function callbackProblem(raw: string, options: { allowLoopback: boolean; ownOrigin: string }): string | undefined {
  if (raw.length > MAX_CALLBACK_LENGTH) return `hub.callback is longer than ${MAX_CALLBACK_LENGTH} characters`
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'hub.callback must be an absolute http(s) URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'hub.callback must be an absolute http(s) URL'
  if (url.username || url.password) return 'hub.callback must not carry credentials'
  if (url.hash) return 'hub.callback must not have a fragment'
  if (url.origin === options.ownOrigin) return 'hub.callback must not be on this site'
  const host = url.hostname
  if (options.allowLoopback && isLoopback(host)) return undefined
  const blocked = blockedHost(host)
  if (blocked) return `hub.callback host ${host} ${blocked}`
  if (url.port !== '') return 'hub.callback must use the default port of its scheme (80 or 443)'
  return undefined
}
