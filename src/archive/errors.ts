/**
 * @module
 * What goes wrong with a deployed archive, said so that the operator knows which file and what to run.
 */
import { HTTPException } from 'hono/http-exception'
import { unavailable } from '../http/errors'

/**
 * The deploy is wrong, not the request: a missing, truncated or unparseable archive file. The
 * message names the file and what to run; a request that meets one is answered 503 with it (the
 * app's onError), and the queue and cron log it.
 */
export class ArchiveError extends HTTPException {
  constructor(message: string) {
    super(503, { message, res: unavailable(message).getResponse() })
  }
}

/** An archive file's JSON, or an ArchiveError naming the file when it does not parse. */
export function parseArchiveJson<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T
  } catch (err) {
    throw new ArchiveError(`archive file ${path} is damaged (${err instanceof Error ? err.message : String(err)}): run \`npm run build\``)
  }
}
