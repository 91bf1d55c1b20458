/**
 * @module
 * The actors' signing key (RSASSA-PKCS1-v1_5 with SHA-256, 2048 bits: what Mastodon verifies).
 * From the `AP_PRIVATE_KEY` secret (PKCS#8 PEM, with `AP_PUBLIC_KEY` as SPKI PEM) when set;
 * otherwise generated once into D1 on first use, so `npm run dev` needs no secret. Never logged.
 */

export interface KeyPair {
  privateKey: CryptoKey
  publicPem: string
}

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)))
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`
}

/** The DER bytes of a PEM block. */
export function fromPem(pem: string): ArrayBuffer {
  const b64 = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '')
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
  return bytes.buffer
}

export function importPrivate(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', fromPem(pem), ALGORITHM, false, ['sign'])
}

export function importPublic(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', fromPem(pem), ALGORITHM, false, ['verify'])
}

async function generate(): Promise<{ privatePem: string; publicPem: string }> {
  const pair = (await crypto.subtle.generateKey({ ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair
  const pkcs8 = (await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer
  const spki = (await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer
  return { privatePem: toPem('PRIVATE KEY', pkcs8), publicPem: toPem('PUBLIC KEY', spki) }
}

interface KeyVars {
  AP_PRIVATE_KEY?: string
  AP_PUBLIC_KEY?: string
}

const cache = new WeakMap<object, Promise<KeyPair>>()

/** The key pair, read or generated once per isolate and env. */
export function keyPair(env: Env): Promise<KeyPair> {
  let pair = cache.get(env)
  if (!pair) {
    pair = load(env)
    cache.set(env, pair)
    pair.catch(() => cache.delete(env))
  }
  return pair
}

async function load(env: Env): Promise<KeyPair> {
  const vars = env as unknown as KeyVars
  if (vars.AP_PRIVATE_KEY) {
    if (!vars.AP_PUBLIC_KEY) throw new Error('AP_PRIVATE_KEY is set without AP_PUBLIC_KEY: set both with `wrangler secret put`')
    return { privateKey: await importPrivate(vars.AP_PRIVATE_KEY), publicPem: vars.AP_PUBLIC_KEY }
  }
  let row = await env.DB.prepare('SELECT private_pem, public_pem FROM ap_keys WHERE id = ?1').bind('main').first<{ private_pem: string; public_pem: string }>()
  if (!row) {
    const made = await generate()
    // Two isolates may race here: INSERT OR IGNORE keeps the first key, and both read it back.
    await env.DB.prepare('INSERT OR IGNORE INTO ap_keys (id, private_pem, public_pem, created_at) VALUES (?1, ?2, ?3, ?4)').bind('main', made.privatePem, made.publicPem, Date.now()).run()
    row = await env.DB.prepare('SELECT private_pem, public_pem FROM ap_keys WHERE id = ?1').bind('main').first<{ private_pem: string; public_pem: string }>()
    if (!row) throw new Error('ap_keys: the generated key was not stored (is migrations/0003_fediverse.sql applied?)')
  }
  return { privateKey: await importPrivate(row.private_pem), publicPem: row.public_pem }
}
