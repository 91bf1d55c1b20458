/**
 * Reading an article module as data (scripts/lib/cache/literal.ts): for every module it accepts,
 * the value is the one JavaScript builds by running the module — here, esbuild's TypeScript
 * transform run as CommonJS — and every module it is unsure of is left to the compiler.
 */
import { transformSync } from 'esbuild'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readDataModule } from '../../scripts/lib/cache/literal'

const define = { defineArticle: (article: unknown) => article }

/** The module's default export as JavaScript has it. */
function run(source: string): unknown {
  const { code } = transformSync(source, { loader: 'ts', format: 'cjs' })
  const module = { exports: {} as Record<string, unknown> }
  new Function('module', 'exports', 'require', code)(module, module.exports, () => define)
  return module.exports.default
}

/** The reader's value, through the imported function as the build calls it. */
function read(source: string): unknown {
  const data = readDataModule(source)
  if (data === undefined) return undefined
  return data.callee === undefined ? data.value : define.defineArticle(data.value)
}

type Data = null | boolean | number | string | Data[] | { [key: string]: Data }

/** Text as an editor might write it, line ends, quotes, backslashes, `$` and non-ASCII included. */
const text = fc.stringMatching(/^[a-z \n\r'"`$\\{}é—\u2028\u{1F600}]{0,12}$/u)
const data: fc.Arbitrary<Data> = fc.letrec<{ data: Data }>((tie) => ({
  data: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0))),
    text,
    fc.array(tie('data'), { maxLength: 4 }),
    // Digit keys too: JavaScript orders an object's integer keys first, whatever the text's order.
    fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z_$][a-z0-9_$]{0,6}$/), fc.stringMatching(/^[0-9]{1,3}$/), text).filter((k) => k !== '__proto__'), tie('data'), { maxKeys: 4 }),
  ),
})).data

/** `value` written as a TypeScript literal, each string in one of the ways JavaScript allows. */
function literal(value: Data, style: number[]): string {
  const pick = () => (style.push(style.shift()!), style[0]!)
  if (typeof value === 'string') {
    const way = pick() % 4
    if (way === 0) return JSON.stringify(value)
    if (way === 1) return `'${value.replace(/[\\'\n\r]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r' })[c]!)}'`
    if (way === 2) return `'${[...value].map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('')}'`
    // A template keeps its line ends raw, but a CR would come back as LF: escaped, as a `${` is.
    return `\`${value.replace(/[\\`\r]|\$\{/g, (c) => (c === '\r' ? '\\r' : `\\${c}`))}\``
  }
  // A trailing comma after one item or more (`[,]` is a hole, `{ , }` no object at all).
  const comma = (n: number) => (n > 0 && pick() % 2 ? ',' : '')
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, style)).join(', ')}${comma(value.length)}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${/^[a-z_$][a-z0-9_$]*$/.test(k) && pick() % 2 ? k : JSON.stringify(k)}: ${literal(v, style)}`)
    return `{${pick() % 3 === 0 ? ' // a comment\n' : ' '}${entries.join(',\n  ')}${comma(entries.length)} }`
  }
  return String(value)
}

describe('reading an article module as data', () => {
  it('gives the value running the module gives, for any data written any way', () => {
    fc.assert(
      fc.property(data, fc.array(fc.nat(11), { minLength: 1, maxLength: 8 }), fc.nat(3), (value, style, shape) => {
        const object = literal(value, style)
        const source = [
          `import { defineArticle } from '../define'\nexport default defineArticle(${object})\n`,
          `import type { Article } from '../../src/content/article'\n/* data */\nexport default ${object} satisfies Article;\n`,
          `import { type Article, defineArticle as article } from '../define'\nexport default article(${object} as const satisfies Partial<Article>[0],);`,
          `import { defineArticle } from "../define";\nimport type * as T from './t'; import type { A, B as C } from './ab'\nexport default defineArticle(${object} satisfies Parameters<typeof defineArticle>[0]) // end\n`,
        ][shape]!
        expect(readDataModule(source), source).toBeDefined()
        // As text too: toStrictEqual does not see the order of an object's keys.
        expect(JSON.stringify(read(source))).toBe(JSON.stringify(run(source)))
        expect(read(source)).toStrictEqual(run(source))
      }),
      { numRuns: 400 },
    )
  })

  it.each([
    ['a CR LF in a template is LF', 'export default { body: `a\r\nb\rc` }', { body: 'a\nb\nc' }],
    ['a line continuation is nothing', "export default { a: 'x\\\ny', b: `p\\\r\nq` }", { a: 'xy', b: 'pq' }],
    ['escapes as strict mode reads them', "export default { a: '\\0\\x41\\u00e9\\u{1F600}\\q\\'', b: `\\``}", { a: '\0Aé😀q\'', b: '`' }],
    ['U+2028 may stand in a string', `export default { a: '\u2028' }`, { a: '\u2028' }],
    ['a key written twice keeps its first place and its last value', "export default { a: 1, b: 2, 'a': 3 }", { a: 3, b: 2 }],
    ['a number as JavaScript reads it', 'export default { a: -1.5e3, b: - 0.25, c: 0 }', { a: -1500, b: -0.25, c: 0 }],
  ])('%s', (_, source, expected) => {
    expect(JSON.stringify(read(source))).toBe(JSON.stringify(expected))
    expect(read(source)).toStrictEqual(expected)
    expect(run(source)).toStrictEqual(expected)
  })

  it.each([
    ['a substitution in a template', 'export default { a: `${1 + 1}` }'],
    ['a name as a value', "const x = 'y'\nexport default { a: x }"],
    ['a spread', 'export default { ...{ a: 1 } }'],
    ['a computed key', "export default { ['a' + 'b']: 1 }"],
    ['a shorthand property', 'export default { undefined }'],
    ['a call inside', 'export default { a: String(1) }'],
    ['a call of a function it did not import', 'export default defineArticle({ a: 1 })'],
    ['a second argument', "import { defineArticle } from '../define'\nexport default defineArticle({ a: 1 }, 2)"],
    ['__proto__, which sets the prototype', 'export default { __proto__: { a: 1 } }'],
    ['an octal escape', "export default { a: '\\01' }"],
    ['a hole in a list', 'export default { a: [1, , 2] }'],
    ['hex, separators and bigints', 'export default { a: 0x10, b: 1_000, c: 1n }'],
    ['a statement after the export', "export default { a: 1 }\nconsole.log('loaded')"],
    ['a default import', "import define from '../define'\nexport default define({ a: 1 })"],
    ['a type it does not know', "import { defineArticle } from '../define'\nexport default defineArticle({ a: 1 } as unknown as () => void)"],
    ['a line end in a quoted string', "export default { a: 'x\ny' }"],
    ['two statements on one line with no semicolon between', "import { defineArticle } from '../define' export default defineArticle({ a: 1 })"],
    ['a name imported twice', "import { defineArticle } from '../define'\nimport { defineArticle } from '../define'\nexport default defineArticle({ a: 1 })"],
    ['a default import named type', "import type from './x'\nexport default { a: 1 }"],
    // What a review found accepted before (each a syntax error, or a module that throws when run):
    ['satisfies after a line end (a name then: the module throws)', 'export default { a: 1 }\nsatisfies\nObject'],
    ['as const after a line end', "import { defineArticle } from '../define'\nexport default defineArticle({ a: 1 }\n  as const)"],
    ['a type going on after a line end', "import { defineArticle } from '../define'\nexport default defineArticle({ a: 1 } as A\n[])"],
    ['a reserved word as an imported name', "import { if } from './x'\nexport default { a: 1 }"],
    ['a reserved word as a local name', "import { defineArticle as null } from './x'\nexport default { a: 1 }"],
    ['a reserved word as a type', 'export default { a: 1 } as typeof import'],
    ['type inside import type braces', "import type { type a } from './x'\nexport default { a: 1 }"],
    ['lists nested deeper than the reader goes', `export default ${'['.repeat(10_000)}${']'.repeat(10_000)}`],
  ])('leaves the module to the compiler when it has %s', (_, source) => {
    expect(readDataModule(source)).toBeUndefined()
  })

  it('reads what JavaScript allows around those: a member named by a reserved word, `default as` a name, a type across no line end', () => {
    expect(read("import { default as defineArticle } from '../define'\nexport default defineArticle({ a: 1 } satisfies A.default<B>[0])")).toStrictEqual({ a: 1 })
    expect(read('export default { a: [[[1]]] } as const;')).toStrictEqual({ a: [[[1]]] })
  })
})
