/**
 * One worker's share of a build (threads.ts): process article files, and render the feed items of
 * cached stories for another origin, appending every text made to one pack and handing on only
 * where it went. A build thread runs it (worker.ts); so does the build itself for a few files.
 */
import type { Content } from '../../../src/content/article'
import type { Problem } from '../../../src/build/validate'
import { PackReader, type PackWriter, type Place } from './packs'
import { metaText, type MetaText } from './store'
import { BATCH, processFiles, renderStories, type Processed, type RenderTarget, type StoryMeta } from './stories'

export interface Result {
  file: string
  hash: string
  /**
   * An article with problems: its meta, for the rules between articles. Any other (a story, a
   * draft): its meta as the cache keeps it, made here rather than on the build's own thread.
   */
  meta: StoryMeta | MetaText
  /** Record, page and items in the pack, for a story (not a draft, no problems). */
  place?: Place
  page?: Place
  items?: { origin: string; place: Place }
  problems: Problem[]
}

/** A cached story whose feed items are wanted for another origin. */
export interface Rerender {
  hash: string
  meta: StoryMeta
  /** Its record. */
  place: Place
}

/** Feed items rendered for a cached story. */
export interface Rerendered {
  hash: string
  items: { origin: string; place: Place }
}

export interface Job {
  root: string
  files: readonly string[]
  rerender: readonly Rerender[]
  config: Content
  render: RenderTarget
  /** Where the packs are (cached records are read from them). */
  packDir: string
}

/** A processed article as the build keeps it: its texts appended to `writer`'s pack (the page right after the record), their places in the result. */
function placed({ record, rendered, meta, ...rest }: Processed, writer: PackWriter): Result {
  if (rest.problems.length > 0) return { ...rest, meta }
  if (record === undefined) return { ...rest, meta: metaText(meta) }
  const place = writer.append(record)
  if (!rendered) return { ...rest, meta: metaText(meta), place }
  return { ...rest, meta: metaText(meta), place, page: writer.append(rendered.page), items: { origin: rendered.origin, place: writer.append(JSON.stringify(rendered.items)) } }
}

export async function runJob(job: Job, writer: PackWriter, each: (r: Result | Rerendered) => void): Promise<void> {
  await processFiles(job.root, job.files, job.config, job.render, (p) => each(placed(p, writer)))
  const reader = new PackReader(job.packDir)
  try {
    for (let i = 0; i < job.rerender.length; i += BATCH) {
      const stories = job.rerender.slice(i, i + BATCH).map((r) => ({ hash: r.hash, meta: r.meta, record: reader.read(r.place) }))
      for (const [hash, made] of await renderStories(job.config, stories, job.render.origin, new Date(job.render.builtAt))) {
        each({ hash, items: { origin: made.origin, place: writer.append(JSON.stringify(made.items)) } })
      }
    }
  } finally {
    reader.close()
  }
}
