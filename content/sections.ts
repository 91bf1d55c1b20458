import type { Section } from '../src/content/article'

/** The publication's sections. An article's `section` must be one of these keys. */
export default {
  news: {
    name: 'News',
    description: 'Reporting on the day’s events.',
  },
} as const satisfies Record<string, Section>
