import { writeArticleIndex } from './lib/article-index'

writeArticleIndex('content/articles')
console.log('content/articles/index.ts: written')
