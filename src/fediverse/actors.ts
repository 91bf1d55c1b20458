/**
 * @module
 * The local actors: the site (`@news@<host>`, `fediverseUsername` in content/site.ts) and one per
 * section (`@<section>-section@<host>`), and the ActivityStreams objects they publish. Each actor
 * is an `Organization`: Mastodon shows it with name, summary, icon and a link to the site, and
 * follows it like a person's account.
 */
import type { Archive, Listing } from '../archive/archive'
import type { Story } from '../content/story'
import { ICON_PNG_PATH } from '../site-map'

export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams'
export const SECURITY_CONTEXT = 'https://w3id.org/security/v1'
export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'
export const AP_TYPE = 'application/activity+json'
export const SECTION_SUFFIX = '-section'
export const SHARED_INBOX_PATH = '/ap/inbox'

export interface LocalActor {
  /** The handle: `news`, `world-section`. */
  handle: string
  /** The site, or the section listing. */
  listing: Listing
  kind: 'site' | 'section'
}

export function siteHandle(archive: Archive): string {
  return archive.site.fediverseUsername ?? 'news'
}

/** The actor with this handle, if there is one. */
export function actorByHandle(archive: Archive, handle: string): LocalActor | undefined {
  if (handle === siteHandle(archive)) return { handle, listing: archive.home, kind: 'site' }
  if (!handle.endsWith(SECTION_SUFFIX)) return undefined
  const listing = archive.sections.get(handle.slice(0, -SECTION_SUFFIX.length))
  return listing ? { handle, listing, kind: 'section' } : undefined
}

export function siteActor(archive: Archive): LocalActor {
  return actorByHandle(archive, siteHandle(archive))!
}

/** The actor of a story's section. */
export function sectionActor(archive: Archive, story: Story): LocalActor | undefined {
  return actorByHandle(archive, story.section.key + SECTION_SUFFIX)
}

export const actorId = (archive: Archive, handle: string) => archive.link(`/ap/actors/${handle}`).url
export const keyId = (archive: Archive, handle: string) => `${actorId(archive, handle)}#main-key`
export const followersId = (archive: Archive, handle: string) => `${actorId(archive, handle)}/followers`
export const outboxId = (archive: Archive, handle: string) => `${actorId(archive, handle)}/outbox`

/** The actor document. */
export function actorDocument(archive: Archive, actor: LocalActor, publicPem: string): Record<string, unknown> {
  const id = actorId(archive, actor.handle)
  return {
    '@context': [AS_CONTEXT, SECURITY_CONTEXT, { manuallyApprovesFollowers: 'as:manuallyApprovesFollowers', toot: 'http://joinmastodon.org/ns#', discoverable: 'toot:discoverable' }],
    id,
    type: 'Organization',
    preferredUsername: actor.handle,
    name: actor.kind === 'site' ? archive.site.title : actor.listing.title,
    summary: `<p>${escapeHtml(actor.listing.description)}</p>`,
    url: actor.listing.url,
    // Mastodon takes a raster avatar only: the PNG, not the SVG.
    icon: { type: 'Image', mediaType: 'image/png', url: archive.link(ICON_PNG_PATH).url },
    inbox: `${id}/inbox`,
    outbox: outboxId(archive, actor.handle),
    followers: followersId(archive, actor.handle),
    endpoints: { sharedInbox: archive.link(SHARED_INBOX_PATH).url },
    manuallyApprovesFollowers: false,
    discoverable: true,
    attachment: [{ type: 'PropertyValue', name: 'Website', value: `<a href="${escapeHtml(archive.link('/').url)}" rel="me">${escapeHtml(archive.link('/').url)}</a>` }],
    publicKey: { id: keyId(archive, actor.handle), owner: id, publicKeyPem: publicPem },
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A story as an ActivityStreams `Article`. Its id is the article's own URL, so the page URL pasted
 * into Mastodon's search resolves to this object (content negotiation on /articles/:slug).
 */
export function articleObject(archive: Archive, story: Story): Record<string, unknown> {
  const site = siteHandle(archive)
  const image = story.image?.file
  return {
    id: story.url,
    type: 'Article',
    name: story.headline,
    // ActivityStreams' summary is HTML, as content is: the dek is plain text.
    summary: `<p>${escapeHtml(story.dek)}</p>`,
    content: story.html,
    mediaType: 'text/html',
    url: story.url,
    published: story.published.toISOString(),
    ...(story.updated.getTime() !== story.published.getTime() && { updated: story.updated.toISOString() }),
    attributedTo: actorId(archive, site),
    to: [PUBLIC],
    cc: [followersId(archive, site)],
    contentMap: { [story.language]: story.html },
    tag: story.tags.flatMap((t) => {
      const name = hashtag(t.name)
      return name === undefined ? [] : [{ type: 'Hashtag', name: `#${name}`, href: t.url }]
    }),
    ...(image && {
      image: { type: 'Image', url: image.url, mediaType: image.type, name: image.alt, width: image.width, height: image.height },
      attachment: [{ type: 'Image', url: image.url, mediaType: image.type, name: image.alt, width: image.width, height: image.height }],
    }),
  }
}

/**
 * A tag name as a hashtag, or undefined when it cannot be one: Mastodon's hashtags are word
 * characters (letters, combining marks, digits, underscores) with at least one alphabetic among
 * them (its Tag::HASHTAG_NAME_RE), so "2024" is none, and "हिन्दी" keeps its vowel signs.
 */
export function hashtag(name: string): string | undefined {
  const word = name.normalize('NFKC').replace(/[^\p{L}\p{M}\p{N}_]+/gu, '')
  return /\p{Alphabetic}/u.test(word) ? word : undefined
}

export function withContext(object: Record<string, unknown>): Record<string, unknown> {
  return { '@context': AS_CONTEXT, ...object }
}
