/**
 * @module
 * Messages on the hub queue. The queue binding is untyped, so every send goes through `enqueue`.
 */

export type HubMode = 'subscribe' | 'unsubscribe'

export type HubJob =
  /**
   * Verification of intent (WebSub §5.3), or the `denied` notice (§5.2). `requestedAt` (ms) is
   * when POST /hub took the request: of two requests, the later one's state stands (§5.1).
   */
  | { kind: 'verify'; mode: HubMode; topic: string; callback: string; leaseSeconds: number; secret?: string; requestedAt?: number }
  /** One fat ping (§7) of `topic`'s content `fingerprint` to one subscriber. */
  | { kind: 'deliver'; topic: string; callback: string; fingerprint: string }
  /** hub.mode=publish to an external hub listed in HUB_EXTERNAL_HUBS. */
  | { kind: 'ping'; hub: string; topic: string }

/** Sends jobs, 100 at a time (the Queues batch limit). */
export async function enqueue(queue: Queue, jobs: readonly HubJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) {
    await queue.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body })))
  }
}
