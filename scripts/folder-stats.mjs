/**
 * The article folder's listing with each entry's size and mtime, taken on a second thread while
 * the build starts and loads its cache: at 100,000 articles it is what a one-edit rebuild waits
 * for longest (done about 0.3 s after the start, the build's modules loaded and its cache open at
 * about 0.2 s), and everything else comes after it. The build's own thread takes its share of the stats once it is free, and
 * the listing is kept for the next build, which reuses it while the folder's mtime says no entry
 * came or went. scripts/build.mjs starts it before it imports the build; a build called in-process
 * starts it itself. Nothing here decides anything: scripts/lib/cache/store.ts `knownHashes`
 * compares these figures exactly as it would its own. Plain JavaScript: it runs before anything is
 * compiled.
 */
import * as fs from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

/**
 * Whether the folder is large enough for the thread to pay: starting one costs about as much as
 * statting 20,000 files here. The last build's cache state says how large (about 170 bytes per
 * article in `.herald/cache/state.bin`, scripts/lib/cache/store.ts); without one, it is not.
 */
export function worthAThread(root) {
  return (fs.statSync(join(root, '.herald/cache/state.bin'), { throwIfNoEntry: false })?.size ?? 0) > 3_400_000
}

/** Where a build keeps the listing of content/articles/ (in the cache: deleting it lists again). */
export const LISTING = '.herald/cache/listing.json'

/** `statFolder` of the checkout's articles; `clean`: trust no listing kept from an earlier build. */
export function statArticles(root, clean = false) {
  return statFolder(join(root, 'content/articles'), clean ? undefined : join(root, LISTING))
}

/**
 * The checkout's `content/articles/` listed on this thread (a build without the stats thread), by
 * the same rule, the listing kept for the next build; `clean`: a new listing, whatever was kept.
 */
export function listArticles(root, clean = false) {
  return listFolder(fs, join(root, 'content/articles'), join(root, LISTING), !clean)
}

/** Files per claim: both threads take the next chunk not yet taken until none is left. */
const CHUNK = 512

/**
 * Stats the chunks of `names` no thread has claimed yet (`control[0]`: the next chunk), into the
 * shared `sizes` and `mtimes`, counting each done in `control[1]`; `control[2]` says a thread
 * failed. Runs on the thread and, once it is free, on the build's own thread too.
 */
function statChunks(fs, dir, names, shared, chunk) {
  const n = names.length
  const sizes = new Float64Array(shared, 0, n)
  const mtimes = new Float64Array(shared, 8 * n, n)
  const control = new Int32Array(shared, 16 * n, 3)
  const chunks = Math.ceil(n / chunk)
  try {
    for (let c; (c = Atomics.add(control, 0, 1)) < chunks; ) {
      for (let i = c * chunk; i < Math.min(n, (c + 1) * chunk); i++) {
        const stat = fs.statSync(dir + '/' + names[i])
        sizes[i] = stat.size
        mtimes[i] = stat.mtimeMs
      }
      Atomics.add(control, 1, 1)
      Atomics.notify(control, 1)
    }
  } catch (err) {
    Atomics.store(control, 2, 1)
    Atomics.notify(control, 1)
    throw err
  }
  return { sizes, mtimes, control, chunks }
}

/**
 * The folder's entries, sorted; from `listing` (the last listing a build made, and when) when the
 * folder's mtime says no entry was added, removed or renamed since (and `trust`): a new listing
 * otherwise, kept there for the next build. A folder's mtime moves on every such change; one within
 * the same clock tick as the listing's could keep it, so a listing taken within 2 s of it is not
 * trusted.
 */
function listFolder(fs, dir, listing, trust = true) {
  const before = fs.statSync(dir).mtimeMs
  if (listing && trust) {
    try {
      const text = fs.readFileSync(listing, 'utf8')
      const header = text.slice(0, text.indexOf('\n')).split(' ').map(Number)
      if (header[0] === before && before < header[1] - 2000) {
        const names = JSON.parse(text.slice(text.indexOf('\n') + 1))
        if (Array.isArray(names) && names.every((n) => typeof n === 'string')) return names
      }
    } catch {
      // none yet, or cut short: list
    }
  }
  const at = Date.now()
  const names = fs.readdirSync(dir).sort()
  if (listing) {
    try {
      const tmp = listing + '.' + process.pid + '.' + Math.random().toString(36).slice(2) + '.tmp'
      fs.writeFileSync(tmp, before + ' ' + at + '\n' + JSON.stringify(names))
      fs.renameSync(tmp, listing)
    } catch {
      // no cache folder (a clean build is making it): the next build lists again
    }
  }
  return names
}

// The thread's code, evaluated: no file to find from inside a bundle. It lists the folder, hands
// the listing over, then stats. (The functions it is made of take \`fs\` as an argument: their
// text must not name this module's imports, which a bundler or a test runner may rename.)
const THREAD = `
const { parentPort, workerData: { dir, listing } } = require('node:worker_threads')
const fs = require('node:fs')
${listFolder}
${statChunks}
const names = listFolder(fs, dir, listing)
const shared = new SharedArrayBuffer(16 * names.length + 12)
parentPort.postMessage({ names, shared })
statChunks(fs, dir, names, shared, ${CHUNK})
`

export function statFolder(dir, listing) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(THREAD, { eval: true, workerData: { dir, listing } })
    worker.once('message', ({ names, shared }) => {
      // This thread is free (the message waited for it): it takes chunks too, then waits for the
      // thread's last one.
      try {
        const { sizes, mtimes, control, chunks } = statChunks(fs, dir, names, shared, CHUNK)
        for (let done; (done = Atomics.load(control, 1)) < chunks; ) {
          if (Atomics.load(control, 2)) throw new Error('folder stats thread failed')
          Atomics.wait(control, 1, done, 100)
        }
        resolve({ names, sizes, mtimes })
      } catch (err) {
        reject(err)
      }
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`folder stats thread exited with ${code}`)))
  })
}

export function filesOf(stats, isFile) {
  const { names, sizes, mtimes } = stats
  const out = { names: [], sizes: new Float64Array(names.length), mtimes: new Float64Array(names.length) }
  for (let i = 0; i < names.length; i++) {
    if (!isFile(names[i])) continue
    out.sizes[out.names.length] = sizes[i]
    out.mtimes[out.names.length] = mtimes[i]
    out.names.push(names[i])
  }
  return out
}
