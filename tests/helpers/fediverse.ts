/**
 * Test doubles for the fediverse: a remote server (actor documents, an inbox that records what it
 * is sent) behind a mocked fetch, its own draft-cavage signer and verifier (written here, not
 * imported from src/fediverse/), a recording AP queue, and a way to run its jobs.
 */
import { env } from 'cloudflare:workers'
import { vi } from 'vitest'
import { createApp } from '../../src/app'
import type { Content } from '../../src/content/article'
import type { ApJob } from '../../src/fediverse/jobs'
import { handleApBatch } from '../../src/fediverse/consumer'
import type { Herald } from '../../src/herald'
import { runBatch } from './hub'
import { heraldOf, ORIGIN } from './worker'

export const REMOTE = 'https://remote.example'
const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const
const te = new TextEncoder()
const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)))

export interface RemoteUser {
  id: string
  inbox: string
  keyId: string
  keys: CryptoKeyPair
  publicPem: string
}

export async function remoteUser(name: string): Promise<RemoteUser> {
  const keys = (await crypto.subtle.generateKey({ ...ALG, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair
  const spki = (await crypto.subtle.exportKey('spki', keys.publicKey)) as ArrayBuffer
  const publicPem = `-----BEGIN PUBLIC KEY-----\n${b64(spki).replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n`
  const id = `${REMOTE}/users/${name}`
  return { id, inbox: `${id}/inbox`, keyId: `${id}#main-key`, keys, publicPem }
}

export function actorDoc(u: RemoteUser) {
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: u.id,
    type: 'Person',
    preferredUsername: u.id.split('/').pop(),
    inbox: u.inbox,
    endpoints: { sharedInbox: `${REMOTE}/inbox` },
    publicKey: { id: u.keyId, owner: u.id, publicKeyPem: u.publicPem },
  }
}

/** A POST signed the way Mastodon signs it. `tamper` changes what is sent after signing. */
export async function signedPost(path: string, activity: unknown, signer: RemoteUser, options: {
    date?: Date
    body?: string
    headers?: string
    keyId?: string
    algorithm?: string
    /** The Signature header's `created` and `expires` (Unix seconds), for `(created)` and `(expires)`. */
    created?: number
    expires?: number
    /** Written in the header in place of `created`, after signing (a tampered parameter). */
    claimCreated?: number
  } = {},
) {
  const body = JSON.stringify(activity)
  const url = new URL(ORIGIN + path)
  const date = (options.date ?? new Date()).toUTCString()
  const digest = `SHA-256=${b64(await crypto.subtle.digest('SHA-256', te.encode(body)))}`
  const names = (options.headers ?? '(request-target) host date digest content-type').split(' ')
  const values: Record<string, string> = { '(request-target)': `post ${url.pathname}`, host: url.host, date, digest, 'content-type': 'application/activity+json', '(created)': String(options.created), '(expires)': String(options.expires) }
  const text = names.map((n) => `${n}: ${values[n]}`).join('\n')
  const signature = b64(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signer.keys.privateKey, te.encode(text)))
  return {
    method: 'POST',
    headers: {
      Date: date,
      Digest: digest,
      'Content-Type': 'application/activity+json',
      Signature: [
        `keyId="${options.keyId ?? signer.keyId}"`,
        `algorithm="${options.algorithm ?? 'rsa-sha256'}"`,
        ...(options.created !== undefined ? [`created=${options.claimCreated ?? options.created}`] : []),
        ...(options.expires !== undefined ? [`expires=${options.expires}`] : []),
        `headers="${names.join(' ')}"`,
        `signature="${signature}"`,
      ].join(','),
    },
    body: options.body ?? body,
  } satisfies RequestInit
}

export interface Received {
  url: string
  headers: Headers
  body: string
  json: Record<string, unknown>
}

/**
 * The remote server behind fetch: serves `users`' actor documents (signed GETs or not), records
 * every POST, and answers it with `inboxStatus()`.
 */
export function remoteServer(users: RemoteUser[], options: { inboxStatus?: () => number; gone?: string[] } = {}) {
  const received: Received[] = []
  const gets: { url: string; headers: Headers }[] = []
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (request.method === 'GET') {
      gets.push({ url: request.url, headers: request.headers })
      if (options.gone?.includes(request.url)) return new Response('gone', { status: 410 })
      const user = users.find((u) => u.id === request.url)
      return user ? Response.json(actorDoc(user), { headers: { 'Content-Type': 'application/activity+json' } }) : new Response('no', { status: 404 })
    }
    const body = await request.text()
    received.push({ url: request.url, headers: request.headers, body, json: JSON.parse(body) })
    return new Response(null, { status: options.inboxStatus?.() ?? 202 })
  })
  return { received, gets }
}

/** Verifies a delivery as a receiving server would, with the key from the actor document Herald serves. */
export async function verifyDelivery(r: Received, publicPem: string): Promise<boolean> {
  const params = Object.fromEntries([...r.headers.get('signature')!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
  const url = new URL(r.url)
  const text = params.headers!.split(' ').map((n: string) => (n === '(request-target)' ? `(request-target): post ${url.pathname}` : `${n}: ${n === 'host' ? url.host : r.headers.get(n)}`)).join('\n')
  const der = Uint8Array.from(atob(publicPem.replace(/-----[A-Z ]+-----|\s/g, '')), (c) => c.charCodeAt(0))
  const key = await crypto.subtle.importKey('spki', der, ALG, false, ['verify'])
  const digest = `SHA-256=${b64(await crypto.subtle.digest('SHA-256', te.encode(r.body)))}`
  if (r.headers.get('digest') !== digest) return false
  return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, Uint8Array.from(atob(params.signature!), (c) => c.charCodeAt(0)), te.encode(text))
}

/** The worker over `content` with a recording AP queue. */
export function fediWorker(content: Content, builtAt?: Date) {
  const jobs: ApJob[] = []
  const queue = {
    async send(body: ApJob) { jobs.push(body) },
    async sendBatch(messages: Iterable<{ body: ApJob }>) { for (const m of messages) jobs.push(m.body) },
  } as unknown as Queue
  const source = heraldOf(content, builtAt)
  const app = createApp(source)
  const testEnv = { ...env, AP_QUEUE: queue } as Env
  return {
    jobs,
    env: testEnv,
    herald: (): Promise<Herald> => source(testEnv),
    request: (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, testEnv),
  }
}

/** `who` follows the local actor `object` through the shared inbox; the Follow is accepted. */
export async function follow(w: ReturnType<typeof fediWorker>, who: RemoteUser, object: string): Promise<void> {
  const res = await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${who.id}#follow-${object}`, type: 'Follow', actor: who.id, object }, who))
  if (res.status !== 202) throw new Error(`Follow of ${object} by ${who.id}: ${res.status} ${await res.text()}`)
}

/** Runs AP jobs through the consumer as the queue would; reports acks, retries and delays. */
export function runApJobs(testEnv: Env, herald: Herald, jobs: ApJob[], options: { attempts?: number; queue?: string } = {}) {
  return runBatch(options.queue ?? 'herald-ap', jobs, options.attempts ?? 1, (batch) => handleApBatch(batch, testEnv, herald))
}
