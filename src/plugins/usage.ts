/**
 * Usage per key, day and action (issue #5; data.go.th shows developers
 * theirs). Counted in memory and added to api_token_usage every few seconds
 * and when the app closes: one statement per flush instead of a write per
 * request. A flush that fails keeps its counts for the next one.
 * Depends on: auth (request.key), db.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { addUsage, type UsageBatch } from '../db/queries/tokens.js'

const FLUSH_EVERY_MS = 5000
const DAY_MS = 86_400_000

// the day's name, remade once a day rather than for every request
let today = ''
let tomorrow = 0
function utcDay (): string {
  const now = Date.now()
  if (now >= tomorrow) {
    today = new Date(now).toISOString().slice(0, 10)
    tomorrow = (Math.floor(now / DAY_MS) + 1) * DAY_MS
  }
  return today
}

declare module 'fastify' {
  interface FastifyInstance {
    /** write the counts gathered so far (tests, and shutdown) */
    flushUsage: () => Promise<void>
  }
  interface FastifyContextConfig {
    /** the name usage is counted under for a route that is not an action */
    usageName?: string
  }
}

export default fp(async function usage (app: FastifyInstance, opts: { actions: ReadonlySet<string> }) {
  let pending = new Map<string, UsageBatch>()

  function add (day: string, tokenId: string, action: string, requests: number, limited: number) {
    let batch = pending.get(day)
    if (!batch) pending.set(day, batch = new Map())
    let actions = batch.get(tokenId)
    if (!actions) batch.set(tokenId, actions = new Map())
    const n = actions.get(action)
    if (n) {
      n[0] += requests
      n[1] += limited
    } else {
      actions.set(action, [requests, limited])
    }
  }

  async function flush () {
    if (pending.size === 0) return
    const batches = pending
    pending = new Map()
    for (const [day, batch] of batches) {
      try {
        await addUsage(app.db.kysely, day, batch)
      } catch (err) {
        app.log.error({ err, day }, 'could not record API key usage; kept for the next try')
        for (const [tokenId, actions] of batch) {
          for (const [action, [requests, limited]] of actions) add(day, tokenId, action, requests, limited)
        }
      }
    }
  }

  app.decorate('flushUsage', flush)
  const timer = setInterval(() => { flush().catch(() => {}) }, FLUSH_EVERY_MS)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await flush()
  })

  app.addHook('onResponse', async (request) => {
    const key = request.key
    if (!key) return
    const name = request.actionName
    // unknown action names are one bucket, so a client cannot grow the table with made-up names
    const action = name !== undefined
      ? (opts.actions.has(name) ? name : 'unknown_action')
      : (request.routeOptions.config.usageName ?? 'other')
    add(utcDay(), key.tokenId, action, 1, request.rateLimited ? 1 : 0)
  })
}, { name: 'usage', dependencies: ['auth', 'db'] })
