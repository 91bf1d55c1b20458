/** The whole collection, as the worker serves it. */
import type { Content } from '../src/content/article'
import { articles } from './articles/index'
import authors from './authors'
import sections from './sections'
import site from './site'

const content: Content = { site, authors, sections, articles }
export default content
