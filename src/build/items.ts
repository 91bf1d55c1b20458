/**
 * @module
 * Build-time rendering of every story's feed item in the three formats into `items/<n>.txt`
 * (src/archive/format.ts), for the prerender origin: an archive page of a feed is then one item
 * through `feed` and the rest spliced in (src/feeds/fragments.ts), not fifty items rendered by a
 * new isolate. Cut from `feed`'s own rendering of the block's stories, by the Worker's own code
 * (src/feeds/render.ts `renderItemFragments`), each kept without its story's HTML.
 */
import { Archive, type ReadFile } from '../archive/archive'
import { itemFile, paths, type Manifest, type ItemTemplate } from '../archive/format'
import { FORMATS, type Format } from '../feeds/build'
import { itemTemplate } from '../feeds/fragments'
import { renderItemFragments } from '../feeds/render'
import type { ArchiveSink } from './compile'
import type { Story } from '../content/story'
import { storyBlocks } from './pages'

export async function renderItemFiles(read: ReadFile, manifest: Manifest, origin: string, sink: ArchiveSink, keep?: ReadonlySet<number>): Promise<void> {
  const archive = await Archive.open(read, origin)
  for await (const { n, stories } of storyBlocks(archive, manifest, keep)) await sink(paths.items(n), itemFile(blockItems(archive, stories)))
}

/**
 * What stands for a story's HTML while its items are rendered: a control character, which no
 * content holds (src/build/normalise.ts removes them) and every format escapes as one. The hole
 * an item keeps is where the HTML goes whatever it is (`fillItem`), so the items are rendered
 * around this instead of through 6 KB of HTML a story, escaped, searched and cut out again.
 */
const HTML_HOLE = '\u0002'

/** The feed items of a block's stories (oldest first) in each format, for `archive`'s origin: what `items/<n>.txt` holds. */
export function blockItems(archive: Archive, stories: Story[]): Record<Format, ItemTemplate[]> {
  // An empty body stays empty: `feed` then writes no content at all, and the item has no hole.
  const holes: Story[] = []
  for (const story of stories) holes.push(story.html === '' ? story : { ...story, html: HTML_HOLE })
  // Any page will do as the frame: an item does not depend on the page it is in.
  const page = { request: { kind: 'first' as const }, stories: holes, links: { first: { kind: 'first' as const }, last: { kind: 'first' as const } }, scheduled: 0, withdrawn: [] }
  const items = {} as Record<Format, ItemTemplate[]>
  for (const format of Object.keys(FORMATS) as Format[]) {
    const made: ItemTemplate[] = (items[format] = [])
    for (const [k, item] of renderItemFragments(archive, archive.home, page, format).entries()) made.push(itemTemplate(format, item, holes[k]!.html))
  }
  return items
}
