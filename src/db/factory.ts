/**
 * The one place that knows there are two databases: Kysely over node-postgres
 * when DATABASE_URL is set, over embedded PGlite (persisted under
 * OPEND_DATA_DIR) otherwise. Everything else only sees Kysely<Database>.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import pg from 'pg'
import { from as pgCopyFrom, to as pgCopyTo } from 'pg-copy-streams'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Database } from './database.js'

// Counts and bigint columns arrive as strings by default; opend's bigints
// (resource sizes, counts) are far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v))

/** The contrib extensions opend's migrations create (pg_trgm: the search index's substring net). */
export const PGLITE_EXTENSIONS = { pg_trgm }

export type Dialect = 'postgres' | 'pglite'

export interface Db {
  kysely: Kysely<Database>
  dialect: Dialect
  close: () => Promise<void>
  /**
   * Subscribe to NOTIFY on a channel. `onState(true)` once the subscription
   * is up, `onState(false)` whenever it is lost (it is re-established by
   * itself). Returns the unsubscribe function.
   */
  listen: (channel: string, onMessage: (payload: string) => void, onState: (up: boolean) => void) => Promise<() => Promise<void>>
  /**
   * `COPY <target> FROM STDIN (FORMAT csv)` fed with `data`, outside any
   * transaction: node-postgres streams it on a connection of its own, PGlite
   * reads it as a blob while holding Kysely's only connection, so that no
   * other request's transaction is open on it meanwhile.
   */
  copyFrom: (target: string, csv: string) => Promise<void>
  /**
   * `COPY (<query>) TO STDOUT <options>` as chunks of bytes. node-postgres
   * streams them from a connection of its own as the consumer reads (a
   * consumer that stops early destroys that connection, ending the COPY);
   * PGlite, which has no COPY protocol, hands the whole output over as one
   * blob, so there the output of one statement is held in memory.
   */
  copyTo: (query: string, options: string) => AsyncIterable<Buffer>
}

/** A dedicated connection for LISTEN, reconnecting with a capped backoff. */
function pgListener (opts: DbOptions) {
  return async (channel: string, onMessage: (payload: string) => void, onState: (up: boolean) => void) => {
    let client: pg.Client | null = null
    let stopped = false
    let delay = 100
    const connect = async (): Promise<void> => {
      if (stopped) return
      const c = new pg.Client({ connectionString: opts.databaseUrl! })
      client = c
      const lost = () => {
        if (client !== c) return
        client = null
        onState(false)
        c.end().catch(() => {})
        if (!stopped) setTimeout(() => { connect().catch(() => {}) }, delay).unref()
        delay = Math.min(delay * 2, 5000)
      }
      c.on('error', lost)
      c.on('end', lost)
      c.on('notification', (n) => { if (n.channel === channel) onMessage(n.payload ?? '') })
      try {
        await c.connect()
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
        delay = 100
        onState(true)
      } catch {
        lost()
      }
    }
    await connect()
    return async () => {
      stopped = true
      const c = client
      client = null
      await c?.end().catch(() => {})
    }
  }
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

export class DatabaseBusyError extends Error {
  constructor (readonly dir: string, readonly pid: number) {
    super(`the embedded database in ${dir} is in use by another opend process (pid ${pid}); stop it first, or set DATABASE_URL to share a PostgreSQL database between processes`)
  }
}

/**
 * The embedded database lives in one process: a second process opening the
 * same directory (a CLI command while the server runs) would overwrite the
 * other's changes. A lock file holding the owner's pid refuses that; a lock
 * left by a process that no longer exists is taken over.
 */
function lockDataDir (dir: string): () => void {
  const lock = `${dir}.lock`
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    const pid = Number(readFileSync(lock, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DatabaseBusyError(dir, pid)
    }
    writeFileSync(lock, String(process.pid))
  }
  return () => { try { unlinkSync(lock) } catch {} }
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function openDatabase (opts: DbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    if (opts.schema && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name ${opts.schema}`)
    // JIT off: opend's statements are short, and a search over tens of
    // thousands of rows crosses jit_above_cost and then spends 50-60 ms
    // compiling, more than the query itself (bench/README.md)
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      options: ['-c jit=off', ...(opts.schema ? [`-c search_path=${opts.schema},public`] : [])].join(' ')
    })
    // an idle client losing its server must not crash the process; the next query reconnects
    pool.on('error', () => {})
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    const copyFrom = async (target: string, csv: string) => {
      const client = await pool.connect()
      try {
        await pipeline(Readable.from([csv]), client.query(pgCopyFrom(`COPY ${target} FROM STDIN (FORMAT csv)`)))
      } finally {
        client.release()
      }
    }
    const copyTo = async function * (query: string, options: string): AsyncIterable<Buffer> {
      const client = await pool.connect()
      let finished = false
      try {
        for await (const chunk of client.query(pgCopyTo(`COPY (${query}) TO STDOUT ${options}`))) yield chunk as Buffer
        finished = true
      } finally {
        // a COPY left half-read (an error, a client gone) cannot go back to the pool
        client.release(!finished)
      }
    }
    return { kysely, dialect: 'postgres', close: () => kysely.destroy(), listen: pgListener(opts), copyFrom, copyTo }
  }
  let client = opts.pglite
  let release = () => {}
  if (!client) {
    const dir = resolve(join(opts.dataDir, 'pglite'))
    mkdirSync(dir, { recursive: true })
    release = lockDataDir(dir)
    try {
      client = await PGlite.create({ dataDir: dir, extensions: PGLITE_EXTENSIONS })
    } catch (err) {
      release()
      throw err
    }
  }
  const pglite = client
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  // one embedded database, one process: its notifications never get lost
  const listen = async (channel: string, onMessage: (payload: string) => void, onState: (up: boolean) => void) => {
    const unsubscribe = await pglite.listen(channel, onMessage)
    onState(true)
    return unsubscribe
  }
  const copyFrom = (target: string, csv: string) => kysely.connection().execute(async () => {
    await pglite.query(`COPY ${target} FROM '/dev/blob' (FORMAT csv)`, [], { blob: new Blob([csv]) })
  })
  const copyTo = async function * (query: string, options: string): AsyncIterable<Buffer> {
    const blob = await kysely.connection().execute(async () =>
      (await pglite.query(`COPY (${query}) TO '/dev/blob' ${options}`)).blob)
    if (blob) yield Buffer.from(await blob.arrayBuffer())
  }
  return { kysely, dialect: 'pglite', close: async () => { await kysely.destroy(); release() }, listen, copyFrom, copyTo }
}
