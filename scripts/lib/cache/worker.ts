/**
 * A build thread (threads.ts): runs its share of the build (job.ts) into its own pack, and posts
 * the results back in batches, without the text.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { runJob, type Job } from './job'
import { PackWriter } from './packs'
import { BATCH } from './stories'

const { pack, ...job } = workerData as Job & { pack: string }
const writer = new PackWriter(job.packDir, pack)
// One message per batch: a message per article costs as much as checking it.
let batch: unknown[] = []
await runJob(job, writer, (result) => {
  batch.push(result)
  if (batch.length === BATCH) {
    writer.flush()
    parentPort!.postMessage(batch)
    batch = []
  }
})
writer.close()
parentPort!.postMessage(batch)
parentPort!.postMessage('done')
