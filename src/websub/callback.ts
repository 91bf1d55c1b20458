/**
 * @module
 * Which addresses the hub may call: the SSRF guard for hub.callback (verification and delivery).
 * Workers cannot resolve a name before connecting, so the URL itself is judged strictly, after the
 * WHATWG URL parser has put the host in its one canonical spelling (every IPv4 spelling —
 * `0x7f.1`, `2130706433`, `0177.0.0.1` — becomes dotted decimal; IPv6 is compressed) and a
 * trailing dot is dropped (`localhost.` is `localhost`):
 *
 * - http(s) only, no credentials, no fragment, default ports only;
 * - an address literal must be public unicast: IPv4 outside every special-purpose block, IPv6
 *   inside 2000::/3 and outside its special blocks (so `::1`, `::127.0.0.1`, `::ffff:10.0.0.1`,
 *   `64:ff9b::…`, 6to4 and Teredo are refused); ipaddr.js classifies, not a hand-written table;
 * - a name must have a dot and not end in an internal suffix (`localhost`, `internal`, `local`, …);
 * - never this site's own host, whatever the scheme or port.
 *
 * `HUB_ALLOW_LOOPBACK` (development, tests) admits loopback hosts on any port but the site's own.
 */
import * as ipaddr from 'ipaddr.js'

export const MAX_CALLBACK_LENGTH = 2048

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home|corp|localdomain|home\.arpa|test|invalid|onion)$|^metadata(\.google\.internal)?$/

/** 2000::/3, the only IPv6 block with public unicast addresses in it. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3')

/** The host as compared: lowercase (the parser did that), brackets and trailing dots removed. */
export function canonicalHost(hostname: string): string {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  return host.replace(/\.+$/, '')
}

function literal(host: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(host)) return undefined
  const address = ipaddr.parse(host)
  // An IPv4-mapped IPv6 address is the IPv4 address it maps, for every purpose here.
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address
}

function isLoopback(host: string): boolean {
  const address = literal(host)
  if (address) return address.range() === 'loopback'
  return host === 'localhost' || host.endsWith('.localhost')
}

/** Why a host is refused, or undefined when it may be called. */
function blockedHost(host: string): string | undefined {
  const address = literal(host)
  if (address instanceof ipaddr.IPv4) {
    return address.range() === 'unicast' ? undefined : `is a ${address.range()} address, not a public one`
  }
  if (address instanceof ipaddr.IPv6) {
    if (!address.match(GLOBAL_UNICAST_V6)) return 'is not a global unicast IPv6 address (2000::/3)'
    return address.range() === 'unicast' ? undefined : `is a ${address.range()} address, not a public one`
  }
  if (!host.includes('.') || INTERNAL_NAMES.test(host)) return 'is an internal host name'
  return undefined
}

const defaultPort = (url: URL) => (url.protocol === 'https:' ? '443' : '80')

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
  if (url.hash || raw.includes('#')) return 'hub.callback must not have a fragment'
  const host = canonicalHost(url.hostname)
  const own = new URL(options.ownOrigin)
  const ownHost = canonicalHost(own.hostname)
  // Production: no port of this host is a subscriber. Loopback development serves the site and its
  // test subscribers on one host, so there the port tells them apart; and there every loopback
  // name is the site's host (`127.0.0.1:8787` is the `localhost:8787` that `wrangler dev` serves).
  const sameHost = host === ownHost || (options.allowLoopback && isLoopback(host) && isLoopback(ownHost))
  const sameSite = sameHost && (!options.allowLoopback || (url.port || defaultPort(url)) === (own.port || defaultPort(own)))
  if (sameSite) return 'hub.callback must not be on this site'
  if (options.allowLoopback && isLoopback(host)) return undefined
  const blocked = blockedHost(host)
  if (blocked) return `hub.callback host ${url.hostname} ${blocked}`
  if (url.port !== '') return 'hub.callback must use the default port of its scheme (80 or 443)'
  return undefined
}
