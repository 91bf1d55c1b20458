/**
 * @module
 * `POST /admin/publish`: the cron's publish step on demand, for a newsroom that just deployed.
 * Bearer token from `wrangler secret put ADMIN_TOKEN`, compared in constant time.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../app'
import { publishChanges } from './publish'

/** Equal-length digests compared without an early exit, so timing says nothing about the token. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)))
  const [a, b] = [await digest(given), await digest(expected)]
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean }
  if (subtle.timingSafeEqual) return subtle.timingSafeEqual(a, b)
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export async function adminPublish(c: Context<AppEnv>): Promise<Response> {
  const expected = c.env.ADMIN_TOKEN
  if (!expected) return c.text('admin is disabled: set a token with `wrangler secret put ADMIN_TOKEN` (503)\n', 503)
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')
  if (!match || !(await sameSecret(match[1]!, expected))) {
    return c.text('a valid bearer token is required (401)\n', 401, { 'WWW-Authenticate': 'Bearer realm="herald-admin"', 'Cache-Control': 'no-store' })
  }
  const report = await publishChanges(c.env, c.var.herald, Date.now())
  return c.json(report, 200, { 'Cache-Control': 'no-store' })
}
