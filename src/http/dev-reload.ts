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
import { Hono } from 'hono/quick'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException } from 'hono/http-exception'
import { timingSafeEqual } from 'hono/utils/buffer'
import { sha256 } from 'hono/utils/crypto'

export const DEV_RELOAD_PATH = '/__herald/dev/reload'

/** The binding `npm run dev` passes (`--var HERALD_DEV_RELOAD:<sha256 hex of the session's token>`). */
export interface DevReloadVars {
  HERALD_DEV_RELOAD?: string
}

/**
 * The route, as an app of its own: `createApp` hands it a request only where HERALD_DEV_RELOAD is
 * set, so a deployed worker's requests never meet it (not even as one more route to match).
 */
export function devReloadApp(forget: () => void): Hono<{ Bindings: DevReloadVars }> {
  const app = new Hono<{ Bindings: DevReloadVars }>()
  app.post(DEV_RELOAD_PATH, async (c, next) =>
    bearerAuth<{ Bindings: DevReloadVars }>({
      realm: 'herald-dev',
      // The token's digest against the one it was given, as bearerAuth compares tokens (constant time).
      verifyToken: async (token) => timingSafeEqual((await sha256(token)) ?? '', c.env.HERALD_DEV_RELOAD!.toLowerCase()),
      noAuthenticationHeader: { message: 'a bearer token is required (401)\n' },
      invalidAuthenticationHeader: { message: 'the Authorization header must be "Bearer <token>" (400)\n' },
      invalidToken: { message: 'the bearer token is not valid (401)\n' },
    })(c, next),
  )
  app.post(DEV_RELOAD_PATH, (c) => {
    forget()
    return c.body(null, 204, { 'Cache-Control': 'no-store' })
  })
  app.all(DEV_RELOAD_PATH, (c) => c.text(`${c.req.method} is not allowed here; use POST (405)\n`, 405, { Allow: 'POST', 'Cache-Control': 'no-store' }))
  // bearerAuth's refusals are HTTPExceptions carrying their response.
  app.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.text('Internal Server Error (500)\n', 500)))
  return app
}

/** Whether a request is for the route, under `npm run dev` (one property read anywhere else). */
export function isDevReload(request: Request, env: DevReloadVars | undefined): boolean {
  return !!env?.HERALD_DEV_RELOAD && new URL(request.url).pathname === DEV_RELOAD_PATH
}
