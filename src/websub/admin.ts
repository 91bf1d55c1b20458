/**
 * @module
 * `POST /admin/publish`: the cron's publish step on demand, for a newsroom that just deployed.
 * Bearer token from `wrangler secret put ADMIN_TOKEN`, checked by Hono's `bearerAuth` (RFC 6750
 * challenges; constant-time comparison of digests).
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../app'
import { refusal } from '../http/errors'
import { publishChanges } from './publish'

const REALM = 'herald-admin'

/** Admin routes: refused outright (503) when no token is configured, else the token must match. */
export const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.env.ADMIN_TOKEN
  if (!token) throw refusal(503, 'admin is disabled: set a token with `wrangler secret put ADMIN_TOKEN`')
  // RFC 6750 §3: credentials in another scheme (Basic) are no authentication information for this
  // resource, answered as none is: 401 and the challenge, no error code. A malformed Bearer is 400.
  const scheme = c.req.header('authorization')?.trim().split(/\s/, 1)[0]
  if (scheme && scheme.toLowerCase() !== 'bearer') {
    throw refusal(401, `a bearer token is required (this endpoint takes no ${scheme} credentials)`, { 'WWW-Authenticate': `Bearer realm="${REALM}"` })
  }
  try {
    return await bearerAuth<AppEnv>({
      token,
      realm: REALM,
      noAuthenticationHeader: { message: 'a bearer token is required (401)\n' },
      invalidAuthenticationHeader: { message: 'the Authorization header must be "Bearer <token>" (400)\n' },
      invalidToken: { message: 'the bearer token is not valid (401)\n', wwwAuthenticateHeader: `Bearer realm="${REALM}", error="invalid_token"` },
    })(c, next)
  } catch (err) {
    // bearerAuth's refusals carry only WWW-Authenticate: give them every refusal's headers
    // (src/http/errors.ts). RFC 6750 §5.1: an answer about a token must not be cached.
    if (err instanceof HTTPException && err.res) throw refusal(err.status as ContentfulStatusCode, (await err.res.text()).replace(/ \(\d{3}\)\n$/, ''), { 'WWW-Authenticate': err.res.headers.get('www-authenticate') ?? '' })
    throw err
  }
}

export async function adminPublish(c: Context<AppEnv>): Promise<Response> {
  const report = await publishChanges(c.env, c.var.herald, Date.now())
  return c.json(report, 200, { 'Cache-Control': 'no-store' })
}
