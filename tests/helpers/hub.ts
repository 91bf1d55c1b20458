/** Test doubles for the hub: a recording queue, a scripted subscriber, and a way to run jobs. */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { vi } from 'vitest'
import type { Content } from '../../src/content/article'
import { createApp } from '../../src/app'
import type { Herald } from '../../src/herald'
import { handleBatch } from '../../src/websub/consumer'
import type { HubJob } from '../../src/websub/jobs'
import { heraldOf, ORIGIN } from './worker'

/** A queue binding that records what is sent. */
export function recordingQueue() {
  const jobs: HubJob[] = []
  const queue = {
    async send(body: HubJob) {
      jobs.push(body)
    },
    async sendBatch(messages: Iterable<{ body: HubJob }>) {
      for (const m of messages) jobs.push(m.body)
    },
  } as unknown as Queue
  return { queue, jobs }
}

/** The worker's fetch over `content` (deployed at `builtAt`), with a recording queue and other vars. */
export function hubWorker(content: Content, vars: Record<string, string> = {}, builtAt?: Date) {
  const { queue, jobs } = recordingQueue()
  const source = heraldOf(content, builtAt)
  const app = createApp(source)
  const testEnv = { ...env, HUB_QUEUE: queue, ...vars } as Env
  return {
    jobs,
    env: testEnv,
    herald: (): Promise<Herald> => source(testEnv),
    request: (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, testEnv),
    subscribe: (form: Record<string, string>) =>
      app.request(ORIGIN + '/hub', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }, testEnv),
  }
}

export interface Call {
  method: string
  url: URL
  headers: Headers
  body: string
  redirect: RequestInit['redirect']
}

/** Replaces fetch with a subscriber that answers with `answer`; returns the calls it got. */
export function fakeSubscriber(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = []
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const call = { method: request.method, url: new URL(request.url), headers: request.headers, body: await request.text(), redirect: init?.redirect }
    calls.push(call)
    return answer(call)
  })
  return calls
}

/** A subscriber that confirms every verification by echoing the challenge, and accepts deliveries. */
export const echoChallenge = (call: Call) =>
  call.method === 'GET' ? new Response(call.url.searchParams.get('hub.challenge') ?? '', { status: 200 }) : new Response('ok', { status: 202 })

/** Runs jobs through the queue consumer as the queue would (attempt number given), and reports acks/retries. */
export function runJobs(testEnv: Env, herald: Herald, jobs: HubJob[], options: { attempts?: number; queue?: string } = {}) {
  return runBatch(options.queue ?? 'herald-hub', jobs, options.attempts ?? 1, (batch) => handleBatch(batch, testEnv, herald))
}

/** Runs one batch of `jobs` on `queue` through `handle`; reports acks, retries and the delay each retry asked for. */
export async function runBatch<T>(queue: string, jobs: T[], attempts: number, handle: (batch: MessageBatch<T>) => Promise<void>) {
  const messages = jobs.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body }))
  const batch = createMessageBatch<T>(queue, messages)
  const ctx = createExecutionContext()
  // The queue result lists retried messages; the delay each asked for is recorded here.
  const delays: Record<string, number | undefined> = {}
  const wrapped = {
    ...batch,
    queue: batch.queue,
    messages: batch.messages.map((m) => ({
      get id() { return m.id },
      get timestamp() { return m.timestamp },
      get body() { return m.body },
      get attempts() { return m.attempts },
      ack: () => m.ack(),
      retry: (options?: QueueRetryOptions) => {
        delays[m.id] = options?.delaySeconds
        m.retry(options)
      },
    })),
  } as MessageBatch<T>
  await handle(wrapped)
  return { ...(await getQueueResult(batch, ctx)), delays }
}
