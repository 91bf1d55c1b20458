/**
 * The article module as editors write it, read as data: imports, then `export default
 * defineArticle({ … })` (or `export default { … }`), the object nothing but quoted text, numbers,
 * true/false/null, lists and objects, with `as const` or `satisfies …` after it. Such a module
 * needs no compiler: running it would build exactly the object its text spells. A build thread
 * spent a fifth of its time (1.3 of 7.1 s over 5,000 stories, in one profile) stripping types,
 * lexing and compiling each module (modules.ts) to get that object; reading it here costs a scan
 * of the text (0.018 ms for a bench article, against about 0.26).
 *
 * Anything else — `${…}` in a template, a spread, a computed key, a name used as a value, a
 * function call inside, an escape strict mode refuses, a token this reader does not know —
 * returns undefined and the module takes the compiler's path, which is exact for all of
 * JavaScript. The reader never guesses: what it accepts, JavaScript reads the same way (tested
 * against esbuild's reading in tests/node/literal.test.ts).
 */

/** `import { a, b as c } from './x'`: each local name and the export it binds. */
export interface NamedImport {
  spec: string
  /** Local name → exported name. */
  names: Map<string, string>
}

export interface DataModule {
  imports: NamedImport[]
  /** The imported function the default export calls with the object, if it calls one. */
  callee?: string
  value: unknown
}

/** Not of the data shape: take the compiler's path. */
class NotData extends Error {}
const notData = new NotData()

const IDENT_START = /[A-Za-z_$]/
const IDENT = /[A-Za-z0-9_$]/
/**
 * Words that cannot name a binding or a type in strict-mode modules (and TypeScript's own), where
 * this reader takes a name for one: it refuses them rather than accept what is a syntax error.
 */
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await eval arguments'.split(' '),
)
/** Lists, objects and type arguments nested deeper than this are left to the compiler (no stack overflow here). */
const MAX_DEPTH = 256
/** What ends a run of plain text in a quoted string or a template. */
const SINGLE = /['\\\n\r]/g
const DOUBLE = /["\\\n\r]/g
const TEMPLATE = /[`\\$\r]/g

class Reader {
  at = 0
  constructor(readonly text: string) {}

  fail(): never {
    throw notData
  }

  /** Whitespace and comments. Only ASCII whitespace and the few others JavaScript has; any other character ends it. */
  space(): void {
    const t = this.text
    for (;;) {
      const c = t.charCodeAt(this.at)
      if (c === 32 || c === 10 || c === 9 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) this.at++
      else if (c === 47 && t.charCodeAt(this.at + 1) === 47) {
        const end = t.slice(this.at).search(/[\n\r\u2028\u2029]/)
        this.at = end === -1 ? t.length : this.at + end
      } else if (c === 47 && t.charCodeAt(this.at + 1) === 42) {
        const end = t.indexOf('*/', this.at + 2)
        if (end === -1) this.fail()
        this.at = end + 2
      } else return
    }
  }

  peek(): string {
    this.space()
    return this.text[this.at] ?? ''
  }

  eat(token: string): boolean {
    this.space()
    if (!this.text.startsWith(token, this.at)) return false
    // A keyword is not the start of a longer name (`asX`).
    if (IDENT.test(token.at(-1)!) && IDENT.test(this.text[this.at + token.length] ?? '')) return false
    this.at += token.length
    this.tokenEnd = this.at
    return true
  }

  expect(token: string): void {
    if (!this.eat(token)) this.fail()
  }

  name(): string {
    this.space()
    const start = this.at
    if (!IDENT_START.test(this.text[start] ?? '')) this.fail()
    while (IDENT.test(this.text[this.at] ?? '')) this.at++
    this.tokenEnd = this.at
    return this.text.slice(start, this.at)
  }

  /** A name that binds (an import's local name) or names a type: not a reserved word. */
  identifier(): string {
    const name = this.name()
    if (RESERVED.has(name)) this.fail()
    return name
  }

  /** Where the last token read ends (`eat`, `name`, `string`, `number`): a failed `eat` skips space, not tokens. */
  tokenEnd = 0

  /** Whether a line end stands between the last token read and the next (where ASI ends an expression). */
  lineBreak(): boolean {
    this.space()
    return /[\n\r\u2028\u2029]/.test(this.text.slice(this.tokenEnd, this.at))
  }

  depth = 0

  /** Runs `read` one level deeper in lists, objects or types. */
  nested<T>(read: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail()
    const value = read()
    this.depth--
    return value
  }

  value(): unknown {
    const c = this.peek()
    if (c === '{') return this.nested(() => this.object())
    if (c === '[') return this.nested(() => this.array())
    if (c === "'" || c === '"' || c === '`') return this.string()
    if (c === '-' || (c >= '0' && c <= '9')) return this.number()
    if (this.eat('true')) return true
    if (this.eat('false')) return false
    if (this.eat('null')) return null
    return this.fail()
  }

  object(): Record<string, unknown> {
    this.expect('{')
    const out: Record<string, unknown> = {}
    while (!this.eat('}')) {
      const c = this.peek()
      const key = c === "'" || c === '"' ? this.string() : this.name()
      // `__proto__: x` in a literal sets the prototype; an assignment here would not.
      if (key === '__proto__') this.fail()
      this.expect(':')
      out[key] = this.value()
      if (!this.eat(',')) {
        this.expect('}')
        break
      }
    }
    return out
  }

  array(): unknown[] {
    this.expect('[')
    const out: unknown[] = []
    while (!this.eat(']')) {
      // A hole (`[a, , b]`) is not data.
      if (this.peek() === ',') this.fail()
      out.push(this.value())
      if (!this.eat(',')) {
        this.expect(']')
        break
      }
    }
    return out
  }

  number(): number {
    const m = /^-?\s*(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at, this.at + 64))
    // Not hex, octal, `1_000`, `.5`, `5.` or `1n`: those read through the compiler.
    if (!m || /[A-Za-z0-9_$.]/.test(this.text[this.at + m[0].length] ?? '')) this.fail()
    // A comment between the minus and the digits would be JavaScript too, but not this reader's.
    const text = m[0].replace(/\s+/, '')
    this.tokenEnd = this.at += m[0].length
    return Number(text)
  }

  /**
   * 'text', "text", or `text` with no substitution (at `this.at`): its value as strict-mode
   * JavaScript reads it (a template's line ends as LF, escapes resolved).
   */
  string(): string {
    const t = this.text
    const close = t[this.at]!
    const special = close === '`' ? TEMPLATE : close === "'" ? SINGLE : DOUBLE
    let out = ''
    let from = ++this.at
    for (;;) {
      // Straight to the next character that is not text as it stands.
      special.lastIndex = this.at
      if (!special.test(t)) this.fail()
      this.at = special.lastIndex - 1
      const c = t[this.at]
      if (c === close) break
      if (c === '\\') out += t.slice(from, this.at) + this.escape()
      // A line end: a quoted string does not span lines.
      else if (close !== '`') this.fail()
      else if (c === '$') {
        if (t[this.at + 1] === '{') this.fail()
        this.at++
        continue
      } else {
        // A template's CR LF and lone CR are LF, cooked and raw (ECMA-262 §12.9.6).
        out += t.slice(from, this.at) + '\n'
        this.at += t[this.at + 1] === '\n' ? 2 : 1
      }
      from = this.at
    }
    out += t.slice(from, this.at)
    this.tokenEnd = ++this.at
    return out
  }

  /** The escape at `this.at` (a backslash), as a string or template in strict mode reads it. */
  escape(): string {
    const t = this.text
    const c = t[this.at + 1]
    this.at += 2
    switch (c) {
      case 'n':
        return '\n'
      case 't':
        return '\t'
      case 'r':
        return '\r'
      case 'b':
        return '\b'
      case 'f':
        return '\f'
      case 'v':
        return '\v'
      case '0':
        // `\0` is NUL only when no digit follows (`\01` is an octal escape: refused in strict mode).
        if (/[0-9]/.test(t[this.at] ?? '')) this.fail()
        return '\0'
      case 'x': {
        const hex = t.slice(this.at, this.at + 2)
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail()
        this.at += 2
        return String.fromCharCode(parseInt(hex, 16))
      }
      case 'u': {
        const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(t.slice(this.at, this.at + 8))
        if (braced) {
          const code = parseInt(braced[1]!, 16)
          if (code > 0x10ffff) this.fail()
          this.at += braced[0].length
          return String.fromCodePoint(code)
        }
        const hex = t.slice(this.at, this.at + 4)
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail()
        this.at += 4
        return String.fromCharCode(parseInt(hex, 16))
      }
      case '\r':
        // A line continuation: the backslash and the line end are nothing.
        if (t[this.at] === '\n') this.at++
        return ''
      case '\n':
      case '\u2028':
      case '\u2029':
        return ''
      case undefined:
        return this.fail()
      default:
        // Octal escapes and \8 \9 are errors in strict code and in templates.
        if (c >= '1' && c <= '9') this.fail()
        // Any other character escapes to itself (`\'`, `\\`, `\q`).
        return c
    }
  }

  /**
   * A type after `as` or `satisfies`, skipped (types do not run), of a small grammar that is all
   * valid TypeScript: `A.B<C, D>[0]`, `typeof x`, `keyof T`, `T[]`, `A | B`, `A & B`.
   */
  type(): void {
    do this.typeTerm()
    while (this.eat('|') || this.eat('&'))
  }

  typeTerm(): void {
    this.nested(() => {
      if (this.eat('keyof')) return this.typeTerm()
      this.eat('typeof')
      this.identifier()
      // A member may be a reserved word (`A.default`).
      while (this.eat('.')) this.name()
      // A type does not go on across a line end into `<` or `[` (TypeScript ends it there).
      if (!this.lineBreak() && this.eat('<')) {
        do this.type()
        while (this.eat(','))
        this.expect('>')
      }
      while (!this.lineBreak() && this.eat('[')) {
        if (this.eat(']')) continue
        const c = this.peek()
        if (c >= '0' && c <= '9') this.number()
        else if (c === "'" || c === '"') this.string()
        else this.type()
        this.expect(']')
      }
    })
  }

  /** `as const`, `satisfies T`, `as T`: any number of them. */
  typeSuffix(): void {
    for (;;) {
      // After a line end, `as` and `satisfies` are names that start a statement (ASI), not operators.
      if (this.lineBreak()) return
      if (this.eat('satisfies')) this.type()
      else if (this.eat('as')) {
        if (!this.eat('const')) this.type()
      } else return
    }
  }

  from(): string {
    this.expect('from')
    const q = this.peek()
    if (q !== "'" && q !== '"') this.fail()
    return this.string()
  }

  /** The end of a statement: a `;`, or a line end before the next token (or the end of the text). */
  end(): void {
    if (this.eat(';')) return
    if (!this.lineBreak() && this.at < this.text.length) this.fail()
  }

  /** The names in `{ a, b as c }`: local name → exported name, but for `type X`, which imports a type only. */
  braces(inTypeImport: boolean): Map<string, string> {
    this.expect('{')
    const names = new Map<string, string>()
    while (!this.eat('}')) {
      let name = this.name()
      let typeOnly = false
      // `type X` and `type X as Y`, but not `type`, `type as Y`, `type, …` (nor in `import type { … }`).
      if (name === 'type' && this.peek() !== ',' && this.peek() !== '}' && !this.text.startsWith('as', this.at)) {
        if (inTypeImport) this.fail()
        typeOnly = true
        name = this.name()
      }
      // What is imported may be any name (`default as x`); what it binds may not be a reserved word.
      const local = this.eat('as') ? this.identifier() : name
      if (RESERVED.has(local)) this.fail()
      if (!typeOnly) names.set(local, name)
      if (!this.eat(',')) {
        this.expect('}')
        break
      }
    }
    return names
  }

  /** One import statement, or undefined for `import type …` (types only: nothing runs). */
  importStatement(): NamedImport | undefined {
    this.expect('import')
    if (this.eat('type')) {
      if (this.peek() === '{') this.braces(true)
      else if (this.eat('*')) {
        this.expect('as')
        this.identifier()
      } else if (this.identifier() === 'from') this.fail() // `import type from './x'` imports a value named `type`
      this.from()
      this.end()
      return undefined
    }
    const names = this.braces(false)
    const spec = this.from()
    this.end()
    return { spec, names }
  }
}

/** The module's imports and its default export, when the module is data (see above); undefined otherwise. */
export function readDataModule(source: string): DataModule | undefined {
  const r = new Reader(source)
  try {
    const imports: NamedImport[] = []
    const bound = new Set<string>()
    while (r.peek() === 'i') {
      const statement = r.importStatement()
      if (!statement) continue
      // A name bound twice is a syntax error.
      for (const local of statement.names.keys()) if (bound.size === bound.add(local).size) r.fail()
      imports.push(statement)
    }
    r.expect('export')
    r.expect('default')
    let callee: string | undefined
    const start = r.at
    if (IDENT_START.test(r.peek()) && !['true', 'false', 'null'].includes((callee = r.name()))) {
      if (!imports.some((i) => i.names.has(callee!))) r.fail()
      r.expect('(')
    } else {
      callee = undefined
      r.at = start
    }
    const value = r.value()
    r.typeSuffix()
    if (callee !== undefined) {
      r.eat(',')
      r.expect(')')
      r.typeSuffix()
    }
    r.eat(';')
    if (r.peek() !== '') r.fail()
    return { imports, ...(callee === undefined ? {} : { callee }), value }
  } catch (err) {
    if (err === notData) return undefined
    throw err
  }
}
