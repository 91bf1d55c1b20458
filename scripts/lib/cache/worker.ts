/**
 * A build thread (threads.ts): runs its share of the build (job.ts) into its own pack, and posts
 * the results back in batches, without the text.
 */
import { setFlagsFromString } from 'node:v8'
import { parentPort, workerData } from 'node:worker_threads'
import { runJob, type Job } from './job'
import { PackWriter } from './packs'
import { BATCH } from './stories'

// V8 keeps every script it compiles in its compilation cache, keyed by the source, to compile the
// same text again for free; it lets go only when the heap is near its limit. A thread compiles each
// article module once, so the cache only kept about 10 KB a story alive: a thread's old space filled
// to its cap (THREAD_LIMITS, threads.ts), each full collection marked it all, and a clean build of
// 100,000 with four threads (a machine of 4 cores or more) peaked at 1,374 MB (859 MB without the
// cache). The flag is process-wide and read at each compilation; the build's own thread compiles
// nothing twice either.
setFlagsFromString('--no-compilation-cache')

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
