/**
 * A build thread (threads.ts): processes the article files it is given, appends their records to
 * its own pack, and posts each result back without the record text.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Content } from '../../../src/content/article'
import { PackWriter } from './packs'
import { processFiles } from './stories'

const { root, files, config, packDir, pack } = workerData as { root: string; files: string[]; config: Content; packDir: string; pack: string }
const writer = new PackWriter(packDir, pack)
await processFiles(root, files, config, ({ record, ...rest }) => {
  parentPort!.postMessage({ ...rest, ...(record !== undefined ? { place: writer.append(record) } : {}) })
})
writer.close()
parentPort!.postMessage('done')
