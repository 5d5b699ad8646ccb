/**
 * Configuration: read from the environment once, validated against one TypeBox
 * schema, frozen. Nothing else in opend reads process.env.
 */
import { readFileSync } from 'node:fs'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import { parseTiers, TierConfigError, type Tiers } from './limits/tiers.js'

const Bool = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')])

export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port to listen on' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to listen on' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL URL; unset = embedded PGlite' })),
  OPEND_DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'Where the embedded database and uploads live' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis URL for shared rate-limit counters' })),
  OPEND_SITE_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', description: 'Public base URL, used in help links (default http://HOST:PORT)' })),
  OPEND_SITE_TITLE: Type.String({ default: 'opend' }),
  OPEND_SITE_DESCRIPTION: Type.String({ default: '' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  OPEND_REQUIRE_API_KEY: Type.Optional(Bool),
  OPEND_RATE_LIMITS: Type.Optional(Type.String({ description: 'Rate-limit tiers as JSON in Kong\'s vocabulary, e.g. {"anonymous":{"minute":60},"default":{"second":10,"hour":1000}}' })),
  OPEND_RATE_LIMITS_FILE: Type.Optional(Type.String({ minLength: 1, description: 'A JSON file of rate-limit tiers; OPEND_RATE_LIMITS overrides it tier by tier' })),
  OPEND_REDIS_PREFIX: Type.String({ default: 'opend:', pattern: '^[^\\s]*$', description: 'Prefix of opend\'s Redis keys, for deployments sharing one Redis' }),
  OPEND_RATE_LIMITS_ON_REDIS_ERROR: Type.Union(['local', 'allow', 'deny'].map((l) => Type.Literal(l)), { default: 'local', description: 'While Redis is unreachable: count per process (local), admit everyone (allow) or answer 503 (deny)' }),
  OPEND_REGISTRATION: Type.Union(['open', 'approval', 'off'].map((l) => Type.Literal(l)), { default: 'open', description: 'Self-service API key registration at /register: keys work at once (open), after a sysadmin enables them (approval), or not offered (off)' }),
  OPEND_TERMS_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', description: 'The terms of use a registering developer accepts' })),
  OPEND_TRUST_PROXY: Type.Optional(Type.String({ minLength: 1, description: 'Behind a load balancer: true, a hop count, or the proxies\' addresses (comma-separated), so that per-IP limits see the client\'s address' })),
  OPEND_REQUIRE_GDC_METADATA: Type.Optional(Bool),
  OPEND_CREATE_UNOWNED_DATASET: Type.Optional(Bool),
  OPEND_DEMO: Type.Optional(Bool),
  OPEND_PACKAGE_CACHE: Type.Optional(Bool),
  OPEND_DATASTORE_SQL: Type.Optional(Bool),
  OPEND_DATASTORE_SQL_TIMEOUT: Type.Integer({ minimum: 1, default: 15, description: 'Seconds a datastore_search_sql statement may run' }),
  OPEND_DATASTORE_ROWS_MAX: Type.Integer({ minimum: 1, default: 32000, description: 'The most rows datastore_search returns per call and datastore_search_sql returns in all (CKAN\'s ckan.datastore.search.rows_max)' }),
  OPEND_SEARCH_CACHE_MATCHES: Type.Integer({ minimum: 0, default: 5000, description: 'Anonymous package_search answers matching at least this many datasets are kept in memory until a dataset changes' }),
  OPEND_UPLOAD_MAX_MB: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100, description: 'The largest file resource_create/resource_update accept as an upload, in MiB (CKAN\'s ckan.max_resource_size)' })
})

export type Env = Static<typeof EnvSchema>

export interface Config {
  port: number
  host: string
  databaseUrl: string | null
  dataDir: string
  redisUrl: string | null
  siteUrl: string
  siteTitle: string
  siteDescription: string
  logLevel: string
  /** gateway mode: every action needs a valid key (data.go.th's gateway) */
  requireApiKey: boolean
  rateLimits: Tiers
  onRedisError: 'local' | 'allow' | 'deny'
  redisPrefix: string
  registration: 'open' | 'approval' | 'off'
  termsUrl: string | null
  /** Fastify's trustProxy */
  trustProxy: boolean | number | string
  requireGdcMetadata: boolean
  createUnownedDataset: boolean
  /** load the demo catalog into an empty database at start */
  demo: boolean
  /** keep public package_show answers in memory (plugins/package-cache.ts) */
  packageCache: boolean
  /** anonymous package_search answers with at least this many matches are cached */
  searchCacheMatches: number
  /** datastore_search's cap on limit, and datastore_search_sql's on its rows */
  datastoreRowsMax: number
  /**
   * datastore_search_sql is served; null: on PostgreSQL only (src/app.ts
   * decides), because PGlite (PostgreSQL in single-threaded WebAssembly)
   * cannot interrupt a statement, so its statement timeout does not hold
   */
  datastoreSql: boolean | null
  datastoreSqlTimeoutSeconds: number
  /** the largest uploaded file accepted, in bytes (OPEND_UPLOAD_MAX_MB) */
  uploadMaxBytes: number
}

export class ConfigError extends Error {}

/** OPEND_TRUST_PROXY as Fastify takes it: a boolean, a hop count, or addresses. */
function trustProxy (v: string | undefined): boolean | number | string {
  if (v === undefined || v === 'false' || v === '0') return false
  if (v === 'true') return true
  return /^\d+$/.test(v) ? Number(v) : v
}

const asBool = (v: boolean | string | undefined, dflt: boolean): boolean =>
  v === undefined ? dflt : v === true || v === 'true' || v === '1'

/**
 * Validate an environment (process.env by default). Throws ConfigError with a
 * single line naming the first bad variable.
 */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(EnvSchema.properties)
  const raw: Record<string, string> = {}
  for (const k of known) {
    const v = env[k]
    if (v !== undefined && v !== '') raw[k] = v
  }
  const value = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw))
  const first = [...Value.Errors(EnvSchema, value)][0]
  if (first) {
    const name = first.instancePath.replace(/^\//, '') || 'environment'
    const given = raw[name] !== undefined ? ` (got ${JSON.stringify(raw[name])})` : ''
    const prop = (EnvSchema.properties as Record<string, { anyOf?: { const?: unknown }[] }>)[name]
    const choices = prop?.anyOf?.map((s) => s.const).filter((c) => typeof c === 'string')
    const message = choices?.length ? `must be one of ${choices.join(', ')}` : first.message
    throw new ConfigError(`invalid environment variable ${name}: ${message}${given}`)
  }
  const e = value as Env
  let rateLimits: Tiers
  try {
    const file = e.OPEND_RATE_LIMITS_FILE
    rateLimits = parseTiers(e.OPEND_RATE_LIMITS ?? null, file ? { path: file, text: readFileSync(file, 'utf8') } : null)
  } catch (err) {
    throw new ConfigError(`invalid rate limits: ${err instanceof TierConfigError ? err.message : (err as Error).message}`)
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.OPEND_DATA_DIR,
    redisUrl: e.REDIS_URL ?? null,
    siteUrl: (e.OPEND_SITE_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    siteTitle: e.OPEND_SITE_TITLE,
    siteDescription: e.OPEND_SITE_DESCRIPTION,
    logLevel: e.LOG_LEVEL,
    requireApiKey: asBool(e.OPEND_REQUIRE_API_KEY, false),
    rateLimits,
    onRedisError: e.OPEND_RATE_LIMITS_ON_REDIS_ERROR as Config['onRedisError'],
    redisPrefix: e.OPEND_REDIS_PREFIX,
    registration: e.OPEND_REGISTRATION as Config['registration'],
    termsUrl: e.OPEND_TERMS_URL ?? null,
    trustProxy: trustProxy(e.OPEND_TRUST_PROXY),
    requireGdcMetadata: asBool(e.OPEND_REQUIRE_GDC_METADATA, false),
    createUnownedDataset: asBool(e.OPEND_CREATE_UNOWNED_DATASET, false),
    demo: asBool(e.OPEND_DEMO, true),
    packageCache: asBool(e.OPEND_PACKAGE_CACHE, true),
    searchCacheMatches: e.OPEND_SEARCH_CACHE_MATCHES,
    datastoreRowsMax: e.OPEND_DATASTORE_ROWS_MAX,
    datastoreSql: e.OPEND_DATASTORE_SQL === undefined ? null : asBool(e.OPEND_DATASTORE_SQL, false),
    datastoreSqlTimeoutSeconds: e.OPEND_DATASTORE_SQL_TIMEOUT,
    uploadMaxBytes: e.OPEND_UPLOAD_MAX_MB * 2 ** 20
  })
}
