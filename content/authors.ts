import type { Author } from '../src/content/article'

/**
 * Everyone an article can credit. An article's `authors` are keys of this object; an article
 * that names none is credited to the site's `defaultAuthor`.
 */
export default {
  newsroom: {
    name: 'Herald Newsroom',
  },
} as const satisfies Record<string, Author>
