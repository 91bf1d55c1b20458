/**
 * The baseline of the build section: Hugo (Debian's package, installed on first use) building the
 * same generated articles (workspace.ts `benchArticle`) written as Hugo Markdown with front
 * matter, in one section, tagged alike, with Hugo's built-in RSS for home, section, tags and each
 * tag (`services.rss.limit = 50`, Herald's feed size). Two sites over one content folder: RSS only
 * (no page rendered; what Herald's archive build compares to), and RSS plus every HTML page.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ensureDebianPackage } from './apt'
import { benchArticle } from './workspace'

export function ensureHugo(): void {
  ensureDebianPackage('hugo', '/usr/bin/hugo')
}

export function hugoVersion(): string {
  return execFileSync('hugo', ['version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ')
}

/** Article i as Hugo Markdown: JSON strings are valid YAML scalars. */
function markdown(i: number): string {
  const a = benchArticle(i)
  return [
    '---',
    `title: ${JSON.stringify(a.headline)}`,
    `date: ${a.published}`,
    `slug: ${a.slug}`,
    `description: ${JSON.stringify(a.dek)}`,
    `tags: ${JSON.stringify(a.tags)}`,
    '---',
    '',
    a.body,
    '',
  ].join('\n')
}

const CONFIG = (full: boolean) => `baseURL = 'https://herald.example.com/'
title = 'Herald'
languageCode = 'en'
disableKinds = ['sitemap', 'robotsTXT', '404']
paginate = 50
[services.rss]
  limit = 50
[taxonomies]
  tag = 'tags'
[outputs]
  home = [${full ? "'html', " : ''}'rss']
  section = [${full ? "'html', " : ''}'rss']
  taxonomy = [${full ? "'html', " : ''}'rss']
  term = [${full ? "'html', " : ''}'rss']
${full ? '' : `# RSS only: pages are listed in the feeds but not rendered as pages of their own.
[[cascade]]
  [cascade._build]
    render = 'never'
    list = 'always'
  [cascade._target]
    kind = 'page'
`}`

const SINGLE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><article><h1>{{ .Title }}</h1><p>{{ .Description }}</p>{{ .Content }}</article></body></html>\n'
const LIST = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1><ul>{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Description }}</li>{{ end }}</ul>{{ template "_internal/pagination.html" . }}</body></html>\n'

export interface HugoSites {
  /** `hugo` there builds the RSS-only site. */
  rss: string
  /** `hugo` there builds RSS and every HTML page. */
  full: string
}

/** bench/work/hugo-<n>/: the content once (reused while present and complete), and the two sites over it. */
export function hugoSites(n: number): HugoSites {
  const root = resolve('bench/work', `hugo-${n}`)
  const content = join(root, 'content')
  const done = join(root, 'generated.txt')
  if (!existsSync(done) || readFileSync(done, 'utf8') !== String(n)) {
    rmSync(root, { recursive: true, force: true })
    mkdirSync(join(content, 'news'), { recursive: true })
    for (let i = 0; i < n; i++) writeFileSync(join(content, 'news', `bench-${i}.md`), markdown(i))
    writeFileSync(done, String(n))
  }
  const site = (name: string, full: boolean) => {
    const dir = join(root, name)
    mkdirSync(join(dir, 'layouts/_default'), { recursive: true })
    writeFileSync(join(dir, 'hugo.toml'), CONFIG(full))
    if (full) {
      writeFileSync(join(dir, 'layouts/_default/single.html'), SINGLE)
      writeFileSync(join(dir, 'layouts/_default/list.html'), LIST)
    }
    if (!existsSync(join(dir, 'content'))) symlinkSync(content, join(dir, 'content'))
    return dir
  }
  return { rss: site('rss', false), full: site('full', true) }
}
