/**
 * Evaluates content modules without a TypeScript loader, one at a time, so 100,000 article
 * modules stream through instead of making one 500 MB bundle. The common module — imports, then
 * `export default defineArticle({ … })`, the object all data — is read as data (literal.ts).
 * Any other module of that shape — imports, then `export default …` — takes a cheap path: Node's
 * own type stripping, its import and export statements located by a real lexer (es-module-lexer:
 * a `from` inside a template literal stays text) and rewritten to CommonJS, then run as a
 * function. Any other module, and every one that does not compile, goes through esbuild, which
 * bundles it and names file and line of an error.
 */
import { build, type BuildFailure, type Plugin } from 'esbuild'
import { init, parse } from 'es-module-lexer'
import { readFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { compileFunction } from 'node:vm'
import type { Content } from '../../../src/content/article'
import type { Problem } from '../../../src/build/validate'
import { readDataModule } from './literal'

/** A module's default export, or what stopped it from loading. */
export type Loaded = { file: string; value: unknown } | { file: string; problems: Problem[] }

const OUT = '/herald-modules'
/** esbuild's part: each entry bundled with what it imports, as CommonJS, in memory. */
const BUNDLE = { bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node22', logLevel: 'silent' } as const

await init

// V8 keeps every script it compiles in its compilation cache, keyed by the source, to compile the
// same text again for free, and lets go only when the heap nears its limit. The build compiles each
// article module once, so the cache only kept about 10 KB a story alive: a build thread's old space
// filled toward its cap (threads.ts THREAD_LIMITS), and a clean build of 100,000 peaked at 847–909 MiB
// with two threads and 1,342 MiB with four (a machine of 4 cores or more), against 577–662 and
// 839 MiB with the cache off. The flag is process-wide (build threads included) and read at each
// compilation; nothing in a build compiles the same text twice.
setFlagsFromString('--no-compilation-cache')

// Node 22 calls type stripping experimental and says so on stderr once per process; the build
// relies on it only for the cheap path (anything it cannot strip goes through esbuild).
const emitWarning = process.emitWarning
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).includes('stripTypeScriptTypes')) return
  ;(emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest)
}) as typeof process.emitWarning

/** `import <clause> from '<spec>'` → the CommonJS bindings, or undefined for a clause this path does not handle. */
function bindings(clause: string, module: string): string | undefined {
  const parts: string[] = []
  const named = /\{([^}]*)\}/.exec(clause)
  const rest = clause.replace(/\{[^}]*\}/, '').split(',').map((p) => p.trim()).filter(Boolean)
  for (const part of rest) {
    const ns = /^\*\s+as\s+([\w$]+)$/.exec(part)
    if (ns) parts.push(`const ${ns[1]} = ${module};`)
    else if (/^[\w$]+$/.test(part)) parts.push(`const ${part} = ${module}.default;`)
    else return undefined
  }
  if (named) {
    const names = named[1]!.split(',').map((n) => n.trim()).filter(Boolean).map((n) => n.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'))
    if (names.some((n) => !/^[\w$]+(: [\w$]+)?$/.test(n))) return undefined
    parts.push(`const { ${names.join(', ')} } = ${module};`)
  }
  return parts.join(' ')
}

/** The module rewritten to a CommonJS function body, or undefined when it is not of the common shape. */
function toCommonJs(source: string): { code: string; specs: string[] } | undefined {
  let code: string
  // Node 22.13 and later; an older Node (the system one, outside npm scripts) takes esbuild's path.
  const strip = (nodeModule as { stripTypeScriptTypes?: (code: string) => string }).stripTypeScriptTypes
  if (!strip) return undefined
  try {
    code = strip(source)
  } catch {
    return undefined
  }
  const [imports, exports] = parse(code)
  if (exports.some((e) => e.n !== 'default' || e.ls !== -1) || imports.some((i) => i.d !== -1 || i.t !== 1)) return undefined
  const edits: [number, number, string][] = []
  for (const [k, i] of imports.entries()) {
    const statement = code.slice(i.ss, i.se)
    const clause = /^import\s+([\s\S]*?)\s*from\s*['"]/.exec(statement)?.[1]
    const load = `__import(${JSON.stringify(i.n)})`
    const text = clause === undefined ? (/^import\s*['"]/.test(statement) ? `${load};` : undefined) : bindings(clause, `__m${k}`)
    if (text === undefined) return undefined
    // Line breaks kept, so that an error's line number is the source's.
    edits.push([i.ss, i.se, `${clause === undefined ? '' : `const __m${k} = ${load}; `}${text}${'\n'.repeat(statement.split('\n').length - 1)}`])
  }
  for (const e of exports) edits.push([e.ss, e.e, 'module.exports.default ='])
  for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0])) code = code.slice(0, start) + text + code.slice(end)
  return { code, specs: imports.map((i) => i.n!) }
}

/** Modules an article imports (content/define.ts, …), loaded once per process. */
const dependencies = new Map<string, unknown>()

async function dependency(path: string): Promise<unknown> {
  if (!dependencies.has(path)) {
    const result = await build({ entryPoints: [path], ...BUNDLE })
    const module = { exports: {} as Record<string, unknown> }
    runCommonJs(result.outputFiles[0]!.text, path, module, createRequire(path))
    dependencies.set(path, module.exports)
  }
  return dependencies.get(path)
}

function runCommonJs(code: string, filename: string, module: { exports: Record<string, unknown> }, require: (spec: string) => unknown): void {
  const run = compileFunction(code, ['exports', 'require', 'module', '__import'], { filename }) as (...args: unknown[]) => void
  run(module.exports, require, module, require)
}

/** What an article's relative import loads, or the problem with it. */
async function importOf(path: string, file: string, spec: string): Promise<{ module: unknown } | { problems: Problem[] }> {
  const target = resolve(dirname(path), spec)
  // An article is cached by its own text: one that read another file of its folder would go stale.
  if (dirname(target) === dirname(path)) return { problems: [{ file, field: '(module)', message: `imports ${spec}: an article may import only files outside content/articles/ (the build caches each article by its own text)` }] }
  return { module: await dependency(/\.[cm]?[jt]sx?$/.test(target) ? target : `${target}.ts`) }
}

/** The cheap paths for one article module: its default export, `undefined` when it must go through esbuild. */
async function cheap(root: string, file: string, source: string | undefined): Promise<{ value: unknown } | { problems: Problem[] } | undefined> {
  const path = join(root, file)
  const text = source ?? readFileSync(path, 'utf8')
  const nodeRequire = createRequire(path)
  const load = async (spec: string) => (spec.startsWith('.') ? importOf(path, file, spec) : { module: nodeRequire(spec) })
  // The common module is data: read, not compiled (literal.ts).
  const data = readDataModule(text)
  if (data) {
    const bound = new Map<string, unknown>()
    for (const { spec, names } of data.imports) {
      const loaded = await load(spec)
      if ('problems' in loaded) return loaded
      for (const [local, exported] of names) bound.set(local, (loaded.module as Record<string, unknown>)[exported])
    }
    if (data.callee === undefined) return { value: data.value }
    const call = bound.get(data.callee)
    if (typeof call !== 'function') throw new TypeError(`${data.callee} is not a function`)
    return { value: (call as (value: unknown) => unknown)(data.value) }
  }
  const made = toCommonJs(text)
  if (made === undefined) return undefined
  const { code, specs } = made
  const deps = new Map<string, unknown>()
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue
    const loaded = await load(spec)
    if ('problems' in loaded) return loaded
    deps.set(spec, loaded.module)
  }
  const module = { exports: {} as Record<string, unknown> }
  runCommonJs(code, path, module, (spec) => (deps.has(spec) ? deps.get(spec) : nodeRequire(spec)))
  return { value: module.exports.default }
}

function evaluate(code: string, filename: string): unknown {
  const module = { exports: {} as Record<string, unknown> }
  runCommonJs(code, filename, module, createRequire(filename))
  return module.exports.default
}

function failure(root: string, err: unknown, fallback: string): Problem[] {
  const errors = (err as BuildFailure).errors
  if (!Array.isArray(errors)) return [{ file: fallback, field: '(module)', message: err instanceof Error ? err.message : String(err) }]
  return errors.map((e) => ({
    file: e.location ? relative(root, join(root, e.location.file)).split('\\').join('/') : fallback,
    field: '(module)',
    message: e.location ? `line ${e.location.line}: ${e.text}` : e.text,
  }))
}

/**
 * The default exports of `files` (paths relative to `root`, all in one folder), in order. A batch
 * that does not compile reports every error esbuild found in it, each on its file. `sources` has
 * the text of files the caller has read already.
 */
export async function loadModules(root: string, files: readonly string[], sources?: ReadonlyMap<string, string>): Promise<Loaded[]> {
  const loaded: (Loaded | undefined)[] = []
  for (const file of files) {
    try {
      const made = await cheap(root, file, sources?.get(file))
      loaded.push(made && { file, ...made })
    } catch (err) {
      loaded.push({ file, problems: [{ file, field: '(module)', message: `throws when loaded: ${err instanceof Error ? err.message : String(err)}` }] })
    }
  }
  const rest = await bundled(root, files.filter((_, i) => !loaded[i]))
  return loaded.map((l) => l ?? rest.shift()!)
}

/** The esbuild path: a batch of modules bundled in one call, each entry on its own. */
async function bundled(root: string, files: readonly string[]): Promise<Loaded[]> {
  if (files.length === 0) return []
  const base = join(root, files[0]!, '..')
  let outputs: Map<string, string>
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: files.map((f) => join(root, f)),
      outbase: base,
      outdir: OUT,
      ...BUNDLE,
    })
    outputs = new Map(result.outputFiles.map((o) => [o.path, o.text]))
  } catch (err) {
    // One bad module fails its batch: load the batch's modules one by one, so each good one loads
    // and each bad one reports its own errors.
    if (files.length === 1) return [{ file: files[0]!, problems: failure(root, err, files[0]!) }]
    const one: Loaded[] = []
    for (const file of files) one.push(...(await bundled(root, [file])))
    return one
  }
  return files.map((file) => {
    const code = outputs.get(join(OUT, relative(base, join(root, file)).replace(/\.[cm]?[jt]sx?$/, '.js')))
    if (code === undefined) return { file, problems: [{ file, field: '(module)', message: 'esbuild produced no output for it' }] }
    try {
      return { file, value: evaluate(code, join(root, file)) }
    } catch (err) {
      return { file, problems: [{ file, field: '(module)', message: `throws when loaded: ${err instanceof Error ? err.message : String(err)}` }] }
    }
  })
}

/** content/index.ts with its article list left empty: the site, authors and sections (and anything else it adds). */
export async function loadConfig(root: string): Promise<Content> {
  const noArticles: Plugin = {
    name: 'herald-no-articles',
    setup(b) {
      b.onResolve({ filter: /^\.\/articles(\/index)?(\.ts)?$/ }, (args) => ({ path: args.path, namespace: 'herald-no-articles' }))
      b.onLoad({ filter: /.*/, namespace: 'herald-no-articles' }, () => ({ contents: 'export const articles = []; export const articleFiles = []', loader: 'js' }))
    },
  }
  const entry = join(root, 'content/index.ts')
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    ...BUNDLE,
    plugins: [noArticles],
  }).catch((err: unknown) => {
    throw new Error(failure(root, err, 'content/index.ts').map((p) => `${p.file}: ${p.message}`).join('\n'))
  })
  return evaluate(result.outputFiles[0]!.text, entry) as Content
}
