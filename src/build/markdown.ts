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

md.core.ruler.push('absolute_urls', (state) => {
  const { base } = state.env as unknown as RenderEnv
  const visit = (tokens: typeof state.tokens) => {
    for (const token of tokens) {
      for (const name of ['href', 'src'] as const) {
        const value = token.attrGet(name)
        if (value !== null) token.attrSet(name, absolute(String(value), base))
      }
      if (token.children) visit(token.children)
    }
  }
  visit(state.tokens)
})

function absolute(value: string, base: string): string {
  try {
    return new URL(value, base).href
  } catch {
    // markdown-it already refused unsafe schemes; an unparsable URL is left for the check to report.
    return value
  }
}

/** The body's HTML, with URLs resolved against `base` (the site's origin). */
export function renderMarkdown(body: string, base: string): string {
  return md.render(body, { base } satisfies RenderEnv)
}
