import type { Site } from '../src/content/article'
import type authors from './authors'

/** Site metadata. The base URL comes from `SITE_URL` in wrangler.toml, per environment. */
export default {
  title: 'Herald',
  description: 'News from the Herald newsroom.',
  language: 'en',
  copyright: 'Copyright © Herald. All rights reserved.',
  defaultAuthor: 'newsroom',
  idAuthority: 'herald.example.com,2024',
  timeZone: 'America/New_York',
  // The fediverse account: people follow @news@<host> from Mastodon (README "Following from the fediverse").
  fediverseUsername: 'news',
} as const satisfies Site<keyof typeof authors>
