/**
 * The build step (`npm run build`, run by wrangler before dev, deploy and the dry run): content
 * mistakes fail it with the file and field named and leave the last good archive in place, and the
 * deploy bundle carries code only — the stories travel as static assets.
 */
import { AP_BATCH_SIZE, HUB_BATCH_SIZE } from '../../src/limits'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ASSET_FILE_BYTES, assertDeployableSizes, assetCountWarning } from '../../scripts/lib/build'
import { filesOf, listArticles, LISTING, statArticles, statFolder } from '../../scripts/folder-stats.mjs'
import { isArticleFile } from '../../scripts/lib/article-index'
import { contentWorkspace } from './helpers/workspace'

const WRANGLER = resolve('node_modules/wrangler/bin/wrangler.js')
const ARTICLE = 'content/articles/fleeing-fear-central-asians-exit-russia.ts'

/** `npm run build`'s command: the launcher, which bundles scripts/build-archive.ts once per version of the code. */
const build = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [resolve('scripts/build.mjs'), ...args], { cwd, encoding: 'utf8' })

/** A copy of the newsroom with this repository's wrangler.toml, removed after `run`. */
function inWorkspace(run: (ws: ReturnType<typeof contentWorkspace>) => void): void {
  const ws = contentWorkspace()
  try {
    copyFileSync('wrangler.toml', join(ws.root, 'wrangler.toml'))
    run(ws)
  } finally {
    ws.cleanup()
  }
}

describe('npm run build', () => {
  it('writes the archive, and on a content mistake exits 1 naming file and field, keeping the last good archive', () => {
    inWorkspace((ws) => {
      const ok = build(ws.root)
      expect(ok.status, ok.stderr).toBe(0)
      expect(ok.stdout).toMatch(/archive: 1 stories, \d+ listings, \d+ files .* feeds prerendered for http:\/\/localhost:8787/)
      // Far below Cloudflare's static-asset limits: no warning (the warnings themselves: below).
      expect(ok.stderr).not.toContain('static-asset files')
      const manifest = join(ws.root, '.herald/archive/manifest.json')
      // wrangler.toml's [env.production.build] passes --env: feeds prerendered for production's SITE_URL.
      expect(build(ws.root, '--env', 'production').status).toBe(0)
      expect(JSON.parse(readFileSync(manifest, 'utf8')).prerendered).toMatchObject({ origin: 'https://herald.example.com', feedSize: 50 })
      const before = readFileSync(manifest, 'utf8')
      expect(JSON.parse(before).stories).toBe(1)

      const file = join(ws.root, ARTICLE)
      writeFileSync(file, readFileSync(file, 'utf8').replace("section: 'news'", "section: 'nonexistent'"))
      const bad = build(ws.root)
      expect(bad.status).toBe(1)
      expect(bad.stderr).toContain(`${ARTICLE}: section:`)
      expect(bad.stderr).toContain('nothing was built')
      expect(readFileSync(manifest, 'utf8')).toBe(before)
    })
  })
})

describe('a module that does not load', () => {
  it('is named with its line, and is not also told that its id changed or is missing from the ledger', () => {
    inWorkspace((ws) => {
      const file = join(ws.root, ARTICLE)
      const source = readFileSync(file, 'utf8')
      for (const broken of [source.replace("  slug: 'fleeing", "  slug: 'fleeing',,"), source.replace('export default', "throw new Error('boom')\nexport default"), source.replace('export default defineArticle(', 'export default 42; const _ = (')]) {
        writeFileSync(file, broken)
        const bad = build(ws.root)
        expect(bad.status).toBe(1)
        expect(bad.stderr).toMatch(new RegExp(`^${ARTICLE}: \\((module|article)\\): `, 'm'))
        expect(bad.stderr).not.toContain('an id never changes')
        expect(bad.stderr).not.toContain('is not in content/ledger.json')
      }
    })
  })
})

describe('a mistake in the configuration', () => {
  it('is named by file and field, not thrown from the stories it leaves unresolved (the default author renamed)', () => {
    inWorkspace((ws) => {
      const authors = join(ws.root, 'content/authors.ts')
      writeFileSync(authors, readFileSync(authors, 'utf8').replace('  newsroom: {', '  desk: {'))
      const bad = build(ws.root)
      expect(bad.status).toBe(1)
      expect(bad.stderr).toContain('content/site.ts: defaultAuthor: "newsroom" is not a key of content/authors.ts')
      expect(bad.stderr).toContain('nothing was built')
    })
  })
})

describe("the archive's file count against Cloudflare's static-asset limits", () => {
  // An archive grows by about one file per eight stories of the bench's content (13,255 at 100,000, with its sparse tags' chunks).
  it('is silent below 90% of the Free plan, warns from there, and says when no plan can deploy it', () => {
    expect(assetCountWarning(18_000)).toBeUndefined()
    expect(assetCountWarning(19_974)).toBe("archive: 19,974 files, 99% of the Free plan's 20,000 static-asset files per Worker version (the Paid plan allows 100,000)")
    expect(assetCountWarning(20_001)).toBe("archive: 20,001 files, more than the Free plan's 20,000 static-asset files per Worker version (the Paid plan allows 100,000)")
    expect(assetCountWarning(100_001)).toContain('this archive cannot be deployed')
  })

  // wrangler refuses a file over 25 MiB at deploy, and `npm run dev` exits on it, naming no article:
  // the build fails instead, naming the file (one story's body is held to 1 MiB by the check).
  it('fails the build on a file over 25 MiB, naming it', () => {
    expect(() => assertDeployableSizes({ largest: ASSET_FILE_BYTES, largestPath: 'stories/0.txt' })).not.toThrow()
    expect(() => assertDeployableSizes({ largest: ASSET_FILE_BYTES + 1, largestPath: 'stories/0.txt' })).toThrow(
      '.herald/archive/stories/0.txt: 25.0 MiB, more than the 25.0 MiB Cloudflare deploys as one static asset',
    )
  })
})

describe("the article folder's listing and stats, taken on a thread while the cache loads", () => {
  it('are what the build would stat itself, article files only, in name order; a folder that cannot be listed rejects', async () => {
    const ws = contentWorkspace()
    try {
      const dir = join(ws.root, 'content/articles')
      writeFileSync(join(dir, 'b-second.ts'), 'export default 2\n')
      writeFileSync(join(dir, 'a-first.ts'), 'export default 1\n')
      writeFileSync(join(dir, 'notes.d.ts'), 'export {}\n')
      // More files than one claim of the two threads that stat them (512).
      for (let i = 0; i < 1100; i++) writeFileSync(join(dir, `gen-${i}.ts`), `export default ${'x'.repeat(i % 7)}\n`)
      const listed = filesOf(await statFolder(dir), isArticleFile)
      const expected = readdirSync(dir).filter(isArticleFile).sort()
      expect(listed.names).toEqual(expected)
      expect(listed.names).not.toContain('index.ts')
      expect(listed.names).not.toContain('notes.d.ts')
      expected.forEach((name, i) => {
        const stat = statSync(join(dir, name))
        expect([listed.sizes[i], listed.mtimes[i]]).toEqual([stat.size, stat.mtimeMs])
      })
      await expect(statFolder(join(ws.root, 'no-such-folder'))).rejects.toThrow()
    } finally {
      ws.cleanup()
    }
  })

  it('reuses the listing the last build kept while the folder\'s mtime says no entry came or went, and lists again when one did', async () => {
    const ws = contentWorkspace()
    try {
      const dir = join(ws.root, 'content/articles')
      const listing = join(ws.root, LISTING)
      mkdirSync(dirname(listing), { recursive: true })
      const names = () => readdirSync(dir).sort()
      const past = new Date('2020-01-01T00:00:00Z')
      utimesSync(dir, past, past)
      expect((await statFolder(dir, listing)).names).toEqual(names())
      // The kept listing is what the next build gets: prove it by keeping one without index.ts.
      const kept = readFileSync(listing, 'utf8')
      const [header] = kept.split('\n')
      writeFileSync(listing, `${header}\n${JSON.stringify(names().filter((n) => n !== 'index.ts'))}`)
      expect((await statFolder(dir, listing)).names).not.toContain('index.ts')
      // A new file moves the folder's mtime: listed again, and kept again.
      writeFileSync(join(dir, 'new-story.ts'), 'export default 3\n')
      expect((await statFolder(dir, listing)).names).toEqual(names())
      expect(readFileSync(listing, 'utf8')).toContain('new-story.ts')
      // A listing taken within 2 s of the folder's last change is not trusted (a change in the same clock tick keeps the mtime).
      writeFileSync(listing, `${readFileSync(listing, 'utf8').split('\n')[0]}\n${JSON.stringify(['index.ts'])}`)
      expect((await statFolder(dir, listing)).names).toEqual(names())
      // A clean build trusts none.
      utimesSync(dir, past, past)
      await statFolder(dir, listing)
      writeFileSync(listing, `${readFileSync(listing, 'utf8').split('\n')[0]}\n${JSON.stringify(['index.ts'])}`)
      expect((await statFolder(dir, listing)).names).toEqual(['index.ts'])
      expect((await statArticles(ws.root, true)).names).toEqual(names())
      // A build without the thread lists on its own thread by the same rule, and keeps what it listed.
      writeFileSync(listing, `${readFileSync(listing, 'utf8').split('\n')[0]}\n${JSON.stringify(['index.ts'])}`)
      expect(listArticles(ws.root)).toEqual(['index.ts'])
      expect(listArticles(ws.root, true)).toEqual(names())
      expect(JSON.parse(readFileSync(listing, 'utf8').split('\n')[1]!)).toEqual(names())
    } finally {
      ws.cleanup()
    }
  })
})

describe('the deploy bundle', () => {
  it('holds the code and no article text; the archive holds the stories', () => {
    const out = mkdtempSync(join(resolve('test-results'), 'dry-run-'))
    try {
      execFileSync(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', out], { stdio: 'pipe', env: { ...process.env, CI: 'true' } })
      const bundle = readdirSync(out).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n')
      expect(bundle).toContain('manifest.json')
      // A sentence of the real article's body, and its headline.
      const source = readFileSync(ARTICLE, 'utf8')
      const headline = /headline: '([^']+)'/.exec(source)![1]!
      expect(bundle).not.toContain(headline)
      const archive = resolve('.herald/archive')
      expect(existsSync(join(archive, 'manifest.json'))).toBe(true)
      const blocks = readdirSync(join(archive, 'stories')).map((f) => readFileSync(join(archive, 'stories', f), 'utf8')).join('')
      expect(blocks).toContain(headline)
      expect(statSync(join(archive, 'manifest.json')).size).toBeLessThan(64 * 1024)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})

describe("wrangler.toml's queue consumers", () => {
  it('take the batch sizes whose subrequests tests/worker/budget.test.ts counts (src/limits.ts), in every environment', () => {
    const toml = readFileSync('wrangler.toml', 'utf8')
    const consumers = [...toml.matchAll(/\[\[(?:env\.production\.)?queues\.consumers\]\]\nqueue = "([^"]+)"\nmax_batch_size = (\d+)/g)].map((m) => [m[1], Number(m[2])])
    expect(consumers).toHaveLength(8)
    for (const [queue, size] of consumers) expect(size, queue as string).toBe(String(queue).startsWith('herald-hub') ? HUB_BATCH_SIZE : AP_BATCH_SIZE)
  })
})
