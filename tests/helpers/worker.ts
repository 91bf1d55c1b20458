/** Requests to the worker under test, inside workerd. */
import { env, exports } from 'cloudflare:workers'
import { createApp } from '../../src/app'
import type { Content } from '../../src/content/article'
import type { ConfigVars } from '../../src/config'
import { heraldOf } from './archive'

export { heraldOf }

export const ORIGIN = 'http://localhost:8787'

/** A request to the deployed worker (the real content, from its ARCHIVE assets), through its fetch handler. */
export function get(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(ORIGIN + path, init))
}

/** A worker over other content (generated, hostile), same routes and config. */
export function appFor(content: Content, vars: ConfigVars = {}) {
  const app = createApp(heraldOf(content))
  return (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, { ...env, ...vars } as Env)
}
