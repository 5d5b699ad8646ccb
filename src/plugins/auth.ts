/**
 * Who is calling: the token from the `X-CKAN-API-Key`, `Authorization` or
 * data.go.th's `api-key` header (or, failing those, an `api-key` request
 * parameter, which the transport passes in), resolved to a user. As in CKAN, an unknown
 * or expired token is not an error: the request continues as anonymous.
 * Depends on: db.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Caller } from '../ckan/action.js'
import { findToken } from '../db/queries/tokens.js'

/**
 * Checked in this order; the first header present is the one used. CKAN 2.10
 * reads X-CKAN-API-Key before Authorization; data.go.th's api-key comes last.
 */
export const TOKEN_HEADERS = ['x-ckan-api-key', 'authorization', 'api-key'] as const

declare module 'fastify' {
  interface FastifyRequest {
    /** the caller once identified: undefined = not looked up yet, null = anonymous */
    caller?: Caller | null
    /** `fallback`: a token given as a request parameter, used when no header carries one */
    identify: (fallback?: string | null) => Promise<Caller | null>
  }
}

export function presentedToken (request: FastifyRequest): string | null {
  for (const h of TOKEN_HEADERS) {
    const v = request.headers[h]
    const value = Array.isArray(v) ? v[0] : v
    // CKAN takes the raw header value; "Bearer <token>" is simply not a token
    if (value) return value.trim()
  }
  return null
}

// api_token_list shows last_access; writing it on every request would turn
// every read into a write, so it is refreshed at most once a minute per token.
const TOUCH_EVERY_MS = 60_000

function touchToken (app: FastifyInstance, id: string, last: Date | null) {
  if (last && Date.now() - last.getTime() < TOUCH_EVERY_MS) return
  app.db.kysely.updateTable('api_tokens').set({ last_access: new Date() }).where('id', '=', id).execute()
    .catch((err: unknown) => app.log.warn({ err, token_id: id }, 'could not record the token\'s last access'))
}

export default fp(async function auth (app: FastifyInstance) {
  app.decorateRequest('caller', undefined)
  app.decorateRequest('identify', async function (this: FastifyRequest, fallback?: string | null) {
    if (this.caller !== undefined) return this.caller
    const token = presentedToken(this) ?? fallback ?? null
    let caller: Caller | null = null
    if (token) {
      const row = await findToken(app.db.kysely, token)
      if (row) {
        touchToken(app, row.id, row.last_access)
        const user = await app.db.kysely.selectFrom('users').select(['id', 'name', 'sysadmin', 'state'])
          .where('id', '=', row.user_id).executeTakeFirst()
        if (user && user.state !== 'deleted') caller = { id: user.id, name: user.name, sysadmin: user.sysadmin, tokenId: row.id }
      }
    }
    this.caller = caller
    return caller
  })
}, { name: 'auth', dependencies: ['db'] })
