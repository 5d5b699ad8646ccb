/**
 * build(t): the real app over a database of its own, torn down with the
 * test. On PostgreSQL (DATABASE_URL) each test file works in a schema of its
 * own; on PGlite each gets a clone of a migrated template. Tests talk HTTP
 * through inject, as clients do.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { openDatabase, type Db } from '../src/db/factory.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { createToken } from '../src/db/queries/tokens.js'
import { insertUser } from '../src/db/queries/users.js'
import { cloneTemplate } from './pglite-template.js'

interface Tap { teardown: (fn: () => unknown) => void }

export interface TestApp {
  app: FastifyInstance
  db: Db
  config: Config
  /** a sysadmin's token */
  admin: string
  /** POST a JSON body to /api/3/action/<name> */
  call: (name: string, body?: Record<string, unknown>, token?: string | null) => Promise<LightMyRequestResponse>
  /** create a user; returns its id, name and a token */
  user: (name: string, opts?: { sysadmin?: boolean, email?: string }) => Promise<{ id: string, name: string, token: string }>
}

/**
 * A second handle on a test database, as a second opend process would have
 * one (PostgreSQL: another pool on the same schema; PGlite: the same
 * embedded instance, which cannot be shared between processes).
 */
export async function openSecondHandle (t: Tap, first: Db): Promise<Db> {
  const db = first.dialect === 'postgres'
    ? await openDatabase({ databaseUrl: process.env.DATABASE_URL!, dataDir: '', schema: schemas.get(first), poolSize: 2 })
    : { ...first, close: async () => {} }
  t.teardown(() => db.close())
  return db
}

const schemas = new WeakMap<Db, string>()

/**
 * The search migration creates pg_trgm where the search_path points first,
 * which for a test would be its own schema, dropped with it. Made once in
 * public, it is shared by every test schema; parallel test files racing to
 * create it may see a duplicate, which is fine.
 */
async function ensureTrigramInPublic (admin: Db): Promise<void> {
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public`.execute(admin.kysely)
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err
  }
}

export async function openTestDb (t: Tap): Promise<Db> {
  const url = process.env.DATABASE_URL
  if (url) {
    const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 1 })
    await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.kysely)
    await ensureTrigramInPublic(admin)
    const db = await openDatabase({ databaseUrl: url, dataDir: '', schema, poolSize: 4 })
    await migrateToLatest(db.kysely)
    schemas.set(db, schema)
    t.teardown(async () => {
      await db.close()
      // the DataStore's tables live beside the catalog's schema (src/datastore/schema.ts)
      await sql.raw(`DROP SCHEMA IF EXISTS ${schema}_datastore, ${schema} CASCADE`).execute(admin.kysely)
      await admin.close()
    })
    return db
  }
  const db = await openDatabase({ databaseUrl: null, dataDir: '', pglite: await cloneTemplate() })
  t.teardown(() => db.close())
  return db
}

/**
 * Tests of other things make hundreds of calls a second from one address and
 * one key: the built-in tiers would refuse them. Rate-limit tests set their own.
 */
export const NO_LIMITS = '{"anonymous": {}, "default": {}}'

export async function build (t: Tap, env: Record<string, string> = {}): Promise<TestApp> {
  // uploaded files go under OPEND_DATA_DIR: a directory of the test's own, not the checkout's ./data
  const dataDir = mkdtempSync(join(tmpdir(), 'opend-test-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const config = loadConfig({ LOG_LEVEL: 'silent', OPEND_SITE_URL: 'http://test.opend', OPEND_DATA_DIR: dataDir, OPEND_RATE_LIMITS: NO_LIMITS, ...env })
  const db = await openTestDb(t)
  const app = await buildApp(config, db, { closeDb: false })
  t.teardown(() => app.close())
  const user = async (name: string, opts: { sysadmin?: boolean, email?: string } = {}) => {
    const u = await insertUser(db.kysely, { name, sysadmin: opts.sysadmin ?? false, email: opts.email ?? `${name}@example.org` })
    const { token } = await createToken(db.kysely, u.id, { name: 'test' })
    return { id: u.id, name: u.name, token }
  }
  const admin = (await user('admin', { sysadmin: true })).token
  const call = (name: string, body: Record<string, unknown> = {}, token: string | null = admin) =>
    app.inject({ method: 'POST', url: `/api/3/action/${name}`, payload: body, headers: token ? { authorization: token } : {} })
  return { app, db, config, admin, call, user }
}

/** The parsed body of a response, and its `result` when successful. */
export function json (res: LightMyRequestResponse): any {
  return JSON.parse(res.body)
}

/** Real CKAN 2.10 answers, from the shared reference beside the checkout. */
const FIXTURES = new URL('../../shared/reference/ckan-2.10-responses/', import.meta.url)
export const fixtureText = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8').trimEnd()
export const fixture = (name: string): any => JSON.parse(fixtureText(name))
/** A fixture's raw text, with the CKAN host it was recorded on replaced by the tests' site URL. */
export const rawFixture = (name: string, host: string): string => fixtureText(name).trim().replace(host, 'http://test.opend')

/** The result of a successful call; anything else throws with the body. */
export function ok (res: LightMyRequestResponse): any {
  if (res.statusCode !== 200) throw new Error(`expected 200, got ${res.statusCode}: ${res.body}`)
  const body = json(res)
  if (body.success !== true) throw new Error(`expected success: ${res.body}`)
  return body.result
}

/** The error object of a failed call, after checking its status. */
export function fails (res: LightMyRequestResponse, status: number): any {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`)
  const body = json(res)
  if (body.success !== false) throw new Error(`expected failure: ${res.body}`)
  return body.error
}

/** GET /api/3/action/<action> with a query string, as curl scripts call it. */
export const get = (app: TestApp, action: string, query: Record<string, string>, token?: string) =>
  app.app.inject({
    method: 'GET',
    url: `/api/3/action/${action}?${new URLSearchParams(query).toString()}`,
    headers: token ? { authorization: token } : {}
  })

/** Thai text in TIS-620 (Windows-874): U+0E01-U+0E5B are the bytes 0xA1-0xFB. */
export function tis620 (text: string): Buffer {
  return Buffer.from([...text].map((c) => {
    const cp = c.codePointAt(0)!
    if (cp < 0x80) return cp
    if (cp >= 0x0e01 && cp <= 0x0e5b) return cp - 0x0e00 + 0xa0
    throw new Error(`not in TIS-620: ${c}`)
  }))
}
