/**
 * A build thread (threads.ts): processes the article files it is given (or, for another origin,
 * renders the feed items of cached stories), appends what it makes to its own pack, and posts the
 * results back in batches, without the text.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Content } from '../../../src/content/article'
import { PackReader, PackWriter } from './packs'
import { BATCH, processFiles, renderStories, type RenderTarget } from './stories'
import { placed, type Rerender } from './threads'

const { root, files, rerender, config, packDir, pack, render } = workerData as { root: string; files: string[]; rerender: Rerender[]; config: Content; packDir: string; pack: string; render: RenderTarget }
const writer = new PackWriter(packDir, pack)
// One message per batch: a message per article costs as much as checking it.
let batch: unknown[] = []
const post = (result: unknown) => {
  batch.push(result)
  if (batch.length === BATCH) {
    writer.flush()
    parentPort!.postMessage(batch)
    batch = []
  }
}
await processFiles(root, files, config, render, (p) => post(placed(p, writer)))
const reader = new PackReader(packDir)
for (let i = 0; i < rerender.length; i += BATCH) {
  const stories = rerender.slice(i, i + BATCH).map((r) => ({ hash: r.hash, meta: r.meta, record: reader.read(r.place) }))
  for (const [hash, made] of await renderStories(config, stories, render.origin, new Date(render.builtAt))) post({ hash, items: { origin: made.origin, place: writer.append(JSON.stringify(made.items)) } })
}
reader.close()
writer.close()
parentPort!.postMessage(batch)
parentPort!.postMessage('done')
