/**
 * The archive revised in place after edits that change what stories say but not where they stand:
 * every changed article's meta (id, slug, instants, section, tags, authors, withdrawal) is the one
 * the last build laid out, the file list, ledger and index are the same, and no scheduled story
 * came due since. Then the order, the key shards, the listings and every listing's summary in the
 * manifest are the last build's, and only the story blocks of the changed stories, the pages and
 * items beside them, the prerendered feeds that show them and the manifest are written again —
 * without reading the other 100,000 metas, let alone laying them out (build.ts does that otherwise).
 *
 * What it writes is what a clean build writes, byte for byte: the keys and digests are made by the
 * same functions (keys.ts), the files by the same code; tests/node/incremental.test.ts holds it to
 * a clean build after a headline edit, which takes this way.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { itemFile, paths, SCHEDULE_MARGIN_MS, type Manifest } from '../../../src/archive/format'
import { prerenderFeeds } from '../../../src/build/prerender'
import { sourceHash } from './code-hash'
import { blockFileKey, blockKey, feedKey, listingNames, type PrerenderTarget } from './keys'
import type { ArchiveState, CacheStore } from './store'

export interface Revision {
  manifest: Manifest
  state: ArchiveState
  written: number
}

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex')

/**
 * Revises the archive in `dir` for `changed` (previous content hash → new one, of articles whose
 * metas are unchanged); undefined, having written nothing, when the archive cannot be revised so
 * (then the caller lays it out whole).
 */
export async function reviseArchive(options: {
  dir: string
  cache: CacheStore
  previous: ArchiveState
  manifestText: string
  changed: ReadonlyMap<string, string>
  prerender: PrerenderTarget
  now: number
  checked: string
}): Promise<Revision | undefined> {
  const { dir, cache, previous, changed, prerender, now } = options
  const { stories, shown, target } = previous
  if (!stories || !shown || target?.origin !== prerender.origin || target.feedSize !== prerender.feedSize) return undefined
  const old = JSON.parse(options.manifestText) as Manifest
  const oldNow = Date.parse(old.builtAt)
  // No story may have come due since: not past the schedule horizon (the listings' summaries),
  // not past the build instant (the prerendered feeds' scheduled counts).
  if (!(now >= oldNow) || old.listings[0]!.head.some((t) => t <= now - SCHEDULE_MARGIN_MS || (t > oldNow && t <= now))) return undefined

  // A few changed stories among 100,000 are found by scanning, many by a map of them all.
  const blocks = new Set<number>()
  const nextStories = [...stories]
  const ordOf = changed.size > 32 ? new Map(stories.map((hash, ord) => [hash, ord])) : undefined
  for (const [was, is] of changed) {
    const ord = ordOf ? (ordOf.get(was) ?? -1) : stories.indexOf(was)
    if (ord < 0) return undefined
    nextStories[ord] = is
    blocks.add(Math.floor(ord / old.blockSize))
  }
  const current = (hash: string) => changed.get(hash) ?? hash

  // Everything made first, written after: a missing cache text leaves the archive untouched.
  const files = { ...previous.files }
  const state: ArchiveState = { ...previous, blocks: [...previous.blocks], feeds: [...previous.feeds], blockFiles: { ...previous.blockFiles }, stories: nextStories, shown: shown.map((list) => list.map(current)), checked: options.checked }
  const names = listingNames(old)
  const writes: [string, string, string][] = []
  for (const n of blocks) {
    const members = nextStories.slice(n * old.blockSize, (n + 1) * old.blockSize).map((hash) => cache.entry(hash))
    if (members.some((e) => !e?.place || !e.page)) return undefined
    const items = members.map((e) => cache.items(e!, prerender.origin))
    if (items.some((i) => i === undefined)) return undefined
    const block = `[${members.map((e) => cache.record(e!)).join(',')}]`
    state.blocks[n] = blockKey(nextStories.slice(n * old.blockSize, (n + 1) * old.blockSize))
    writes.push([paths.block(n), block, digestOf(block)])
    for (const [path, text] of [
      [paths.pages(n), `[${members.map((e) => cache.page(e!)).join(',')}]`],
      [paths.items(n), itemFile({ rss: items.map((i) => i![0]), atom: items.map((i) => i![1]), json: items.map((i) => i![2]) })],
    ] as const) {
      const key = blockFileKey(path, state.blocks[n]!, old.site, names, prerender.origin)
      state.blockFiles[path] = key
      writes.push([path, text, key])
    }
  }

  // From here the archive on disk is not the one the state describes: forget the state until the new one is saved.
  cache.forgetArchive()
  const written = new Set<string>()
  const sink = (path: string, text: string, digest = digestOf(text)) => {
    files[path] = { digest, size: Buffer.byteLength(text) }
    const file = join(dir, path)
    mkdirSync(dirname(file), { recursive: true })
    // Beside it, then over it: a reader sees the old file or the new one.
    writeFileSync(`${file}.tmp`, text)
    renameSync(`${file}.tmp`, file)
    written.add(path)
  }
  for (const [path, text, digest] of writes) sink(path, text, digest)

  // The fingerprint is over the digests of blocks, key shards and listing files, in layout order (compile.ts).
  const digests: string[] = []
  for (let n = 0; n * old.blockSize < old.stories; n++) digests.push(`${paths.block(n)} ${files[paths.block(n)]!.digest}`)
  for (let n = 0; n < old.keyShards; n++) digests.push(`${paths.keys(n)} ${files[paths.keys(n)]!.digest}`)
  old.listings.forEach((l, n) => l.kind !== 'home' && digests.push(`${paths.listing(n)} ${files[paths.listing(n)]!.digest}`))
  const { prerendered: _prerendered, ...rest } = old
  const manifest: Manifest = { ...rest, builtAt: new Date(now).toISOString(), fingerprint: digestOf(digests.join('\n')).slice(0, 24) }
  sink(paths.manifest, JSON.stringify(manifest))

  // The feeds of listings that show a changed story, rendered over the revised archive.
  const keep = new Set<number>()
  old.listings.forEach((meta, n) => {
    const list = state.shown![n]!
    state.feeds[n] = feedKey(meta, old.site, prerender, meta.head.filter((t) => t > now).length, list)
    if (state.feeds[n] === previous.feeds[n]) keep.add(n)
  })
  const read = async (path: string) => readFileSync(join(dir, path), 'utf8')
  const prerendered = await prerenderFeeds(read, manifest, { ...prerender, builtAt: new Date(now), keep, itemsInPlace: true }, sink)
  const final: Manifest = { ...prerendered, prerendered: { ...prerendered.prerendered!, items: true } }
  sink(paths.manifest, JSON.stringify(final))
  return { manifest: final, state: { ...state, files, manifest: sourceHash(JSON.stringify(final)) }, written: written.size }
}
