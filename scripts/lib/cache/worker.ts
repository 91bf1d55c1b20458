/**
 * A build thread (threads.ts): processes the article files it is given, appends their records to
 * its own pack, and posts the results back in batches, without the record text.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Content } from '../../../src/content/article'
import { PackWriter } from './packs'
import { BATCH, processFiles } from './stories'

const { root, files, config, packDir, pack } = workerData as { root: string; files: string[]; config: Content; packDir: string; pack: string }
const writer = new PackWriter(packDir, pack)
// One message per batch: a message per article costs as much as checking it.
let batch: unknown[] = []
await processFiles(root, files, config, ({ record, ...rest }) => {
  batch.push({ ...rest, ...(record !== undefined ? { place: writer.append(record) } : {}) })
  if (batch.length === BATCH) {
    writer.flush()
    parentPort!.postMessage(batch)
    batch = []
  }
})
writer.close()
parentPort!.postMessage(batch)
parentPort!.postMessage('done')
