/**
 * How the build evaluates article modules (scripts/lib/cache/modules.ts): one at a time, each
 * default export handed on and nothing of the module kept, so that a build thread's heap holds one
 * batch of articles however many it has loaded.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { loadModules } from '../../scripts/lib/cache/modules'
import { contentWorkspace } from './helpers/workspace'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap in use after a full collection. */
function liveBytes(): number {
  gc()
  gc()
  return getHeapStatistics().used_heap_size
}

/** A typed article module of about 5 KB, as an editor writes one. */
function articleModule(i: number): string {
  const paragraph = `Officials in district ${i} said on Monday that the crossings would stay open while the rules are reviewed. `.repeat(12)
  return `import { defineArticle } from '../define'

export default defineArticle({
  id: 'tag:herald.example.com,2024:loaded-${i}',
  slug: 'loaded-${i}',
  headline: 'Loaded story ${i}',
  dek: 'A story of the module-loading test.',
  section: 'news',
  tags: ['Topic ${i % 7}'],
  published: '2024-03-28T19:58:00Z',
  timeZone: 'UTC',
  body: \`
${paragraph}

${paragraph}

${paragraph}
\`,
} satisfies Parameters<typeof defineArticle>[0])
`
}

describe('loading article modules', () => {
  it('keeps nothing of a module once its default export is handed on (V8 would cache each compiled module)', async () => {
    const ws = contentWorkspace()
    try {
      const files = Array.from({ length: 3000 }, (_, i) => `content/articles/loaded-${i}.ts`)
      for (const [i, file] of files.entries()) writeFileSync(join(ws.root, file), articleModule(i))
      // The first batch loads content/define.ts and warms the loader; what follows is per module.
      const first = await loadModules(ws.root, files.slice(0, 200))
      expect(first.map((l) => ('value' in l ? (l.value as { slug: string }).slug : l.problems))).toEqual(files.slice(0, 200).map((_, i) => `loaded-${i}`))
      const before = liveBytes()
      for (let i = 200; i < files.length; i += 200) {
        for (const loaded of await loadModules(ws.root, files.slice(i, i + 200))) expect('value' in loaded, loaded.file).toBe(true)
      }
      // 2,800 modules of 5 KB: with V8's compilation cache on, 26.6 MB stayed; with it off, about 1 MB.
      expect(liveBytes() - before).toBeLessThan(6 * 2 ** 20)
    } finally {
      ws.cleanup()
    }
  })
})
