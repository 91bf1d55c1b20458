// Generated from the files in this folder by `npm run index` (also run by `npm run new`).
// Do not edit: `npm run check` fails when this list differs from the folder.
import type { Article } from '../../src/content/article'
import article_fleeingFearCentralAsiansExitRussia from './fleeing-fear-central-asians-exit-russia'

export const articleFiles: readonly string[] = [
  'fleeing-fear-central-asians-exit-russia.ts',
]

export const articles: readonly Article[] = [
  article_fleeingFearCentralAsiansExitRussia,
]
