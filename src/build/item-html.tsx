/**
 * @module
 * The HTML of one story as feeds and pages show it: the lead figure (caption and credit even
 * without an image file) followed by the body. Every URL absolute, no lazy-loading placeholders:
 * a feed reader shows exactly this markup, out of our page's context.
 */
import type { LeadImage } from '../content/article'
import { renderMarkdown } from './markdown'

export function LeadFigure({ image }: { image: LeadImage }) {
  const { file } = image
  return (
    <figure>
      {file && <img src={file.url} alt={file.alt} width={file.width} height={file.height} />}
      <figcaption>
        {image.caption} <small>{image.credit}</small>
      </figcaption>
    </figure>
  )
}

export function renderItemHtml(body: string, image: LeadImage | undefined, origin: string): string {
  const figure = image ? String(<LeadFigure image={image} />) : ''
  return figure + renderMarkdown(body, origin + '/')
}
