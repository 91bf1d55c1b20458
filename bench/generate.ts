/**
 * Generation: the time to build each format with `feed` and Herald's adapter, for the latest 50
 * and for a full archive page, against a minimal string-building baseline that writes the same
 * items without any escaping (what the anti-pattern "XML from template literals" costs).
 */
import { Archive } from '../src/archive/archive'
import { compileToMap } from '../src/build/compile'
import { pageOf } from '../src/feeds/paging'
import { renderFeed } from '../src/feeds/render'
import realContent from '../content/index'
import type { Format } from '../src/feeds/build'
import { benchArticle } from './lib/workspace'
import { fmt, median, table } from './lib/stats'

const ITERATIONS = 40

function time(fn: () => string): { ms: number; bytes: number } {
  let bytes = 0
  for (let i = 0; i < 5; i++) bytes = fn().length // warm up
  const samples: number[] = []
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now()
    fn()
    samples.push(performance.now() - t0)
  }
  return { ms: median(samples), bytes }
}

export async function generationBench(): Promise<string> {
  const content = { ...realContent, articles: Array.from({ length: 1000 }, (_, i) => benchArticle(i)) }
  // As the Worker has it: item HTML rendered at build time, stories read from the archive.
  const files = await compileToMap(content, { builtAt: new Date() })
  const collection = await Archive.open(async (path) => files.get(path), 'https://herald.example.com')
  const now = Date.now()
  const first = await pageOf(collection.home, { kind: 'first' }, 50, now)
  const archive = await pageOf(collection.home, { kind: 'before', anchor: await collection.home.anchorAt(499) }, 50, now)

  const baseline = (format: Format, stories: typeof first.stories) => {
    if (format === 'json') {
      return JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Herald', items: stories.map((s) => ({ id: s.id, url: s.url, title: s.headline, content_html: s.html, summary: s.dek, date_published: s.published.toISOString() })) })
    }
    const items = stories.map((s) =>
      format === 'rss'
        ? `<item><title>${s.headline}</title><link>${s.url}</link><guid>${s.id}</guid><pubDate>${s.published.toUTCString()}</pubDate><description>${s.dek}</description><content:encoded><![CDATA[${s.html}]]></content:encoded></item>`
        : `<entry><title>${s.headline}</title><id>${s.id}</id><link href="${s.url}"/><updated>${s.updated.toISOString()}</updated><summary>${s.dek}</summary><content type="html"><![CDATA[${s.html}]]></content></entry>`,
    )
    return format === 'rss' ? `<?xml version="1.0"?><rss version="2.0"><channel><title>Herald</title>${items.join('')}</channel></rss>` : `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Herald</title>${items.join('')}</feed>`
  }

  const rows: (string | number)[][] = []
  for (const [label, page] of [['latest 50', first], ['archive page (stories 500–549)', archive]] as const) {
    for (const format of ['rss', 'atom', 'json'] as Format[]) {
      const ours = time(() => renderFeed(collection, collection.home, page, format))
      const base = time(() => baseline(format, page.stories))
      rows.push([label, format, fmt(ours.bytes / 1024, 0), fmt(ours.ms, 2), fmt(base.ms, 3), `${fmt(ours.ms / base.ms, 1)}x`])
      console.log(`generate: ${label} ${format}: ${fmt(ours.ms, 2)} ms (${fmt(ours.ms / base.ms, 1)}x baseline)`)
    }
  }
  return [
    `Node ${process.version}, in-process, median of ${ITERATIONS} renders after 5 warm-ups; 1,000 generated articles.`,
    'Herald = `feed` 6.0.0 + the escaping adapter (what a cold isolate does once per feed);',
    'baseline = one template literal per item, no escaping (incorrect on purpose: the floor).',
    '',
    table(['page', 'format', 'KiB', 'Herald ms', 'baseline ms', 'Herald ÷ baseline'], rows),
  ].join('\n')
}
