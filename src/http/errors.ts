/**
 * @module
 * The answer for a method a path does not take. Plain, short, and never a 500.
 */
import type { Context } from 'hono'

/** Methods every page and feed answers: RFC 9110 §9.3.2 requires HEAD wherever GET is served. */
export const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const

/** RFC 9110 §15.5.6: a 405 "MUST generate an Allow header field". OPTIONS gets 204 with the same Allow. */
export function methodNotAllowed(allow: readonly string[] = READ_METHODS) {
  const value = allow.join(', ')
  return function methodNotAllowed(c: Context): Response {
    if (c.req.method === 'OPTIONS') return c.body(null, 204, { Allow: value })
    return c.text(`${c.req.method} is not allowed here; use ${allow.filter((m) => m !== 'OPTIONS').join(' or ')} (405)\n`, 405, { Allow: value })
  }
}
