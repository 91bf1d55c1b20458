/**
 * @module
 * Herald's Worker: the publication's feeds and pages (fetch), and its WebSub hub's deliveries
 * (queue) and housekeeping (scheduled). All three share one per-isolate Herald.
 */
import { createApp } from './app'
import { assetFiles, heraldFor } from './herald'
import { handleBatch } from './websub/consumer'
import type { HubJob } from './websub/jobs'
import { publishChanges } from './websub/publish'

// The content is not in this bundle: `npm run build` compiles it into the ARCHIVE static assets.
const herald = heraldFor(assetFiles)
const app = createApp(herald)

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    await handleBatch(batch, env, await herald(env))
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      herald(env).then((h) => publishChanges(env, h, controller.scheduledTime)).then((r) => {
        if (r.changedTopics.length || r.expiredLeases) console.log(`herald hub: ${r.changedTopics.length} topic(s) changed, ${r.deliveriesQueued} deliveries queued, ${r.expiredLeases} lease(s) expired`)
      }),
    )
  },
} satisfies ExportedHandler<Env, HubJob>
