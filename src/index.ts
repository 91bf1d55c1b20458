/**
 * @module
 * Herald's Worker: the publication's feeds and pages.
 */
import content from '../content/index'
import { createApp } from './app'

const app = createApp(content)

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>
