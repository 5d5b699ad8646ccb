/**
 * What an action is. Every CKAN action is one module exporting one
 * definition; the registry (src/actions/index.ts) lists them, and the HTTP
 * routes, OpenAPI, help_show and the GET/POST rule are all derived from it.
 */
import type { Static, TObject, TSchema } from 'typebox'
import type { Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Database } from '../db/database.js'
import type { Db } from '../db/factory.js'
import type { PackageCache } from '../catalog/package-cache.js'

export interface Caller {
  id: string
  name: string
  sysadmin: boolean
  tokenId: string | null
}

export interface ActionContext {
  /** for write actions, the transaction the whole action runs in */
  db: Kysely<Database>
  /** null for anonymous callers (and for JSONP calls, which CKAN runs anonymously) */
  user: Caller | null
  config: Config
  log: FastifyBaseLogger
  /** public package_show answers (absent outside the HTTP app, e.g. in the CLI) */
  packageCache?: PackageCache
  /** the request's path and query string, for answers that link to themselves (datastore_search's _links) */
  url?: string
  /** COPY output of the database (Db.copyTo), for DataStore answers PostgreSQL writes as CSV (absent outside the HTTP app) */
  copyTo?: Db['copyTo']
}

export interface Action<S extends TObject = TObject> {
  name: string
  /** GET-able, and run outside a transaction (CKAN's side_effect_free) */
  sideEffectFree: boolean
  /** the docstring help_show returns, and the OpenAPI description */
  help: string
  params: S
  result: TSchema
  /** an example request body for OpenAPI */
  example?: Record<string, unknown>
  /**
   * takes a file as the multipart part `upload` (CKAN's resource uploads):
   * the transport streams it to a temporary file and passes it as
   * `params.upload`, an Upload (src/ckan/multipart.ts)
   */
  acceptsUpload?: boolean
  /**
   * rate-limit units a call costs when more than one (issue #5: SQL, CSV
   * exports and faceted searches cost the server more than a lookup)
   */
  cost?: (params: Static<S>) => number
  /** callable without a key even in gateway mode (registering for one) */
  keyless?: boolean
  handler: (params: Static<S>, ctx: ActionContext) => Promise<unknown>
}

export function defineAction<S extends TObject> (action: Action<S>): Action<S> {
  return action
}
