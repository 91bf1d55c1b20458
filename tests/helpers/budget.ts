/**
 * Counting what Cloudflare counts against an invocation's subrequests (50 on the Free plan): each
 * D1 query (a statement run, or each statement of a batch, the stricter reading), each queue send
 * and each outbound fetch. Local workerd enforces none of it, so the tests count.
 */
export interface Counts {
  d1: number
  queueSends: number
  fetches: number
}

export const total = (c: Counts) => c.d1 + c.queueSends + c.fetches

/** `base` with its DB and queues counted into `counts` (a test counts fetches from its fake server's calls). */
export function countingEnv(base: Env, counts: Counts): Env {
  const targets = new WeakMap<object, D1PreparedStatement>()
  const statement = (s: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(s, {
      get(target, name) {
        const value = Reflect.get(target, name, target)
        if (name === 'bind') return (...args: unknown[]) => statement((value as (...a: unknown[]) => D1PreparedStatement).apply(target, args))
        if (name === 'first' || name === 'all' || name === 'run' || name === 'raw') {
          return (...args: unknown[]) => {
            counts.d1++
            return (value as (...a: unknown[]) => unknown).apply(target, args)
          }
        }
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    targets.set(proxy, s)
    return proxy
  }
  const db = new Proxy(base.DB, {
    get(target, name) {
      const value = Reflect.get(target, name, target)
      if (name === 'prepare') return (sql: string) => statement(target.prepare(sql))
      if (name === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counts.d1 += statements.length
          return target.batch(statements.map((s) => targets.get(s) ?? s))
        }
      }
      if (name === 'exec') {
        return (sql: string) => {
          counts.d1++
          return target.exec(sql)
        }
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const queue = (q: Queue): Queue =>
    ({
      send: (...args: Parameters<Queue['send']>) => {
        counts.queueSends++
        return q.send(...args)
      },
      sendBatch: (...args: Parameters<Queue['sendBatch']>) => {
        counts.queueSends++
        return q.sendBatch(...args)
      },
    }) as Queue
  return { ...base, DB: db, HUB_QUEUE: queue(base.HUB_QUEUE), AP_QUEUE: queue(base.AP_QUEUE) }
}

export const zero = (): Counts => ({ d1: 0, queueSends: 0, fetches: 0 })
