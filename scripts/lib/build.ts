/**
 * The build step: content modules → checked → compiled archive on disk (src/archive/format.ts),
 * the directory wrangler.toml `[assets]` deploys beside the Worker. Incremental (scripts/lib/cache/):
 * only changed article modules are read, checked and rendered, only the archive files they touch
 * rewritten; the result is byte for byte a clean build's. Rewritten in place (cache/staging.ts).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'smol-toml'
import { FORMATS, type Format } from '../../src/feeds/build'
import { paths, type Manifest } from '../../src/archive/format'
import { layoutArchive, type BlockMaker, type Reuse } from '../../src/build/compile'
import { formatProblem, validateContent, type Problem } from '../../src/build/validate'
import { ARTICLE_INDEX, articleIndexIsCurrent, isArticleFile } from './article-index'
import { withBuildLock } from './build-lock'
import { catalogue, type CatalogueStory } from './cache/catalogue'
import { collectionProblems } from './cache/check'
import { codeHash, sourceHash } from './cache/code-hash'
import { filesOf, listArticles, statArticles, worthAThread, type FolderStats } from '../folder-stats.mjs'
import { loadConfig } from './cache/modules'
import { Staging } from './cache/staging'
import { CacheStore, readIfExists, type ArchiveState } from './cache/store'
import type { StoryMeta } from './cache/stories'
import { blockFileKey, blockKey, chunkKey, feedKey, listingNames, shownCount } from './cache/keys'
import { reviseArchive } from './cache/revise'
import type { Rerender } from './cache/job'
import { processAll, THREADED_FROM } from './cache/threads'
import { LEDGER, readLedger } from './repo'

export const ARCHIVE_DIR = '.herald/archive'

export interface BuildOptions {
  /** The checkout (or a workspace laid out the same way). */
  root: string
  /** wrangler.toml environment whose SITE_URL and FEED_SIZE the feeds are prerendered for; top-level vars when absent. */
  env?: string
  builtAt?: Date
  /** Ignores (and replaces) the build cache: a clean build. */
  clean?: boolean
  /**
   * The article files (`content/articles/x.ts`) that may have changed since the last build, from a
   * watcher that saw every change since (`npm run dev`'s): the others are not even stat'ed.
   */
  changed?: ReadonlySet<string>
  /** `content/articles/` listed and stat'ed already (scripts/folder-stats.mjs), by the caller. */
  folderStats?: Promise<FolderStats>
}

export interface BuildResult {
  manifest: Manifest
  /** Files and bytes of the whole archive. */
  files: number
  bytes: number
  largestFile: number
  dir: string
  /** Archive files this build wrote (the others it kept from the last build). */
  written: number
  /** Article modules read, checked and rendered (the others came from the cache). */
  processed: number
  articles: number
  /** Whether the last build's layout held and the archive was revised in place (cache/revise.ts). */
  revised: boolean
}

/**
 * SITE_URL and FEED_SIZE of an environment, as wrangler reads them (`[env.<name>.vars]` are not
 * inherited): what the prerendered feeds are made for. A worker with other values renders instead.
 */
export function prerenderTarget(root: string, env: string | undefined): { origin: string; feedSize: number } {
  const config = parse(readFileSync(join(root, 'wrangler.toml'), 'utf8')) as {
    vars?: Record<string, string>
    env?: Record<string, { vars?: Record<string, string> }>
  }
  const vars = env ? config.env?.[env]?.vars : config.vars
  const where = `wrangler.toml: ${env ? `env.${env}.` : ''}vars`
  // `npm run dev` (scripts/dev.ts) serves where the developer asked and says so here, so the feeds it
  // prerenders carry the origin the dev server really has.
  const devOrigin = env ? undefined : process.env.HERALD_DEV_SITE_URL
  if (devOrigin) return { origin: new URL(devOrigin).origin, feedSize: Number(vars?.FEED_SIZE ?? 50) }
  if (!vars?.SITE_URL) throw new Error(`${where}.SITE_URL is not set`)
  const feedSize = Number(vars.FEED_SIZE ?? 50)
  if (!Number.isInteger(feedSize) || feedSize < 1) throw new Error(`${where}.FEED_SIZE: expected a whole number, got "${vars.FEED_SIZE}"`)
  return { origin: new URL(vars.SITE_URL).origin, feedSize }
}

/** Static-asset files Cloudflare deploys per Worker version: the archive is the Worker's assets. */
export const ASSET_FILE_LIMITS = { free: 20_000, paid: 100_000 } as const

/**
 * What to tell the engineer about the archive's file count, before a deploy refuses it: nothing
 * below 90% of the Free plan's limit. The build cannot know the account's plan, so it warns only.
 */
export function assetCountWarning(files: number): string | undefined {
  const { free, paid } = ASSET_FILE_LIMITS
  const [n, f, p] = [files, free, paid].map((x) => x.toLocaleString('en-US'))
  if (files > paid) return `archive: ${n} files, more than the ${p} static-asset files Cloudflare deploys per Worker version on any plan: this archive cannot be deployed`
  const share = files > free ? 'more than' : files > 0.9 * free ? `${Math.floor((files / free) * 100)}% of` : undefined
  return share && `archive: ${n} files, ${share} the Free plan's ${f} static-asset files per Worker version (the Paid plan allows ${p})`
}

export class ContentProblems extends Error {}

/** Cloudflare deploys no static asset over 25 MiB (on any plan). */
export const ASSET_FILE_BYTES = 25 * 1024 * 1024

/**
 * Refuses an archive wrangler would refuse to deploy, or to serve under `npm run dev` (it exits):
 * a file over ASSET_FILE_BYTES. A story's body is held to 1 MiB by the check, so this is many
 * long stories in one story block or on one feed page. Before the cache records the archive, so
 * the next build checks again.
 */
export function assertDeployableSizes(made: { largest: number; largestPath: string }): void {
  if (made.largest <= ASSET_FILE_BYTES) return
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`
  throw new Error(
    `${ARCHIVE_DIR}/${made.largestPath}: ${mib(made.largest)}, more than the ${mib(ASSET_FILE_BYTES)} Cloudflare deploys as one static asset: ` +
      `the stories in it (a story block, or a feed's first page) are too long together; shorten the longest bodies, or lower FEED_SIZE if it is a feed`,
  )
}

/** Report of a long build on a terminal (one line per stage; nothing per file). */
type Progress = (line: string) => void

export function buildArchive(options: BuildOptions & { progress?: Progress }): Promise<BuildResult> {
  return withBuildLock(options.root, () => build(options))
}

async function build(options: BuildOptions & { progress?: Progress }): Promise<BuildResult> {
  const { root } = options
  const progress = options.progress ?? (() => {})
  const dir = join(root, 'content/articles')
  // Every file is stat'ed unless a watcher says which changed; for a large archive on a second
  // thread, while the cache loads (scripts/folder-stats.mjs).
  const stating = options.changed && !options.clean ? undefined : (options.folderStats ?? (worthAThread(root) ? statArticles(root, options.clean) : undefined))?.catch(() => undefined)
  // esbuild compiles the configuration in its own process while this one loads the cache.
  const configuring = loadConfig(root)
  configuring.catch(() => {})
  const cache = CacheStore.open(root, codeHash(root), options.clean)
  const config = await configuring
  // The site's own files first: a story cannot be resolved against a default author that is not there.
  const configProblems = validateContent({ ...config, articles: [] }, { articleFiles: [] })
  if (configProblems.length > 0) throw new ContentProblems(configProblems.map(formatProblem).join('\n'))
  const stated = await stating
  const listed = stated ? filesOf(stated, isArticleFile) : undefined
  const files = (listed?.names ?? listArticles(root, options.clean).filter(isArticleFile)).map((f) => `content/articles/${f}`)
  const known = cache.knownHashes(root, files, options.clean ? undefined : options.changed, listed)

  // Read, check and render only the modules the cache does not know (each content once). A file
  // whose stat changed is hashed first, in case its content did not (a fresh checkout, a restored
  // cache, a touch) — unless the cache is empty and there are many, as in a clean build: then the
  // build threads hash what they read.
  // `hashes`: each file's content hash by its position in `files`, '' while it is not known.
  const hashes = known.map((h) => h ?? '')
  const unknown: number[] = []
  known.forEach((h, i) => h === undefined && unknown.push(i))
  if (unknown.length <= THREADED_FROM || !cache.empty) {
    if (unknown.length > THREADED_FROM) progress(`build: ${unknown.length} of ${files.length} article modules have another size or mtime than the cache knows; reading them for their content hash`)
    for (const i of unknown) hashes[i] = cache.hash(root, files[i]!, i)
  }
  const seen = new Set<string>()
  const todoAt = hashes.flatMap((hash, i) => (hash === '' || (!cache.has(hash, i) && !seen.has(hash) && seen.add(hash)) ? [i] : []))
  const todo = todoAt.map((i) => files[i]!)
  const positionOf = new Map(todoAt.map((i) => [files[i]!, i]))
  // Feed items are made for the prerender origin: cached stories whose items are for another
  // (the last build was for another environment) have them rendered again, from their records.
  const prerender = prerenderTarget(root, options.env)
  const now = (options.builtAt ?? new Date()).getTime()
  const rerender: Rerender[] = []
  const wanted = new Set<string>()
  // The last build made every story's items for its target's origin (those it processed, and the rest again).
  const sameOrigin = cache.lastArchive?.target?.origin === prerender.origin
  for (const [i, hash] of (sameOrigin ? [] : hashes).entries()) {
    const entry = cache.entry(hash, i)
    if (!entry?.place || entry.items?.origin === prerender.origin || wanted.has(hash)) continue
    wanted.add(hash)
    rerender.push({ hash, meta: entry.meta, place: entry.place })
  }
  if (todo.length > 0) progress(`build: ${todo.length} of ${files.length} article modules changed; checking and rendering them`)
  if (rerender.length > 0) progress(`build: feed items of ${rerender.length} stories for ${prerender.origin}`)
  const own = new Map<string, Problem[]>()
  const failed = new Map<string, StoryMeta>()
  let done = 0
  await processAll(root, todo, rerender, config, cache, { origin: prerender.origin, builtAt: now }, (r) => {
    if (!('file' in r)) {
      const { meta, metaKey, place, page } = cache.entry(r.hash)!
      cache.setEntry(r.hash, { meta, metaKey, place, page, items: r.items })
      return
    }
    const i = positionOf.get(r.file)!
    if (hashes[i] === '') {
      hashes[i] = r.hash
      cache.setHash(r.file, r.hash, i)
    }
    if (r.problems.length > 0) {
      own.set(r.file, r.problems)
      failed.set(r.file, r.meta as StoryMeta)
    } else cache.setEntry(hashes[i]!, { meta: r.meta, place: r.place, page: r.page, items: r.items })
    if (++done % 10_000 === 0) progress(`build: ${done} of ${todo.length} rendered`)
  })

  const problems: Problem[] = own.size === 0 ? [] : files.flatMap((f) => own.get(f) ?? [])
  // Changed articles: previous content hash → new one. When each keeps its meta, and the file list,
  // ledger and index are the same, the layout is the last build's: the archive is revised in place
  // (cache/revise.ts) without reading the other articles' metas at all.
  // A file whose stat the cache knew has the content hash it had (`knownHashes`): only the others can have changed.
  const changed = new Map<string, string>()
  let metasKept = true
  for (const i of unknown) {
    const f = files[i]!
    const was = cache.previousHash(f, i)
    const is = hashes[i]!
    if (was === is) continue
    const [before, after] = [was === undefined ? undefined : cache.entry(was, i), failed.has(f) ? undefined : cache.entry(is, i)]
    if (!before || !after || before.metaKey !== after.metaKey) metasKept = false
    else if (was !== undefined) changed.set(was, is)
  }
  const metaOf = (f: string, i: number): StoryMeta => failed.get(f) ?? cache.entry(hashes[i]!, i)?.meta ?? { tags: [] }
  // The rules between articles read the file list, the ledger, the index and each article's id,
  // slug and tags: when none of those changed since they last passed, they pass again.
  const checked = sourceHash([files.join('\n'), cache.inputHash(root, LEDGER), cache.inputHash(root, `content/articles/${ARTICLE_INDEX}`)].join(' '))
  const same = (a: StoryMeta | undefined, b: StoryMeta) => a !== undefined && a.id === b.id && a.slug === b.slug && a.tags.join('\n') === b.tags.join('\n')
  const unchanged = cache.lastArchive?.checked === checked && (metasKept || files.every((f, i) => hashes[i] === cache.previousHash(f, i) || same(cache.entry(cache.previousHash(f, i) ?? '', i)?.meta, metaOf(f, i))))
  if (!unchanged) {
    if (!articleIndexIsCurrent(dir)) {
      problems.push({ file: 'content/articles/index.ts', field: '(index)', message: 'does not list exactly the files in content/articles/; run `npm run index`' })
    }
    problems.push(...collectionProblems(config, files, files.map(metaOf), readLedger(root), LEDGER))
  }
  if (problems.length > 0) {
    cache.save()
    throw new ContentProblems(problems.map(formatProblem).join('\n'))
  }

  const archiveDir = join(root, ARCHIVE_DIR)
  const manifestText = readIfExists(join(archiveDir, paths.manifest))
  const last = cache.archive(manifestText)
  if (metasKept && last && manifestText !== undefined && last.checked === checked) {
    progress('build: revising the archive in place')
    const revised = await reviseArchive({ dir: archiveDir, cache, previous: last, manifestText, changed, prerender, now, checked })
    if (revised) {
      const { made } = revised
      assertDeployableSizes(made)
      cache.setArchive(revised.state)
      cache.save()
      return { manifest: revised.manifest, files: made.count, bytes: made.bytes, largestFile: made.largest, dir: archiveDir, written: revised.written, processed: todo.length, articles: files.length, revised: true }
    }
  }

  const index = catalogue(config, files.map((f, i) => ({ hash: hashes[i]!, meta: metaOf(f, i) })))
  // From the first write on, the archive is not the one the state describes.
  cache.forgetArchive()
  const staging = new Staging(archiveDir, last)
  const previous = staging.previous
  const state: Omit<ArchiveState, 'manifest' | 'files'> = { blocks: [], feeds: [], blockFiles: {}, checked, stories: [...index.stories].reverse().map((s) => s.hash), shown: [], target: prerender }

  const entries = (stories: readonly CatalogueStory[]) => stories.map((s) => cache.entry(s.hash)!)
  // A block is kept when the last build wrote it with the same stories (by content hash). Otherwise
  // it, and the pages file beside it, are put in place as the bytes the packs hold, the records (or
  // pages) one after the other: no text is made of them (1.4 GB at 100,000 stories).
  const blocks: BlockMaker<CatalogueStory> = {
    reused(n, stories) {
      const key = blockKey(stories.map((s) => s.hash))
      state.blocks[n] = key
      return previous?.blocks[n] === key && staging.keep(paths.block(n)) ? previous.files[paths.block(n)]!.digest : undefined
    },
    put: (n, stories) => staging.put(paths.block(n), undefined, (alloc) => cache.joinedBytes(entries(stories), 'place', alloc)),
    // Named by its inputs' key (reuse.blockFile), as every file beside a block.
    putPages: async (n, stories) => void (await staging.put(paths.pages(n), state.blockFiles[paths.pages(n)], (alloc) => cache.joinedBytes(entries(stories), 'page', alloc))),
    // Items as each story's processing rendered them: the layout only joins them.
    items: (stories, origin) => cache.itemsText(entries(stories), origin),
    // Named by its stories' key, as a block's neighbours are by theirs: kept when the last build wrote the same.
    putChunk: async (path, stories) => void (await staging.put(path, chunkKey(stories.map((s) => s.hash)), (alloc) => cache.joinedBytes(entries(stories), 'place', alloc))),
  }
  const formats = Object.keys(FORMATS) as Format[]
  let names: [Manifest, string] | undefined
  const reuse: Reuse<CatalogueStory> = {
    feeds(n, meta, stories) {
      const shown = stories.slice(0, shownCount(meta, prerender.feedSize)).map((s) => s.hash)
      const key = feedKey(meta, index.site, prerender, meta.head.filter((t) => t > now).length, shown)
      state.feeds[n] = key
      state.shown![n] = shown
      return previous?.feeds[n] === key && formats.every((f) => previous.files[paths.feed(n, f)]) && formats.every((f) => staging.keep(paths.feed(n, f)))
    },
    blockFile(path, n, _stories, manifest) {
      if (names?.[0] !== manifest) names = [manifest, listingNames(manifest)]
      const key = blockFileKey(path, state.blocks[n]!, manifest.site, names[1], prerender.origin)
      state.blockFiles[path] = key
      return previous?.blockFiles?.[path] === key && staging.keep(path)
    },
  }
  progress('build: writing the archive')
  const builtAt = new Date(now)
  // A file beside a block is named by its inputs' key (reuse.blockFile), not hashed again: gigabytes at 100,000 stories.
  const sink = (path: string, text: string, digest?: string) => staging.sink(path, text, digest ?? state.blockFiles[path])
  const manifest = await layoutArchive(index, { builtAt, prerender }, sink, staging.read, blocks, reuse)
  const made = await staging.finish()
  assertDeployableSizes(made)
  cache.setArchive({ ...state, files: made.files, manifest: sourceHash(JSON.stringify(manifest)) })
  cache.save()
  return { manifest, files: made.count, bytes: made.bytes, largestFile: made.largest, dir: archiveDir, written: staging.written, processed: todo.length, articles: files.length, revised: false }
}
