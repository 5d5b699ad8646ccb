/**
 * The opend application as a Fastify plugin, and the server options shared
 * by the process (server.ts) and the tests, so both run the same app.
 */
import fp from 'fastify-plugin'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Config } from './config.js'
import type { Db } from './db/factory.js'
import { ACTIONS } from './actions/index.js'
import dbPlugin from './plugins/db.js'
import authPlugin from './plugins/auth.js'
import accessLog from './plugins/access-log.js'
import rateLimit from './plugins/rate-limit.js'
import usage from './plugins/usage.js'
import packageCache from './plugins/package-cache.js'
import datastoreDump from './plugins/datastore-dump.js'
import datastoreLoader from './plugins/datastore-loader.js'
import resourceDownload from './plugins/resource-download.js'
import developerPages from './plugins/developer-pages.js'
import transport, { errorHandler, helpUrl } from './ckan/transport.js'
import { asciiJson } from './ckan/json.js'
import { buildOpenApi } from './openapi.js'

/** Header values that must never reach a log line. */
export const REDACT = [
  'req.headers.authorization', 'req.headers["x-ckan-api-key"]', 'req.headers["api-key"]', 'req.headers["x-api-key"]',
  'headers.authorization', 'headers["x-ckan-api-key"]', 'headers["api-key"]', 'headers["x-api-key"]'
]

export function buildServerOptions (config: Config, pretty = false): FastifyServerOptions {
  return {
    logger: {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {})
    },
    // one access line per request comes from plugins/access-log.ts
    logController: new LogController({ disableRequestLogging: true }),
    // behind a load balancer, per-IP limits must see the client's address
    // (a hop count is one of Fastify's documented forms, though its types leave numbers out)
    trustProxy: config.trustProxy as boolean | string,
    bodyLimit: 10 * 1024 * 1024,
    requestTimeout: 120_000,
    return503OnClosing: true
  }
}

export interface AppOptions { config: Config, db: Db, closeDb: boolean }

async function opend (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  // datastore_search_sql by default only where a statement timeout holds (src/config.ts)
  const config: Config = { ...opts.config, datastoreSql: opts.config.datastoreSql ?? opts.db.dialect === 'postgres' }
  // Fastify binds a route's error handler when the route is added, so this
  // must come before the plugins that add routes.
  fastify.setErrorHandler(errorHandler(config))
  await fastify.register(dbPlugin, { db: opts.db, closeWithApp: opts.closeDb })
  await fastify.register(authPlugin, { config, keylessActions: new Set(ACTIONS.filter((a) => a.keyless).map((a) => a.name)) })
  await fastify.register(rateLimit, { config })
  await fastify.register(usage, { actions: new Set(ACTIONS.map((a) => a.name)) })
  await fastify.register(accessLog)
  await fastify.register(packageCache, { enabled: config.packageCache })
  await fastify.register(datastoreDump, { config })
  await fastify.register(datastoreLoader, { config })
  await fastify.register(resourceDownload, { config })
  await fastify.register(developerPages, { config })

  const document = buildOpenApi(ACTIONS)
  await fastify.register(swagger, { mode: 'static', specification: { document: document as never } })
  await fastify.register(swaggerUi, { routePrefix: '/docs' })
  fastify.get('/openapi.json', { schema: { hide: true }, config: { keyless: true } }, async (_req, reply) => reply.type('application/json;charset=utf-8').send(JSON.stringify(document)))

  await fastify.register(transport, { actions: ACTIONS, config })

  // CKAN answers the API root and version paths with a bare {"version": N}
  const version = (n: number) => async (_req: unknown, reply: { type: (t: string) => { send: (b: string) => unknown } }) =>
    reply.type('application/json;charset=utf-8').send(`{"version": ${n}}`)
  // open in gateway mode too: they say nothing but the API's version, and serve as the health check
  const open = { config: { keyless: true } }
  fastify.get('/api', open, version(1))
  fastify.get('/api/', open, version(1))
  for (const n of [1, 2, 3]) fastify.get(`/api/${n}`, open, version(n))

  fastify.setNotFoundHandler((request, reply) => {
    reply.code(404).type('application/json;charset=utf-8').send(
      `{"help": ${asciiJson(helpUrl(config, 'help_show'))}, "error": {"__type": "Not Found Error", "message": ${asciiJson(`Not found: no route ${request.method} ${request.url.split('?')[0]}`)}}, "success": false}`)
  })
}

/**
 * Not encapsulated, so that what the app's plugins decorate (flushUsage,
 * forgetKeys, ...) is reachable on the instance that registers it.
 */
export const app = fp(opend, { name: 'opend' })

/** A ready app over an open database: used by server.ts and the tests. */
export async function buildApp (config: Config, db: Db, opts: { closeDb?: boolean, logger?: FastifyServerOptions['logger'], pretty?: boolean } = {}): Promise<FastifyInstance> {
  const options = buildServerOptions(config, opts.pretty)
  if (opts.logger !== undefined) options.logger = opts.logger
  const fastify = Fastify(options)
  await fastify.register(app, { config, db, closeDb: opts.closeDb ?? true })
  await fastify.ready()
  return fastify
}
