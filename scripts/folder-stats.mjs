/**
 * The article folder's listing with each entry's size and mtime, taken on a second thread while
 * the build starts and loads its cache: at 100,000 articles the stats alone are a fifth of a
 * one-edit rebuild, and loading the build's modules and its cache takes about as long.
 * scripts/build.mjs starts it before it imports the build; a build called in-process starts it
 * itself. Nothing here decides anything: scripts/lib/cache/store.ts `knownHashes` compares these
 * figures exactly as it would its own. Plain JavaScript: it runs before anything is compiled.
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

/**
 * Whether the folder is large enough for the thread to pay: starting one costs about as much as
 * statting 20,000 files here. The last build's cache state says how large (about 210 bytes per
 * article in `.herald/cache/state.json`, scripts/lib/cache/store.ts); without one, it is not.
 */
export function worthAThread(root) {
  return (statSync(join(root, '.herald/cache/state.json'), { throwIfNoEntry: false })?.size ?? 0) > 4_000_000
}

// The thread's code, evaluated: no file to find from inside a bundle.
const THREAD = `
const { parentPort, workerData: dir } = require('node:worker_threads')
const { readdirSync, statSync } = require('node:fs')
const names = readdirSync(dir).sort()
const sizes = new Float64Array(names.length)
const mtimes = new Float64Array(names.length)
for (let i = 0; i < names.length; i++) {
  const stat = statSync(dir + '/' + names[i])
  sizes[i] = stat.size
  mtimes[i] = stat.mtimeMs
}
parentPort.postMessage({ names, sizes, mtimes }, [sizes.buffer, mtimes.buffer])
`

export function statFolder(dir) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(THREAD, { eval: true, workerData: dir })
    worker.once('message', (stats) => {
      resolve(stats)
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
