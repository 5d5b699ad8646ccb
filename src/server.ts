/**
 * The server process: open the database, migrate, rebuild a stale search
 * index, load the demo catalog into
 * an empty database, listen, and close gracefully on signals.
 */
import { createRequire } from 'node:module'
import type { Server } from 'node:net'
import closeWithGrace from 'close-with-grace'
import { sql } from 'kysely'
import type { Config } from './config.js'
import { buildApp } from './app.js'
import { openDatabase, type Db } from './db/factory.js'
import { migrateToLatest } from './db/migrate.js'
import { isCatalogEmpty, loadDemo } from './demo/load.js'
import { listenControl } from './cli/control.js'
import { ensureSearchIndex } from './search/reindex.js'

// pino-pretty is a dev dependency: a production install (the Docker image)
// run on a terminal (docker run -it) must fall back to JSON logs, not crash.
function canPrettyPrint (): boolean {
  if (!process.stdout.isTTY) return false
  try {
    createRequire(import.meta.url).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
}

/**
 * Servers starting together on one PostgreSQL database (several instances
 * behind a load balancer) would each find the catalog empty and load the
 * demo into it at once, and all but one fail on the names the first wrote.
 * A session advisory lock, held on a connection of its own, lets one do it
 * while the others wait, then find the catalog full. PGlite's database
 * belongs to one process, and has one connection, which the lock would hold.
 */
async function oneServerAtATime (db: Db, fn: () => Promise<void>): Promise<void> {
  if (db.dialect !== 'postgres') return await fn()
  await db.kysely.connection().execute(async (c) => {
    await sql`SELECT pg_advisory_lock(hashtext('opend:start'))`.execute(c)
    try {
      await fn()
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext('opend:start'))`.execute(c)
    }
  })
}

export async function serve (config: Config): Promise<void> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  const app = await buildApp(config, db, { pretty: canPrettyPrint() })
  let control: Server | null = null
  try {
    const applied = await migrateToLatest(db.kysely)
    for (const m of applied) app.log.info({ migration: m.migrationName, status: m.status }, 'migration')
    await ensureSearchIndex(db.kysely, app.log)
    if (config.demo) {
      await oneServerAtATime(db, async () => {
        if (!await isCatalogEmpty(db.kysely)) return
        const { created } = await loadDemo(db.kysely, config, app.log)
        app.log.info({ datasets: created }, 'loaded the demo catalog into the empty database')
      })
    }
    await app.listen({ port: config.port, host: config.host })
    // the CLI's database commands reach the embedded database through us
    if (db.dialect === 'pglite') {
      control = await listenControl(config, db, app.log).catch((err: unknown) => {
        app.log.warn({ err }, 'no control socket: opend commands cannot reach the embedded database while this server runs')
        return null
      })
    }
  } catch (err) {
    app.log.fatal({ err }, 'could not start')
    await app.close()
    process.exitCode = 1
    return
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  // the one line a newcomer looks for, on stdout whatever the log level
  process.stdout.write(`opend is listening on http://${shown.includes(':') ? `[${shown}]` : shown}:${port} (${db.dialect === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})\n`)
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    control?.close()
    await app.close()
  })
}
