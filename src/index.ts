/**
 * @module
 * Herald's Worker: the publication's feeds and pages (fetch), and its WebSub hub's deliveries
 * (queue) and housekeeping (scheduled). All three share one per-isolate Herald.
 */
import content from '../content/index'
import { createApp } from './app'
import { heraldFor } from './herald'
import { handleBatch } from './websub/consumer'
import type { HubJob } from './websub/jobs'
import { publishChanges } from './websub/publish'

const herald = heraldFor(content)
const app = createApp(herald)

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    await handleBatch(batch, env, herald(env))
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      publishChanges(env, herald(env), controller.scheduledTime).then((r) => {
        if (r.changedTopics.length || r.expiredLeases) console.log(`herald hub: ${r.changedTopics.length} topic(s) changed, ${r.deliveriesQueued} deliveries queued, ${r.expiredLeases} lease(s) expired`)
      }),
    )
  },
} satisfies ExportedHandler<Env, HubJob>
