/**
 * @module
 * The answers for requests that name nothing or use the wrong method. Plain, short, and never a 500.
 */
import type { Context } from 'hono'

/** Methods every route answers: RFC 9110 §9.3.2 requires HEAD wherever GET is served. */
export const READ_METHODS = ['GET', 'HEAD'] as const

/** RFC 9110 §15.5.6: a 405 "MUST generate an Allow header field". */
export function methodNotAllowed(c: Context): Response {
  if (c.req.method === 'OPTIONS') {
    return c.body(null, 204, { Allow: [...READ_METHODS, 'OPTIONS'].join(', ') })
  }
  return c.text(`${c.req.method} is not allowed here; use GET or HEAD (405)\n`, 405, {
    Allow: [...READ_METHODS, 'OPTIONS'].join(', '),
  })
}
