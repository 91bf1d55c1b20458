/**
 * @module
 * What a request needs, opened once per isolate and configuration: the compiled archive (its
 * manifest; stories are read on demand) and the memo of rendered representations. Nothing here
 * sorts or indexes: the build did (src/build/compile.ts).
 */
import { Archive, ArchiveError, type ReadFile } from './archive/archive'
import { readConfig, type Config, type ConfigVars } from './config'
import { FastLane } from './http/fast-lane'
import { RepresentationMemo } from './http/representation'

export interface Herald {
  config: Config
  archive: Archive
  /** Rendered feeds, previews, pages and OPML, by key, within a byte budget. */
  memo: RepresentationMemo
  /** The deploy and the archive, as the edge cache's keys name them. */
  version: string
  /** Memoised feeds by URL, answered before routing (src/http/fast-lane.ts). */
  fast: FastLane
}

/**
 * Gives the Herald for an env, opening the archive on first use; `opened`, the one already open,
 * without waiting; `forget`, drops every one opened, for the next request to open the archive again
 * (`npm run dev` after revising it in place: src/http/dev-reload.ts).
 */
export type HeraldSource = ((env: ConfigVars) => Promise<Herald>) & { opened: (env: ConfigVars | undefined) => Herald | undefined; forget: () => void }

/** Where an env's archive files are read from. */
export type ArchiveFiles = (env: ConfigVars) => ReadFile

/** The archive as deployed: the files of the `ARCHIVE` static-assets binding (wrangler.toml `[assets]`). */
export const assetFiles: ArchiveFiles = (env) => {
  const assets = (env as Partial<Env>).ARCHIVE
  if (!assets) throw new ArchiveError('no ARCHIVE binding: wrangler.toml [assets] must name the directory `npm run build` writes')
  // The host is never contacted: an assets binding answers from the deployed files.
  const get = async (path: string) => {
    const res = await assets.fetch(new Request(`https://archive.invalid/${path}`))
    if (res.status === 404) return undefined
    if (!res.ok) throw new ArchiveError(`archive file ${path}: status ${res.status}`)
    return res
  }
  return Object.assign(async (path: string) => (await get(path))?.text(), {
    bytes: async (path: string) => {
      const res = await get(path)
      return res && new Uint8Array(await res.arrayBuffer())
    },
  })
}

export interface HeraldOptions {
  /** The memo's budget in bytes (default MEMO_BUDGET); tests set a small one. */
  memoBudget?: { hot: number; tail: number }
  /** Bytes of parsed archive files kept (default ARCHIVE_FILE_BUDGET). */
  fileBudget?: number
}

export function heraldFor(files: ArchiveFiles, options: HeraldOptions = {}): HeraldSource {
  const opened = new Map<string, Promise<Herald>>()
  // The env object is the same for every request of an isolate: look it up by identity first.
  let byEnv = new WeakMap<object, Promise<Herald>>()
  let open = new WeakMap<object, Herald>()
  const source = (env: ConfigVars): Promise<Herald> => {
    const known = byEnv.get(env)
    if (known) return known
    const key = JSON.stringify([env.SITE_URL, env.FEED_SIZE, env.FEED_CACHE_CONTROL, env.PAGE_CACHE_CONTROL])
    let herald = opened.get(key)
    if (!herald) {
      const config = readConfig(env)
      const deploy = (env as Partial<Env>).CF_VERSION_METADATA?.id ?? 'local'
      herald = Archive.open(files(env), config.origin, options.fileBudget).then((archive) => {
        const memo = new RepresentationMemo(options.memoBudget)
        return { config, archive, memo, version: `${deploy}-${archive.fingerprint}`, fast: new FastLane(memo, (t) => archive.lastChangeAtOrBefore(t)) }
      })
      opened.set(key, herald)
      // A failed open (archive not built yet under `wrangler dev`) is retried by the next request.
      herald.catch(() => opened.get(key) === herald && opened.delete(key))
    }
    // Into the maps of its time: an archive forgotten while it opened is not remembered after.
    const [pending, ready] = [byEnv, open]
    pending.set(env, herald)
    herald.then((h) => ready.set(env, h)).catch(() => pending.delete(env))
    return herald
  }
  const forget = () => {
    opened.clear()
    byEnv = new WeakMap()
    open = new WeakMap()
  }
  return Object.assign(source, { opened: (env: ConfigVars | undefined) => (env ? open.get(env) : undefined), forget })
}
