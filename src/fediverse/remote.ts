/**
 * @module
 * Every request to another server (fetching an actor or its key, POSTing to an inbox) under the
 * hub's outbound policy (src/websub/callback.ts): http(s), public addresses only unless
 * `HUB_ALLOW_LOOPBACK` says otherwise, never this site, no redirects, a timeout and a size cap.
 */
import type { Herald } from '../herald'
import { callbackProblem } from '../websub/callback'
import { readHubConfig } from '../websub/config'
import { failureDetail, outboundFetch, readUpTo } from '../websub/outbound'
import { keyPair } from './keys'
import { signedHeaders } from './signatures'

/** An actor document is a few KiB; Mastodon caps what it reads of one at 1 MiB. */
export const MAX_REMOTE_BYTES = 1 << 20
export const AP_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

export class RemoteError extends Error {
  constructor(message: string, readonly status = 0) {
    super(message)
  }
}

/** Why Herald will not call `url`, or undefined. */
export function remoteProblem(env: Env, herald: Herald, url: string): string | undefined {
  const problem = callbackProblem(url, { allowLoopback: readHubConfig(env).allowLoopback, ownOrigin: herald.config.origin })
  return problem?.replace(/^hub\.callback/, 'the remote address')
}

/**
 * Whether Herald calls this inbox: a follower stored before the outbound policy refused its inbox
 * (a private address, a 200 KB URL no queue message can carry) is left out of a publish run, not
 * allowed to fail it for every other follower.
 */
export function callable(env: Env, herald: Herald): (inbox: string) => boolean {
  return (inbox) => remoteProblem(env, herald, inbox) === undefined
}

/** A signed request (authorized fetch: Mastodon in secure mode refuses unsigned GETs). */
export async function remoteRequest(env: Env, herald: Herald, method: 'GET' | 'POST', url: string, keyId: string, body?: string): Promise<{ status: number; text: string }> {
  const problem = remoteProblem(env, herald, url)
  if (problem) throw new RemoteError(problem)
  const { privateKey } = await keyPair(env)
  const extra: Record<string, string> = method === 'POST' ? { 'content-type': 'application/activity+json' } : { accept: AP_ACCEPT }
  extra['user-agent'] = `Herald (+${herald.config.origin}/)`
  const headers = await signedHeaders(method, new URL(url), privateKey, keyId, extra, body)
  let res: Response
  try {
    res = await outboundFetch(url, { method, headers, body })
  } catch (err) {
    throw new RemoteError(failureDetail(err))
  }
  const { text, truncated } = await readUpTo(res, MAX_REMOTE_BYTES)
  if (truncated) throw new RemoteError(`response larger than ${MAX_REMOTE_BYTES} bytes`)
  return { status: res.status, text }
}

export interface RemoteActor {
  id: string
  inbox: string
  sharedInbox?: string
  publicKeyId: string
  publicKeyPem: string
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)

async function fetchDocument(env: Env, herald: Herald, url: string, keyId: string): Promise<Record<string, unknown>> {
  const { status, text } = await remoteRequest(env, herald, 'GET', url, keyId)
  if (status < 200 || status > 299) throw new RemoteError(`fetching ${url}: HTTP ${status}`, status)
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new RemoteError(`fetching ${url}: not JSON`)
  }
  // `null` parses, and has no properties to read.
  if (!doc || typeof doc !== 'object') throw new RemoteError(`fetching ${url}: not an actor with inbox and publicKey`)
  return doc
}

/**
 * Reads an actor document (or the actor owning a key id such as `…#main-key`). A document speaks
 * for the id it names only when it is served at that id: any server can serve a copy of someone
 * else's actor with its own key in it. One naming another id is fetched again from there, as
 * Mastodon's fetch_resource does (app/helpers/jsonld_helper.rb), and must name the same id.
 */
export async function fetchActor(env: Env, herald: Herald, url: string, keyId: string): Promise<RemoteActor> {
  let from = url.split('#')[0]!
  let doc = await fetchDocument(env, herald, from, keyId)
  const named = str(doc.id)
  if (named !== undefined && named !== from) {
    from = named
    doc = await fetchDocument(env, herald, from, keyId)
    if (doc.id !== from) throw new RemoteError(`fetching ${from}: the document there has another id`)
  }
  // A key document (Mastodon serves the actor itself at the key's URL without the fragment).
  const key = (doc.publicKey ?? doc) as Record<string, unknown>
  const id = str(doc.id)
  const inbox = str(doc.inbox)
  const publicKeyPem = str(key.publicKeyPem)
  const publicKeyId = str(key.id)
  if (!id || !inbox || !publicKeyPem || !publicKeyId) throw new RemoteError(`fetching ${from}: not an actor with inbox and publicKey`)
  const endpoints = doc.endpoints as Record<string, unknown> | undefined
  return { id, inbox, sharedInbox: str(endpoints?.sharedInbox), publicKeyId, publicKeyPem }
}
