/**
 * Who is calling. The key comes from a header or the query string, in one
 * order (KEY_SOURCES); a key sent as a CKAN body parameter is read by the
 * transport, once the body is parsed. Lookups are remembered for a few
 * seconds, so a read costs no database round trip for its key, and a key
 * revoked, disabled or moved to another tier on any instance takes effect
 * everywhere within KEY_CACHE_MS.
 *
 * As in CKAN, an unknown, disabled or expired key is not an error: the call
 * runs as anonymous. In gateway mode (OPEND_REQUIRE_API_KEY, data.go.th's
 * gateway) every API request needs a valid key, and the refusal says why with
 * API Umbrella's codes.
 * Depends on: db.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Caller } from '../ckan/action.js'
import type { Config } from '../config.js'
import { AuthorizationError } from '../ckan/errors.js'
import { lookupKey, type KeyLookup } from '../db/queries/tokens.js'
import { eager } from './eager-hook.js'

/**
 * Where a key may be sent, in order; the first present is the one used.
 * CKAN 2.10 reads X-CKAN-API-Key before Authorization; data.go.th sends
 * api-key; api.data.gov clients send X-Api-Key or ?api_key=. Headers come
 * before the query string, as API Umbrella's tests fix it.
 */
export const KEY_HEADERS = ['x-ckan-api-key', 'authorization', 'api-key', 'x-api-key'] as const
export const KEY_QUERY_PARAMS = ['api-key', 'api_key'] as const

/** How long a key's lookup is trusted: a change reaches every instance within this. */
export const KEY_CACHE_MS = 3000
const KEY_CACHE_MAX = 10_000

/** The key a request carries in a header or its query string, or null. */
export function presentedKey (request: FastifyRequest): string | null {
  for (const h of KEY_HEADERS) {
    const v = request.headers[h]
    const value = Array.isArray(v) ? v[0] : v
    // CKAN takes the raw header value; "Bearer <token>" is simply not a token
    if (value) return value.trim()
  }
  const q = request.query as Record<string, unknown> | undefined
  for (const p of KEY_QUERY_PARAMS) {
    const v = q?.[p]
    if (typeof v === 'string' && v !== '') return v.trim()
  }
  return null
}

/** The key behind an identified caller: what the rate limiter and usage counts need. */
export interface KeyInfo {
  tokenId: string
  tier: string
  /** what the rate limiter counts the key under, made once per lookup rather than per request */
  subject: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the caller once identified: undefined = not looked up yet, null = anonymous */
    caller?: Caller | null
    /** set when the caller was identified by a valid key */
    key?: KeyInfo | null
    /** `fallback`: a key given as a body parameter, used when no header or query parameter carries one */
    identify: (fallback?: string | null) => Promise<Caller | null>
  }
  interface FastifyContextConfig {
    /** pages served without a key even in gateway mode (docs, registration) */
    keyless?: boolean
  }
}

// api_token_list shows last_access; writing it on every request would turn
// every read into a write, so it is refreshed at most once a minute per token.
const TOUCH_EVERY_MS = 60_000

/** Swagger UI's own routes, which cannot carry route config. */
export const isDocs = (url: string) => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?')

export default fp(async function auth (app: FastifyInstance, opts: { config: Config, keylessActions: ReadonlySet<string> }) {
  /** a lookup, with the caller and key it identifies built once for all the requests it serves */
  interface Known { found: KeyLookup, caller: Caller | null, key: KeyInfo | null, until: number }
  const cache = new Map<string, Known>()
  const touched = new Map<string, number>()

  function touch (tokenId: string, last: Date | null) {
    const now = Date.now()
    const seen = Math.max(last?.getTime() ?? 0, touched.get(tokenId) ?? 0)
    if (now - seen < TOUCH_EVERY_MS) return
    // a bound on memory, not a correctness matter: forgetting only costs an extra write
    if (touched.size >= KEY_CACHE_MAX) touched.clear()
    touched.set(tokenId, now)
    app.db.kysely.updateTable('api_tokens').set({ last_access: new Date(now) }).where('id', '=', tokenId).execute()
      .catch((err: unknown) => app.log.warn({ err, token_id: tokenId }, 'could not record the token\'s last access'))
  }

  function remember (key: string, found: KeyLookup, now: number): Known {
    const known: Known = found.status === 'ok'
      ? { found, caller: Object.freeze({ ...found.user, tokenId: found.tokenId }), key: Object.freeze({ tokenId: found.tokenId, tier: found.tier, subject: `k:${found.tokenId}` }), until: now + KEY_CACHE_MS }
      : { found, caller: null, key: null, until: now + KEY_CACHE_MS }
    if (cache.size >= KEY_CACHE_MAX) cache.delete(cache.keys().next().value!)
    cache.delete(key)
    cache.set(key, known)
    return known
  }

  /** The caller a key identifies: at once when it was looked up in the last KEY_CACHE_MS. */
  function resolve (request: FastifyRequest, key: string): KeyLookup | Promise<KeyLookup> {
    const now = Date.now()
    const hit = cache.get(key)
    if (hit && hit.until > now) return identified(request, hit)
    return lookupKey(app.db.kysely, key).then((found) => identified(request, remember(key, found, now)))
  }

  function identified (request: FastifyRequest, known: Known): KeyLookup {
    const found = known.found
    if (found.status === 'ok') touch(found.tokenId, found.lastAccess)
    request.caller = known.caller
    request.key = known.key
    return found
  }

  app.decorate('forgetKeys', () => { cache.clear() })
  app.decorateRequest('caller', undefined)
  app.decorateRequest('key', null)
  app.decorateRequest('identify', async function (this: FastifyRequest, fallback?: string | null) {
    if (this.caller !== undefined) return this.caller
    // the onRequest hook below found no key in the headers or the query string: only the fallback is left
    if (!fallback) {
      this.caller = null
      return null
    }
    await resolve(this, fallback)
    return this.caller ?? null
  })

  const getKey = `${opts.config.siteUrl}/register`
  /**
   * Gateway mode's refusal, or null. It is thrown in preParsing, after every
   * onRequest hook: the rate limiter has then counted the request against
   * its address, so a flood of made-up keys (each a database lookup) is held
   * to the anonymous tier like any other anonymous traffic.
   */
  function refusal (request: FastifyRequest, found: KeyLookup | null): AuthorizationError | null {
    // a valid key passes everywhere: decided before request.routeOptions, which Fastify builds afresh on every read
    if (!opts.config.requireApiKey || found?.status === 'ok' || request.routeOptions.config.keyless || isDocs(request.url)) return null
    if (request.actionName !== undefined && opts.keylessActions.has(request.actionName)) return null
    if (!found) return new AuthorizationError(`No API key was supplied. Get one at ${getKey} and send it in the api-key header.`, { code: 'API_KEY_MISSING' })
    switch (found.status) {
      case 'invalid': return new AuthorizationError(`An invalid API key was supplied. Get one at ${getKey}.`, { code: 'API_KEY_INVALID' })
      case 'disabled': return new AuthorizationError('The API key supplied has been disabled. Contact the site\'s administrators.', { code: 'API_KEY_DISABLED' })
      case 'pending': return new AuthorizationError('The API key supplied awaits a sysadmin\'s approval.', { code: 'API_KEY_DISABLED' })
      case 'expired': return new AuthorizationError(`The API key supplied has expired. Get a new one at ${getKey}.`, { code: 'API_KEY_EXPIRED' })
    }
  }
  const refusals = new WeakMap<FastifyRequest, AuthorizationError>()

  function gate (request: FastifyRequest, found: KeyLookup | null): void {
    const refused = refusal(request, found)
    if (refused) refusals.set(request, refused)
  }

  app.addHook('onRequest', eager((request) => {
    // action routes: the name is known before the body is read, for the help link of a refusal
    const name = (request.params as { name?: unknown } | undefined)?.name
    if (typeof name === 'string') request.actionName = name
    const key = presentedKey(request)
    // without a key here the caller stays unknown: the transport may still find one in the body
    if (!key) return gate(request, null)
    const found = resolve(request, key)
    if (found instanceof Promise) return found.then((f) => gate(request, f))
    gate(request, found)
  }))
  if (opts.config.requireApiKey) {
    app.addHook('preParsing', (request, _reply, payload, done) => {
      done(refusals.get(request) ?? null, payload)
    })
  }
}, { name: 'auth', dependencies: ['db'] })

declare module 'fastify' {
  interface FastifyInstance {
    /** drop remembered key lookups: this process sees a key's change at once */
    forgetKeys: () => void
  }
}
