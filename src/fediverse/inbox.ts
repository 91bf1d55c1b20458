/**
 * @module
 * The inboxes (each actor's, and the shared one). Every POST must carry a valid HTTP Signature by
 * the key of the activity's actor, over (request-target), host, date and a matching digest;
 * anything else is 401. Handled: `Follow` of a local actor (answered with a signed `Accept`),
 * `Undo` of a Follow, and `Delete` of the remote actor itself. Other activities are accepted
 * (202) and ignored.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../app'
import type { Herald } from '../herald'
import { actorByHandle, actorId, AS_CONTEXT, keyId as localKeyId, siteHandle } from './actors'
import { enqueueAp } from './jobs'
import { importPublic } from './keys'
import { fetchActor, RemoteError, remoteProblem, type RemoteActor } from './remote'
import { parseSignature, preconditionProblem, signatureValid, type SignatureParams } from './signatures'
import { addFollower, removeFollow, removeFollower, removeRemoteActor, saveActivity } from './store'

/** Mastodon's own limit on what it accepts in an inbox is 1 MiB; an activity is a few KiB. */
export const MAX_INBOX_BYTES = 256 * 1024

type Json = Record<string, unknown>

const idOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Json).id === 'string' ? ((v as Json).id as string) : undefined)

/** A refusal as every other route's (src/http/errors.ts): never cached, never sniffed (the reason may quote the sender's URLs). */
function refuse(c: Context<AppEnv>, status: 400 | 401 | 404 | 422, reason: string): Response {
  return c.text(`${reason} (${status})\n`, status, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...(status === 401 && { 'WWW-Authenticate': 'Signature realm="herald", headers="(request-target) host date digest"' }) })
}

/** The local actor a Follow or Undo names, by its actor id. */
function localActorOf(herald: Herald, object: unknown) {
  const id = idOf(object)
  const prefix = herald.archive.link('/ap/actors/').url
  if (!id?.startsWith(prefix)) return undefined
  return actorByHandle(herald.archive, id.slice(prefix.length))
}

export async function inbox(c: Context<AppEnv>): Promise<Response> {
  const herald = c.var.herald
  const handle = c.req.param('handle')
  if (handle !== undefined && !actorByHandle(herald.archive, handle)) return refuse(c, 404, 'no such actor')
  // The route's bodyLimit has refused anything over MAX_INBOX_BYTES.
  const body = await c.req.text()

  const params = parseSignature(c.req.header('signature') ?? null)
  if (!params) return refuse(c, 401, 'a Signature header (draft-cavage HTTP Signatures) is required')
  const problem = await preconditionProblem(c.req.raw, body, params, Date.now())
  if (problem) return refuse(c, 401, problem)

  let parsed: Json
  try {
    parsed = JSON.parse(body) as Json
    if (!parsed || typeof parsed !== 'object') throw new Error()
  } catch {
    return refuse(c, 400, 'the body must be a JSON activity')
  }
  const actorUrl = idOf(parsed.actor)
  if (!actorUrl) return refuse(c, 400, 'the activity has no actor')

  let signer: RemoteActor
  try {
    signer = await verifiedSigner(c.env, herald, c.req.raw, params)
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err
    // A deleted account's key is gone (410), so its own Delete cannot be verified; removing its
    // follows is all that Delete could do, and it only removes.
    if (err.status === 410 && hasType(parsed, 'Delete') && idOf(parsed.object) === actorUrl && params.keyId.split('#')[0] === actorUrl) {
      await removeRemoteActor(c.env, actorUrl)
      return c.body(null, 202)
    }
    return refuse(c, 401, err.message)
  }
  if (signer.id !== actorUrl) return refuse(c, 401, 'the activity is not signed by its actor')

  if (hasType(parsed, 'Follow')) return follow(c, herald, parsed, signer)
  if (hasType(parsed, 'Undo')) {
    const inner = parsed.object
    const target = inner && typeof inner === 'object' ? (inner as Json) : undefined
    if (target && hasType(target, 'Follow') && idOf(target.actor) === signer.id) {
      const local = localActorOf(herald, target.object)
      if (local) await removeFollower(c.env, local.handle, signer.id)
    } else if (typeof inner === 'string') {
      // Some servers name the Follow by id only; only the signer's own follow can match.
      await removeFollow(c.env, signer.id, inner)
    }
    return c.body(null, 202)
  }
  if (hasType(parsed, 'Delete') && idOf(parsed.object) === signer.id) await removeRemoteActor(c.env, signer.id)
  // Anything else is accepted and left alone (a Like, an Announce of a story, a reply).
  return c.body(null, 202)
}

/**
 * Whether an object's `type` is `name`: ActivityStreams lets `type` list several (`["Follow",
 * "x:Extra"]`), and Mastodon reads either form (`equals_or_includes?`), so a Follow sent as a list
 * is a Follow here too.
 */
function hasType(o: Json | undefined, name: string): boolean {
  const type = o?.type
  return type === name || (Array.isArray(type) && type.includes(name))
}

/** Remote keys already fetched, per isolate: a server delivering a burst is fetched once. */
const KEY_TTL_MS = 15 * 60_000
const MAX_CACHED_KEYS = 1000
const signers = new Map<string, { actor: RemoteActor; key: CryptoKey; until: number }>()

async function signerKey(env: Env, herald: Herald, keyId: string): Promise<{ actor: RemoteActor; key: CryptoKey }> {
  let actor: RemoteActor
  try {
    actor = await fetchActor(env, herald, keyId, localKeyId(herald.archive, siteHandle(herald.archive)))
  } catch (err) {
    if (err instanceof RemoteError) throw new RemoteError(`the signing key could not be fetched: ${err.message}`, err.status)
    throw err
  }
  if (actor.publicKeyId !== keyId) throw new RemoteError('the key document does not carry the signing key')
  let key: CryptoKey
  try {
    key = await importPublic(actor.publicKeyPem)
  } catch {
    throw new RemoteError('the signing key is not an RSA public key')
  }
  if (signers.size >= MAX_CACHED_KEYS) signers.delete(signers.keys().next().value!)
  signers.set(keyId, { actor, key, until: Date.now() + KEY_TTL_MS })
  return { actor, key }
}

/**
 * The actor whose key signed the request: from the cache, or fetched. A signature that fails
 * against a cached key is checked once more against a fresh copy (the remote key may have changed).
 */
async function verifiedSigner(env: Env, herald: Herald, request: Request, params: SignatureParams): Promise<RemoteActor> {
  const cached = signers.get(params.keyId)
  if (cached && cached.until > Date.now() && (await signatureValid(request, params, cached.key))) return cached.actor
  const { actor, key } = await signerKey(env, herald, params.keyId)
  if (!(await signatureValid(request, params, key))) throw new RemoteError('the signature does not verify')
  return actor
}

async function follow(c: Context<AppEnv>, herald: Herald, parsed: Json, signer: RemoteActor): Promise<Response> {
  const local = localActorOf(herald, parsed.object)
  if (!local) return refuse(c, 422, 'the Follow must name an actor of this site')
  // What the outbound policy refuses would be dead at every delivery, and an inbox too long for a
  // queue message (128 KB) would fail every publish run that has to reach it.
  const problem = remoteProblem(c.env, herald, signer.inbox)
  if (problem) return refuse(c, 422, `the follower’s inbox is not an address Herald calls: ${problem}`)
  const sharedInbox = signer.sharedInbox !== undefined && !remoteProblem(c.env, herald, signer.sharedInbox) ? signer.sharedInbox : null
  const followId = idOf(parsed) ?? `${signer.id}#follow`
  const now = Date.now()
  await addFollower(c.env, { actor: local.handle, follower: signer.id, inbox: signer.inbox, shared_inbox: sharedInbox, follow_id: followId, followed_at: now })
  const localId = actorId(herald.archive, local.handle)
  const acceptId = `${localId}/accepts/${await shortHash(`${followId} ${now}`)}`
  const accept = { '@context': AS_CONTEXT, id: acceptId, type: 'Accept', actor: localId, object: { id: followId, type: 'Follow', actor: signer.id, object: localId } }
  await saveActivity(c.env, acceptId, local.handle, 'Accept', JSON.stringify(accept), now).run()
  await enqueueAp(c.env.AP_QUEUE, [{ kind: 'ap-deliver', activityId: acceptId, actor: local.handle, inbox: signer.inbox }])
  return c.body(null, 202)
}

async function shortHash(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)))
  return [...d.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

