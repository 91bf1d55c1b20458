/**
 * The archive revised in place after edits that change what stories say but not where they stand:
 * every changed article's meta (id, slug, instants, section, tags, authors, withdrawal) is the one
 * the last build laid out, the file list, ledger and index are the same, and no scheduled story
 * came due since. Then the order, the key shards, the listings and every listing's summary in the
 * manifest are the last build's, and only the story blocks of the changed stories, the pages and
 * items beside them, the sparse listings' chunks that copy them, the prerendered feeds that show
 * them and the manifest are written again —
 * without reading the other 100,000 metas, let alone laying them out (build.ts does that otherwise).
 *
 * What it writes is what a clean build writes, byte for byte: the keys and digests are made by the
 * same functions (keys.ts), the files by the same code; tests/node/incremental.test.ts holds it to
 * a clean build after a headline edit, which takes this way.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chunkMembers, chunkOf, paths, SCHEDULE_MARGIN_MS, type Manifest } from '../../../src/archive/format'
import { fingerprintOf } from '../../../src/build/compile'
import { prerenderFeeds } from '../../../src/build/prerender'
import { sourceHash } from './code-hash'
import { blockFileKey, blockKey, chunkKey, feedKey, listingNames, type PrerenderTarget } from './keys'
import { Staging } from './staging'
import type { ArchiveState, CacheStore } from './store'

export interface Revision {
  manifest: Manifest
  state: ArchiveState
  /** What the archive holds now (staging.ts `finish`). */
  made: Awaited<ReturnType<Staging['finish']>>
  written: number
}

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
  const changedAt: [ord: number, hash: string][] = []
  const nextStories = [...stories]
  const ordOf = changed.size > 32 ? new Map(stories.map((hash, ord) => [hash, ord])) : undefined
  for (const [was, is] of changed) {
    const ord = ordOf ? (ordOf.get(was) ?? -1) : stories.indexOf(was)
    if (ord < 0) return undefined
    nextStories[ord] = is
    changedAt.push([ord, is])
    blocks.add(Math.floor(ord / old.blockSize))
  }
  const current = (hash: string) => changed.get(hash) ?? hash

  // Everything made first, written after: a missing cache text leaves the archive untouched.
  const state: ArchiveState = { ...previous, blocks: [...previous.blocks], feeds: [...previous.feeds], blockFiles: { ...previous.blockFiles }, stories: nextStories, shown: shown.map((list) => list.map(current)), checked: options.checked }
  const names = listingNames(old)
  // Path, text and its key (a block is hashed as it is written).
  const writes: [string, string, string?][] = []
  for (const n of blocks) {
    const hashes = nextStories.slice(n * old.blockSize, (n + 1) * old.blockSize)
    const members = hashes.map((hash) => cache.entry(hash)!)
    if (members.some((e) => !e?.place || !e.page)) return undefined
    const items = cache.itemsText(members, prerender.origin)
    if (items === undefined) return undefined
    const block = cache.blockText(members)
    state.blocks[n] = blockKey(hashes)
    writes.push([paths.block(n), block])
    for (const [path, text] of [
      [paths.pages(n), cache.pagesText(members)],
      [paths.items(n), items],
    ] as const) {
      const key = blockFileKey(path, state.blocks[n]!, old.site, names, prerender.origin)
      state.blockFiles[path] = key
      writes.push([path, text, key])
    }
  }

  // The chunks of sparse listings that hold a changed story (its meta names them: it is the last build's).
  const numberOf = new Map(old.listings.map((l, n) => [`${l.kind}:${l.slug}`, n]))
  // Each sparse listing's story numbers, read once however many of its stories changed.
  const listingOrds = new Map<number, number[]>()
  const ordsOf = (n: number) => listingOrds.get(n) ?? listingOrds.set(n, JSON.parse(readFileSync(join(dir, paths.listing(n)), 'utf8')) as number[]).get(n)!
  const chunks = new Map<string, string[]>()
  for (const [ord, is] of changedAt) {
    const story = cache.entry(is)?.meta.story
    if (!story) return undefined
    const listed = [`section:${story.section}`, ...story.tags.map((t) => `tag:${t.slug}`), ...story.authors.map((a) => `author:${a.key}`)]
    for (const n of listed.map((name) => numberOf.get(name))) {
      if (n === undefined || !old.listings[n]!.chunks) continue
      const ords = ordsOf(n)
      const position = ords.indexOf(ord)
      if (position < 0) return undefined
      const { k } = chunkOf(position, ords.length)
      chunks.set(paths.chunk(n, k), chunkMembers(ords, k).map((o) => nextStories[o]!))
    }
  }
  for (const [path, hashes] of chunks) {
    const members = hashes.map((hash) => cache.entry(hash)!)
    if (members.some((e) => !e?.place)) return undefined
    writes.push([path, cache.blockText(members), chunkKey(hashes)])
  }

  // From here the archive on disk is not the one the state describes: forget the state until the new one is saved.
  cache.forgetArchive()
  const staging = new Staging(dir, previous)
  staging.keepAll()
  for (const [path, text, digest] of writes) await staging.sink(path, text, digest)

  const { prerendered: _prerendered, ...rest } = old
  const manifest: Manifest = { ...rest, builtAt: new Date(now).toISOString(), fingerprint: await fingerprintOf(old, (path) => staging.digest(path)!) }
  await staging.sink(paths.manifest, JSON.stringify(manifest))

  // The feeds of listings that show a changed story, rendered over the revised archive.
  const keep = new Set<number>()
  old.listings.forEach((meta, n) => {
    const list = state.shown![n]!
    state.feeds[n] = feedKey(meta, old.site, prerender, meta.head.filter((t) => t > now).length, list)
    if (state.feeds[n] === previous.feeds[n]) keep.add(n)
  })
  const final = await prerenderFeeds(staging.read, manifest, { ...prerender, builtAt: new Date(now), keep, itemsInPlace: true }, staging.sink)
  await staging.sink(paths.manifest, JSON.stringify(final))
  const made = await staging.finish(false)
  return { manifest: final, state: { ...state, files: made.files, manifest: sourceHash(JSON.stringify(final)) }, made, written: staging.written }
}
