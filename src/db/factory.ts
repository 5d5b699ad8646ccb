/**
 * The one place that knows there are two databases: Kysely over node-postgres
 * when DATABASE_URL is set, over embedded PGlite (persisted under
 * OPEND_DATA_DIR) otherwise. Everything else only sees Kysely<Database>.
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { Database } from './database.js'

// Counts and bigint columns arrive as strings by default; opend's bigints
// (resource sizes, counts) are far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v))

export type Dialect = 'postgres' | 'pglite'

export interface Db {
  kysely: Kysely<Database>
  dialect: Dialect
  close: () => Promise<void>
}

export interface DbOptions {
  databaseUrl: string | null
  dataDir: string
  /** an already opened PGlite instance (tests clone a migrated template) */
  pglite?: PGlite
  /** PostgreSQL schema to work in (tests isolate each file in its own) */
  schema?: string
  poolSize?: number
}

export async function openDatabase (opts: DbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    if (opts.schema && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name ${opts.schema}`)
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema},public` } : {})
    })
    // an idle client losing its server must not crash the process; the next query reconnects
    pool.on('error', () => {})
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { kysely, dialect: 'postgres', close: () => kysely.destroy() }
  }
  let client = opts.pglite
  if (!client) {
    const dir = resolve(join(opts.dataDir, 'pglite'))
    mkdirSync(dir, { recursive: true })
    client = await PGlite.create({ dataDir: dir })
  }
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(client) })
  return { kysely, dialect: 'pglite', close: () => kysely.destroy() }
}
