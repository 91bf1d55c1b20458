/**
 * @module
 * Herald's Worker: the publication's feeds and pages (fetch), and its WebSub hub's deliveries
 * (queue) and housekeeping (scheduled). All three share one per-isolate Herald.
 */
import { createApp } from './app'
import { assetFiles, heraldFor } from './herald'
import { handleBatch } from './websub/consumer'
import type { ApJob } from './fediverse/jobs'
import type { HubJob } from './websub/jobs'
import { publishChanges } from './websub/publish'

// The content is not in this bundle: `npm run build` compiles it into the ARCHIVE static assets.
const herald = heraldFor(assetFiles)
const app = createApp(herald)

/** A failure of a background step, logged with the step's name (nothing else would ever show it). */
function logFailure(step: string, err: unknown): void {
  console.error(`herald hub: ${step} failed: ${err instanceof Error ? err.message : String(err)}`)
}

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    let opened
    try {
      opened = await herald(env)
    } catch (err) {
      // The whole batch is retried (nothing acknowledged) once the archive opens again.
      logFailure(`queue ${batch.queue}: opening the archive`, err)
      throw err
    }
    // The fediverse queues (src/fediverse/), loaded only when one of their batches arrives.
    if (batch.queue.startsWith('herald-ap')) return (await import('./fediverse/consumer')).handleApBatch(batch as MessageBatch<ApJob>, env, opened)
    await handleBatch(batch as MessageBatch<HubJob>, env, opened)
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      (async () => {
        let step = 'opening the archive'
        try {
          const opened = await herald(env)
          step = 'publishing changes'
          const r = await publishChanges(env, opened, controller.scheduledTime)
          if (r.changedTopics.length || r.expiredLeases || r.deferredTopics.length) console.log(`herald hub: ${r.changedTopics.length} topic(s) changed, ${r.deliveriesQueued} deliveries queued, ${r.expiredLeases} lease(s) expired${r.deferredTopics.length ? `, ${r.deferredTopics.length} topic(s) left for the next run (subrequest limit)` : ''}`)
        } catch (err) {
          // Logged, not rethrown: the next minute's run tries again from the recorded fingerprints.
          logFailure(`cron ${controller.cron}: ${step}`, err)
        }
      })(),
    )
  },
} satisfies ExportedHandler<Env, HubJob | ApJob>
