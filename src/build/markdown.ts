/**
 * @module
 * Article bodies: CommonMark rendered by markdown-it. Raw HTML in a body is shown as text, not
 * passed through (`html: false`), so nothing an editor types can break a reader's page; output is
 * XHTML-style so that tests can parse it strictly. Every link and image is made absolute, because
 * feed readers resolve relative URLs against the feed, not the article.
 */
import MarkdownIt from 'markdown-it'

interface RenderEnv {
  base: string
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, xhtmlOut: true })

type Token = ReturnType<typeof md.parse>[number]

/** What the check's parse collects beside the tokens. */
type CheckEnv = {
  /** Numeric character references as written (`&#x85;`) whose code point text may not hold. */
  badReferences: string[]
  /** Whether blocks nest past markdown-it's maxNesting, where it drops the rest of them unsaid. */
  tooDeep: boolean
}

/** How deep blockquotes and lists may nest: markdown-it's own limit, past which text vanishes. */
export const MAX_NESTING = md.options.maxNesting

// markdown-it stops at maxNesting levels of blocks (quotes in quotes, lists in lists) and drops
// what is deeper, with no word: `>` 150 times before a sentence printed empty quotes. The check is
// told when a nested block's lines are dropped, and refuses the body.
const tokenize = md.block.tokenize.bind(md.block)
md.block.tokenize = (state, startLine, endLine) => {
  const env = state.env as Partial<CheckEnv>
  if (env.badReferences && state.level >= MAX_NESTING) {
    for (let line = startLine; line < endLine && !env.tooDeep; line++) if (!state.isEmpty(line)) env.tooDeep = true
  }
  tokenize(state, startLine, endLine)
}

// markdown-it writes a numeric reference to a code point text may not hold (`&#0;`, `&#x85;`,
// `&#xFFFE;`, `&#xD800;`) as U+FFFD, where the editor would never see it: the check is told, and
// refuses the body as it refuses the character typed. This runs before text_join, the last rule
// that still tells a reference's token from the text around it.
md.core.ruler.before('text_join', 'herald_bad_references', (state) => {
  const bad = (state.env as Partial<CheckEnv>).badReferences
  if (!bad) return
  for (const block of state.tokens) {
    for (const t of block.children ?? []) {
      if (t.type === 'text_special' && t.info === 'entity' && t.content === '\uFFFD' && t.markup.startsWith('&#') && !/^&#(x0*fffd|0*65533);$/i.test(t.markup)) bad.push(t.markup)
    }
  }
})

/** Makes every link and image in `tokens` absolute against `base` (in place). */
function absoluteUrls(tokens: Token[], base: string): void {
  for (const token of tokens) {
    for (const name of ['href', 'src'] as const) {
      const value = token.attrGet(name)
      if (value !== null) token.attrSet(name, absolute(String(value), base))
    }
    if (token.children) absoluteUrls(token.children, base)
  }
}

function absolute(value: string, base: string): string {
  try {
    return new URL(value, base).href
  } catch {
    // markdown-it already refused unsafe schemes; an unparsable URL is left for the check to report.
    return value
  }
}

/**
 * The last body parseMarkdown parsed, for renderMarkdown to take: the build checks an article's
 * body and then renders it: the second parse was 3.3 s of a build thread's 66 s at 100,000.
 */
let parsed: { body: string; tokens: Token[] } | undefined

/**
 * The body's tokens with URLs as written (what the content check reads; read them, do not change
 * them), and the character references in it that markdown-it replaced with U+FFFD.
 */
export function parseMarkdown(body: string): { tokens: readonly Token[]; badReferences: readonly string[]; tooDeep: boolean } {
  const env: CheckEnv = { badReferences: [], tooDeep: false }
  const tokens = md.parse(body, env)
  parsed = { body, tokens }
  return { tokens, badReferences: env.badReferences, tooDeep: env.tooDeep }
}

/** The body's HTML, with URLs resolved against `base` (the site's origin). */
export function renderMarkdown(body: string, base: string): string {
  const env = { base } satisfies RenderEnv
  const tokens = parsed?.body === body ? parsed.tokens : md.parse(body, env)
  parsed = undefined
  absoluteUrls(tokens, base)
  // markdown-it turns a character reference into its character, and lets `&#12;` (U+000C, form
  // feed) through, which XML forbids: the RSS and Atom that carry the HTML would not parse. In
  // HTML it is whitespace, so a space says the same. (It refuses the other C0 controls itself.)
  return md.renderer.render(tokens, md.options, env).replaceAll('\f', ' ')
}
