/**
 * @module
 * Build-time rendering of every article page into `pages/<n>.txt` (src/archive/format.ts), one
 * file beside each story block. An article page depends on its story and on the site (name, sections,
 * feeds), all fixed per deploy, so rendering it per isolate was work done again on every new
 * isolate's first request: the page renderer's compilation and hono/jsx's context probe cost a new
 * isolate more than the Free plan's 10 ms. Rendered by the Worker's own view over the archive just
 * compiled, with links against ARCHIVE_ORIGIN, which the Worker swaps for its origin as it does in
 * item HTML.
 */
import { Archive, type ReadFile } from '../archive/archive'
import { ARCHIVE_ORIGIN, recordsFile, paths, type Manifest, type PageRecord } from '../archive/format'
import type { Story } from '../content/story'
import { articleDocument } from '../pages/views'
import type { ArchiveSink } from './compile'

/** Each story block's number and stories (oldest first, as stored), read back through `archive`; blocks in `keep` skipped. */
export async function* storyBlocks(archive: Archive, manifest: Manifest, keep?: ReadonlySet<number>): AsyncGenerator<{ n: number; stories: Story[] }> {
  const last = manifest.stories - 1
  for (let n = 0; n * manifest.blockSize < manifest.stories; n++) {
    // An incremental build's: this block's file is already in place as it would be rendered.
    if (keep?.has(n)) continue
    const first = n * manifest.blockSize
    const end = Math.min(first + manifest.blockSize, manifest.stories)
    // Home position p is story number last − p: the block's stories, newest first, reversed.
    yield { n, stories: (await archive.home.slice(last - end + 1, last - first + 1)).reverse() }
  }
}

/** A story's article page as `pages/<n>.txt` holds it, from an archive opened at ARCHIVE_ORIGIN. */
export function pageRecord(archive: Archive, story: Story): PageRecord {
  return { published: story.published.getTime(), updated: story.updated.getTime(), html: articleDocument(archive, story) }
}

export async function renderArticlePages(read: ReadFile, manifest: Manifest, sink: ArchiveSink, keep?: ReadonlySet<number>): Promise<void> {
  const archive = await Archive.open(read, ARCHIVE_ORIGIN)
  for await (const { n, stories } of storyBlocks(archive, manifest, keep)) {
    await sink(paths.pages(n), recordsFile(stories.map((story) => JSON.stringify(pageRecord(archive, story)))))
  }
}
