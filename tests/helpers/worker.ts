/** Requests to the worker under test, inside workerd. */
import { env, exports } from 'cloudflare:workers'
import type { Content } from '../../src/content/article'
import { createApp } from '../../src/app'
import type { ConfigVars } from '../../src/config'

export const ORIGIN = 'http://localhost:8787'

/** A request to the deployed worker (the real content), through its fetch handler. */
export function get(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(ORIGIN + path, init))
}

/** A worker over other content (generated, hostile), same routes and config. */
export function appFor(content: Content, vars: ConfigVars = {}) {
  const app = createApp(content)
  return (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, { ...env, ...vars } as Env)
}
