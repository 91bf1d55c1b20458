/**
 * @module
 * Cloudflare's per-invocation limits that shape the queue consumers. Each D1 query, queue send and
 * outbound fetch is a subrequest, and the Free plan allows 50 an invocation (1,000 on Paid). A
 * hub delivery makes at most 7 (6 queries and its POST), so a batch holds 6, which is also the
 * number of connections an invocation may hold open at once; a fediverse delivery makes 5 (4 queries
 * and its POST), so its batch holds 8.
 * wrangler.toml's max_batch_size says the same numbers (tests/node/build.test.ts holds them to
 * these), and tests/worker/budget.test.ts counts each kind of invocation.
 */
export const FREE_PLAN_SUBREQUESTS = 50
/** max_batch_size of the hub's queue and its dead-letter queue. */
export const HUB_BATCH_SIZE = 6
/** max_batch_size of the fediverse's queue and its dead-letter queue. */
export const AP_BATCH_SIZE = 8
