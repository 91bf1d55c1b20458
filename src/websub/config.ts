/**
 * @module
 * The hub's settings from wrangler.toml `[vars]`, with the bounds the spec leaves to the hub.
 */

export interface HubConfig {
  leaseDefault: number
  leaseMin: number
  leaseMax: number
  /** Subscribe/unsubscribe requests per callback per hour. */
  rateLimit: number
  /** Subscribe/unsubscribe requests per callback host per hour, all its callbacks together. */
  hostRateLimit: number
  maxSubscribers: number
  retryBaseSeconds: number
  /** Local development and tests: loopback callbacks on any port. Never in production. */
  allowLoopback: boolean
  externalHubs: string[]
  /** Subrequests (D1 queries, queue sends, fetches) one invocation may make: 50 on the Free plan, 1,000 on Paid. */
  subrequestLimit: number
}

type HubVars = Partial<Record<
  'HUB_LEASE_DEFAULT' | 'HUB_LEASE_MIN' | 'HUB_LEASE_MAX' | 'HUB_RATE_LIMIT' | 'HUB_HOST_RATE_LIMIT' | 'HUB_MAX_SUBSCRIBERS' | 'HUB_RETRY_BASE_SECONDS' | 'HUB_ALLOW_LOOPBACK' | 'HUB_EXTERNAL_HUBS' | 'SUBREQUEST_LIMIT',
  string
>>

function whole(env: HubVars, name: keyof HubVars, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) throw new Error(`wrangler.toml: vars.${name}: expected a whole number, got "${raw}"`)
  return n
}

export function readHubConfig(env: HubVars): HubConfig {
  const leaseMin = whole(env, 'HUB_LEASE_MIN', 3600)
  const leaseMax = whole(env, 'HUB_LEASE_MAX', 30 * 86400)
  return {
    leaseMin,
    leaseMax,
    leaseDefault: Math.min(leaseMax, Math.max(leaseMin, whole(env, 'HUB_LEASE_DEFAULT', 10 * 86400))),
    rateLimit: whole(env, 'HUB_RATE_LIMIT', 30),
    hostRateLimit: whole(env, 'HUB_HOST_RATE_LIMIT', 300),
    maxSubscribers: whole(env, 'HUB_MAX_SUBSCRIBERS', 2500),
    retryBaseSeconds: whole(env, 'HUB_RETRY_BASE_SECONDS', 30),
    allowLoopback: env.HUB_ALLOW_LOOPBACK === 'true',
    externalHubs: (env.HUB_EXTERNAL_HUBS ?? '').split(/\s+/).filter(Boolean),
    subrequestLimit: whole(env, 'SUBREQUEST_LIMIT', 50),
  }
}
