/** Content → compiled archive → Herald, in memory: what `npm run build` and the deployed worker do, without the disk. */
import type { ReadFile } from '../../src/archive/archive'
import { compileToMap, type CompileOptions } from '../../src/build/compile'
import type { Content } from '../../src/content/article'
import { heraldFor, type HeraldOptions, type HeraldSource } from '../../src/herald'

/** As `npm run build` prerenders for wrangler.toml's top-level vars; tests with other vars render on demand. */
const PRERENDER = { origin: 'http://localhost:8787', feedSize: 50 }

/**
 * The archive `npm run build` would make of `content`, compiled by the same code, read through a
 * file reader like the ARCHIVE binding's. Compiled on first use, at the (possibly faked) clock of
 * that moment unless `builtAt` says when the deploy was.
 */
export function archiveOf(content: Content, builtAt?: Date, prerender: CompileOptions['prerender'] | null = PRERENDER): ReadFile {
  let files: Promise<Map<string, string>> | undefined
  const text = async (path: string) => (await (files ??= compileToMap(content, { builtAt: builtAt ?? new Date(), ...(prerender && { prerender }) }))).get(path)
  // As the ARCHIVE binding reads a prerendered feed: its bytes, undecoded.
  const bytes = async (path: string) => {
    const t = await text(path)
    return t === undefined ? undefined : (new TextEncoder().encode(t) as Uint8Array<ArrayBuffer>)
  }
  return Object.assign(text, { bytes })
}

/** The Herald source over other content (generated, hostile): what the worker would serve after building it. */
export function heraldOf(content: Content, builtAt?: Date, prerender?: CompileOptions['prerender'] | null, options?: HeraldOptions): HeraldSource {
  const read = archiveOf(content, builtAt, prerender)
  return heraldFor(() => read, options)
}
