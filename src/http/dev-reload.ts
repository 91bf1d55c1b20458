/**
 * @module
 * `POST /__herald/dev/reload`: `npm run dev` (scripts/dev.ts) tells the worker that it revised the
 * archive in place, so the isolate drops the archive it opened (and everything rendered from it)
 * and the next request opens the new one. Restarting workerd for that costs more than a second at
 * 100,000 stories, most of it Miniflare listing every asset again, where the file set is the same:
 * the dev assets service reads each file from disk when asked for it.
 *
 * The route exists only where `HERALD_DEV_RELOAD` is set, which only `npm run dev` does: to the
 * SHA-256 (hex) of a token it made for this session, so the token itself is in no log or binding
 * listing. Anywhere else the path is an unknown one, like any other.
 */
import type { MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'

export const DEV_RELOAD_PATH = '/__herald/dev/reload'

/** The binding `npm run dev` passes (`--var HERALD_DEV_RELOAD:<sha256 hex of the session's token>`). */
export interface DevReloadVars {
  HERALD_DEV_RELOAD?: string
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Digests of equal length compared without an early exit. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** The route's handler: `forget` drops the isolate's opened archive. */
export function devReload(forget: () => void): MiddlewareHandler<{ Bindings: DevReloadVars }> {
  return async (c, next) => {
    const expected = c.env?.HERALD_DEV_RELOAD
    if (!expected) return next()
    if (c.req.method !== 'POST') return c.text(`${c.req.method} is not allowed here; use POST (405)\n`, 405, { Allow: 'POST', 'Cache-Control': 'no-store' })
    let answer: Response | undefined
    await bearerAuth<{ Bindings: DevReloadVars }>({
      realm: 'herald-dev',
      verifyToken: async (token) => sameDigest(await sha256Hex(token), expected.toLowerCase()),
      noAuthenticationHeader: { message: 'a bearer token is required (401)\n' },
      invalidAuthenticationHeader: { message: 'the Authorization header must be "Bearer <token>" (400)\n' },
      invalidToken: { message: 'the bearer token is not valid (401)\n' },
    })(c, async () => {
      forget()
      answer = c.body(null, 204, { 'Cache-Control': 'no-store' })
    })
    return answer
  }
}
