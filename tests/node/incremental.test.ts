/**
 * The incremental build (scripts/lib/cache/): after any change to the content or the code's
 * configuration, a build from the cache writes exactly the archive a clean build writes, byte for
 * byte, and does only the work the change needs. Two copies of one newsroom get the same edits:
 * one is always built from its cache, the other from nothing (and in build threads). Both render
 * article pages and feed items story by story where each story is processed; the clean one is also
 * held to the Worker's own compilation of the whole collection at once (compileToMap), which
 * renders them over the whole archive.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildArchive, prerenderTarget, type BuildResult } from '../../scripts/lib/build'
import { loadContent } from '../../scripts/lib/load-content'
import { compileToMap } from '../../src/build/compile'
import { isArticleFile, writeArticleIndex } from '../../scripts/lib/article-index'
import { statFolder } from '../../scripts/folder-stats.mjs'
import { contentWorkspace } from './helpers/workspace'

const T0 = Date.parse('2025-06-01T12:00:00Z')
const HOUR = 3600_000

/**
 * Article i: ten minutes apart, tags shared across articles, one tag only article 3 has, and one
 * on every eighth from article 5 on, sparse enough for chunks of its own (src/archive/format.ts
 * `isSparse`); every other one by two authors, one with a homepage; 160 of them fill
 * five story blocks and overflow a first feed page.
 */
function source(i: number, overrides: Record<string, unknown> = {}): string {
  const article = {
    id: `tag:herald.example.com,2024:gen-${i}`,
    slug: `gen-${i}`,
    headline: `Generated story ${i}`,
    dek: `What happened in story ${i}.`,
    section: 'news',
    tags: [`Topic ${i % 3}`, ...(i === 3 ? ['Only Three'] : []), ...(i % 8 === 5 ? ['Sparse'] : [])],
    // A second author, with a homepage: the build threads render against a frame of every author (stories.ts).
    ...(i % 2 === 0 ? { authors: ['ana', 'newsroom'] } : {}),
    published: new Date(T0 - 48 * HOUR + i * 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    timeZone: 'UTC',
    body: `Paragraph one of story ${i}, with [a link](/articles/gen-${Math.max(0, i - 1)}).\n\nParagraph two.`,
    ...overrides,
  }
  return `import { defineArticle } from '../define'\n\nexport default defineArticle(${JSON.stringify(article, null, 2)} as const)\n`
}

type Workspace = ReturnType<typeof contentWorkspace>

/** The newsroom and a second author `source` credits. */
function writeAuthors(ws: Workspace): void {
  writeFileSync(
    join(ws.root, 'content/authors.ts'),
    `import type { Author } from '../src/content/article'\n\nexport default {\n  newsroom: { name: 'Herald Newsroom' },\n  ana: { name: 'Ana Reporter', url: 'https://ana.example/' },\n} as const satisfies Record<string, Author>\n`,
  )
}
const ledger = (ws: Workspace) => join(ws.root, 'content/ledger.json')
const article = (ws: Workspace, file: string) => join(ws.root, 'content/articles', file)

/** Writes, renames or deletes article files in a workspace, keeping its index and ledger current. */
function change(ws: Workspace, edit: (ws: Workspace) => void): void {
  edit(ws)
  writeArticleIndex(join(ws.root, 'content/articles'))
  const entries: Record<string, string> = {}
  for (const f of readdirSync(join(ws.root, 'content/articles')).filter((f) => f !== 'index.ts')) {
    entries[`content/articles/${f}`] = /"?id"?: ['"]([^'"]+)['"]/.exec(readFileSync(article(ws, f), 'utf8'))![1]!
  }
  writeFileSync(ledger(ws), JSON.stringify(entries, null, 1))
}

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name))
      else out.set(relative(dir, join(d, e.name)), readFileSync(join(d, e.name), 'utf8'))
    }
  }
  walk(dir)
  return out
}

let cached: Workspace
let clean: Workspace

/**
 * Builds both copies as of `builtAt`; returns the cached build's report after checking the archives
 * are identical. The cached one is handed its folder's stats taken on a thread, as `npm run build`
 * does for a large archive (scripts/folder-stats.mjs); the clean one stats its files itself.
 */
async function buildBoth(builtAt: number, env?: string): Promise<BuildResult> {
  const result = await buildArchive({ root: cached.root, builtAt: new Date(builtAt), env, folderStats: statFolder(join(cached.root, 'content/articles')) })
  rmSync(join(clean.root, '.herald'), { recursive: true, force: true })
  process.env.HERALD_BUILD_THREADS = '2'
  try {
    await buildArchive({ root: clean.root, builtAt: new Date(builtAt), env })
  } finally {
    delete process.env.HERALD_BUILD_THREADS
  }
  const [a, b] = [tree(join(cached.root, '.herald/archive')), tree(join(clean.root, '.herald/archive'))]
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort())
  for (const [path, text] of a) expect(text, path).toBe(b.get(path))
  const whole = await compileToMap(await loadContent(clean.root), { builtAt: new Date(builtAt), prerender: prerenderTarget(clean.root, env) })
  expect([...whole.keys()].sort()).toEqual([...b.keys()].sort())
  for (const [path, text] of whole) expect(b.get(path), `${path}, as the whole collection compiles`).toBe(text)
  return result
}

const both = (edit: (ws: Workspace) => void) => [cached, clean].forEach((ws) => change(ws, edit))

beforeAll(() => {
  ;[cached, clean] = [contentWorkspace(), contentWorkspace()]
  both((ws) => {
    copyFileSync('wrangler.toml', join(ws.root, 'wrangler.toml'))
    writeAuthors(ws)
    for (let i = 0; i < 160; i++) writeFileSync(article(ws, `gen-${i}.ts`), source(i))
    writeFileSync(article(ws, 'draft.ts'), source(190, { draft: true }))
    // Scheduled: published an hour after the first build.
    writeFileSync(article(ws, 'scheduled.ts'), source(191, { published: new Date(T0 + HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z') }))
  })
})

afterAll(() => {
  cached?.cleanup()
  clean?.cleanup()
})

describe('a build from the cache', () => {
  it('is the clean build: first build, then a rebuild with nothing changed, which renders nothing', async () => {
    const first = await buildBoth(T0)
    expect(first.processed).toBe(first.articles)
    expect(first.revised).toBe(false)
    // The sparse tag's stories are copied into a chunk: the edits below are held to it too.
    expect(readdirSync(join(cached.root, '.herald/archive/chunks'))).toHaveLength(1)
    const again = await buildBoth(T0)
    expect(again.processed).toBe(0)
    expect(again.revised).toBe(true)
    // The manifest (written twice: before and after the feeds), nothing else.
    expect(again.written).toBeLessThanOrEqual(2)
  })

  it('after an edit renders that article only and rewrites only the files it touches (its sparse tag\'s chunk among them)', async () => {
    both((ws) => writeFileSync(article(ws, 'gen-5.ts'), source(5, { body: 'A corrected body.' })))
    const r = await buildBoth(T0)
    expect(r.processed).toBe(1)
    expect(r.written).toBeLessThan(r.files / 2)
    // Its meta is as it was: the archive is revised in place, the layout not made again.
    expect(r.revised).toBe(true)
  })

  it('after a headline edit of the newest story (in every first feed page it is on)', async () => {
    both((ws) => writeFileSync(article(ws, 'gen-159.ts'), source(159, { headline: 'A corrected headline' })))
    const r = await buildBoth(T0)
    expect(r.processed).toBe(1)
    expect(r.revised).toBe(true)
  })

  it('after a withdrawal (the story keeps its place; the manifest lists it)', async () => {
    both((ws) => writeFileSync(article(ws, 'gen-20.ts'), source(20, { withdrawn: { at: new Date(T0 - HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z'), reason: 'Withdrawn for the test.' } })))
    const r = await buildBoth(T0)
    expect(r.processed).toBe(1)
    // A withdrawal changes the story's meta (the manifest lists it): laid out again.
    expect(r.revised).toBe(false)
    expect(readFileSync(join(cached.root, '.herald/archive/manifest.json'), 'utf8')).toContain('Withdrawn for the test.')
  })

  it('after a deletion, including of the only story with a tag (a listing goes, later ones renumber)', async () => {
    both((ws) => rmSync(article(ws, 'gen-3.ts')))
    expect((await buildBoth(T0)).processed).toBe(0)
  })

  it('after a rename, rendering nothing', async () => {
    both((ws) => renameSync(article(ws, 'gen-7.ts'), article(ws, 'renamed-seven.ts')))
    expect((await buildBoth(T0)).processed).toBe(0)
  })

  it('after a new story, older than others (every later story number moves)', async () => {
    both((ws) => writeFileSync(article(ws, 'gen-205.ts'), source(205, { published: new Date(T0 - 47 * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z') })))
    expect((await buildBoth(T0)).processed).toBe(1)
  })

  it('when a scheduled story goes live: nothing re-read, the build time alone moves', async () => {
    const r = await buildBoth(T0 + 2 * HOUR)
    expect(r.processed).toBe(0)
    const manifest = JSON.parse(readFileSync(join(cached.root, '.herald/archive/manifest.json'), 'utf8')) as { listings: { head: number[] }[] }
    expect(manifest.listings[0]!.head.length).toBeGreaterThan(0)
  })

  it('for another environment (other prerender origin), then back', async () => {
    expect((await buildBoth(T0 + 2 * HOUR, 'production')).processed).toBe(0)
    expect((await buildBoth(T0 + 2 * HOUR)).processed).toBe(0)
  })

  it('after a change to the configuration that shapes output (a section, the site): every story again', async () => {
    both((ws) => {
      const file = join(ws.root, 'content/site.ts')
      writeFileSync(file, readFileSync(file, 'utf8').replace(/title: '([^']+)'/, "title: '$1 Daily'"))
    })
    const r = await buildBoth(T0 + 2 * HOUR)
    expect(r.processed).toBe(r.articles)
    expect(readFileSync(join(cached.root, '.herald/archive/manifest.json'), 'utf8')).toContain(' Daily')
  })

  it('after the cache is deleted, or its archive replaced by another', async () => {
    rmSync(join(cached.root, '.herald/cache'), { recursive: true })
    expect((await buildBoth(T0 + 2 * HOUR)).processed).toBeGreaterThan(0)
    writeFileSync(join(cached.root, '.herald/archive/manifest.json'), '{}')
    await buildBoth(T0 + 2 * HOUR)
  })

  it('names file and field of a content mistake in a cached build, and keeps the last archive', async () => {
    const before = readFileSync(join(cached.root, '.herald/archive/manifest.json'), 'utf8')
    change(cached, (ws) => writeFileSync(article(ws, 'gen-9.ts'), source(9, { section: 'nonexistent' })))
    await expect(buildArchive({ root: cached.root, builtAt: new Date(T0 + 2 * HOUR) })).rejects.toThrow('content/articles/gen-9.ts: section: "nonexistent" is not a key of content/sections.ts')
    // A slug taken twice is a rule between articles: still checked when only one of them changed.
    change(cached, (ws) => writeFileSync(article(ws, 'gen-9.ts'), source(9, { slug: 'gen-8' })))
    await expect(buildArchive({ root: cached.root, builtAt: new Date(T0 + 2 * HOUR) })).rejects.toThrow('content/articles/gen-9.ts: slug: "gen-8" is already used by content/articles/gen-8.ts')
    // An article is cached by its own text, so it may not read another article's file.
    change(cached, (ws) => writeFileSync(article(ws, 'gen-9.ts'), `import other from './gen-8'\n\nexport default { ...other, id: 'tag:herald.example.com,2024:gen-9', slug: 'gen-9' }\n`))
    await expect(buildArchive({ root: cached.root, builtAt: new Date(T0 + 2 * HOUR) })).rejects.toThrow('content/articles/gen-9.ts: (module): imports ./gen-8: an article may import only files outside content/articles/')
    expect(readFileSync(join(cached.root, '.herald/archive/manifest.json'), 'utf8')).toBe(before)
  })

  it('folds a journal past its limit into a new state, an article with a mistake included, and builds from that state as before', async () => {
    // 20,000 lines, the limit (store.ts): word of a file no build sees, which the fold leaves out.
    const journal = join(cached.root, '.herald/cache/journal.jsonl')
    writeFileSync(journal, `${JSON.stringify(['f', 'content/articles/gone.ts', 1, 1, ''])}\n`.repeat(20_000), { flag: 'a' })
    const state = join(cached.root, '.herald/cache/state.bin')
    const before = readFileSync(state)
    // The build that stops on a content mistake still saves what it learnt: the fold writes the
    // state with that file's hash and no entry for it.
    change(cached, (ws) => writeFileSync(article(ws, 'gen-9.ts'), source(9, { section: 'nonexistent' })))
    await expect(buildArchive({ root: cached.root, builtAt: new Date(T0 + 2 * HOUR) })).rejects.toThrow('content/articles/gen-9.ts: section:')
    expect(existsSync(journal)).toBe(false)
    expect(readFileSync(state).equals(before)).toBe(false)
    expect(readFileSync(state).includes('gone.ts')).toBe(false)
    change(cached, (ws) => writeFileSync(article(ws, 'gen-9.ts'), source(9)))
    expect((await buildBoth(T0 + 2 * HOUR)).processed).toBe(1)
    expect((await buildBoth(T0 + 2 * HOUR)).processed).toBe(0)
  })

  it('reads the ledger again when its size or mtime is not the last build\'s, even with an mtime older than that build', async () => {
    change(cached, (ws) => writeFileSync(article(ws, 'gen-9.ts'), source(9)))
    await buildArchive({ root: cached.root, builtAt: new Date(T0 + 2 * HOUR) })
    const text = readFileSync(ledger(cached), 'utf8')
    writeFileSync(ledger(cached), text.replace('"tag:herald.example.com,2024:gen-9"', '"tag:herald.example.com,2024:gen-9-renamed"'))
    utimesSync(ledger(cached), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'))
    await expect(buildArchive({ root: cached.root, builtAt: new Date(T0 + 2 * HOUR) })).rejects.toThrow('content/articles/gen-9.ts: id: was tag:herald.example.com,2024:gen-9-renamed when first published')
    change(cached, () => {})
    await buildArchive({ root: cached.root, builtAt: new Date(T0 + 2 * HOUR) })
  })
})

describe('a build from a cache restored into a fresh checkout', () => {
  it('reads each module whose mtime is new only for its content hash, and renders none of them: the archive is the one it had', async () => {
    const ws = contentWorkspace()
    try {
      // More modules than a build hands to its threads (400): a clean build's threads hash what they read.
      change(ws, (w) => {
        copyFileSync('wrangler.toml', join(w.root, 'wrangler.toml'))
        writeAuthors(w)
        for (let i = 0; i < 450; i++) writeFileSync(article(w, `gen-${i}.ts`), source(i))
      })
      const builtAt = new Date(T0 + HOUR)
      const modules = readdirSync(join(ws.root, 'content/articles')).filter(isArticleFile).length
      expect((await buildArchive({ root: ws.root, builtAt })).processed).toBe(modules)
      const before = tree(join(ws.root, '.herald/archive'))
      // A checkout writes every file anew: same content, every mtime later than the cache's.
      const later = new Date(Date.now() + 60_000)
      for (const f of readdirSync(join(ws.root, 'content/articles'))) utimesSync(article(ws, f), later, later)
      const result = await buildArchive({ root: ws.root, builtAt })
      expect(result.processed).toBe(0)
      expect(result.revised).toBe(true)
      const after = tree(join(ws.root, '.herald/archive'))
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
      for (const [path, text] of before) expect(after.get(path), path).toBe(text)
    } finally {
      ws.cleanup()
    }
  })
})
