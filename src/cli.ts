#!/usr/bin/env node
/**
 * The `opend` command: serve, migrate, user add, token add, demo.
 * Every command reads the same environment as the server.
 */
import { parseArgs } from 'node:util'
import pino from 'pino'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openDatabase, type Db } from './db/factory.js'
import { migrateToLatest } from './db/migrate.js'
import { createToken } from './db/queries/tokens.js'
import { findUser, insertUser } from './db/queries/users.js'
import { isEmail, nameErrors } from './catalog/validators.js'
import { loadDemo } from './demo/load.js'
import { serve } from './server.js'

const USAGE = `usage:
  opend serve                                     start the API server (what npm start runs)
  opend migrate                                   bring the database schema up to date
  opend user add <name> [--sysadmin] [--email E]  create a user
  opend token add <user> [--name N] [--tier T]    create an API token; prints it alone on stdout
  opend demo                                      load the demo catalog (idempotent)
environment: PORT, HOST, DATABASE_URL, OPEND_DATA_DIR, OPEND_SITE_URL, LOG_LEVEL, ...`

class UsageError extends Error {}

async function withDb<T> (config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 })
  try {
    await migrateToLatest(db.kysely)
    return await fn(db)
  } finally {
    await db.close()
  }
}

async function main (argv: string[]): Promise<void> {
  const config = loadConfig()
  // command output goes to stdout; logs go to stderr so `token add` prints the token alone
  const log = pino({ level: config.logLevel }, pino.destination(2))
  const [cmd, sub, ...rest] = argv
  switch (cmd) {
    case 'serve':
      return serve(config)
    case 'migrate': {
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 })
      try {
        const results = await migrateToLatest(db.kysely)
        for (const r of results) process.stdout.write(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName}\n`)
        if (results.length === 0) process.stdout.write('the database is up to date\n')
      } finally { await db.close() }
      return
    }
    case 'demo':
      return withDb(config, async (db) => {
        const { created, skipped } = await loadDemo(db.kysely, config, log)
        process.stdout.write(`demo catalog: ${created} datasets created, ${skipped} already present\n`)
      })
    case 'user': {
      if (sub !== 'add') throw new UsageError(`unknown command: user ${sub ?? ''}`)
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { sysadmin: { type: 'boolean', default: false }, email: { type: 'string' } } })
      const name = positionals[0]
      if (!name || positionals.length > 1) throw new UsageError('user add takes one name')
      const bad = nameErrors(name)
      if (bad.length) throw new UsageError(`invalid user name "${name}": ${bad.join(', ')}`)
      if (values.email !== undefined && !isEmail(values.email)) throw new UsageError(`invalid e-mail address "${values.email}"`)
      return withDb(config, async (db) => {
        // not a usage mistake: one line, without the usage text
        if (await findUser(db.kysely, name)) throw new Error(`user "${name}" already exists`)
        const u = await insertUser(db.kysely, { name, email: values.email ?? null, sysadmin: values.sysadmin })
        process.stdout.write(`created user ${u.name} (${u.id})${u.sysadmin ? ', sysadmin' : ''}\n`)
      })
    }
    case 'token': {
      if (sub !== 'add') throw new UsageError(`unknown command: token ${sub ?? ''}`)
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string', default: 'cli' }, tier: { type: 'string', default: 'default' } } })
      const userRef = positionals[0]
      if (!userRef || positionals.length > 1) throw new UsageError('token add takes one user name')
      return withDb(config, async (db) => {
        const u = await findUser(db.kysely, userRef)
        if (!u) throw new Error(`no user "${userRef}" (create one with: opend user add ${userRef})`)
        const { token } = await createToken(db.kysely, u.id, values.name, values.tier)
        process.stdout.write(token + '\n')
      })
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n')
      return
    default:
      throw new UsageError(`unknown command: ${cmd}`)
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`opend: ${err.message}\n`)
  else if (err instanceof UsageError) process.stderr.write(`opend: ${err.message}\n${USAGE}\n`)
  else if (err instanceof Error && /parseArgs|Unknown option|ERR_PARSE_ARGS/.test(`${(err as { code?: string }).code ?? ''} ${err.message}`)) process.stderr.write(`opend: ${err.message}\n${USAGE}\n`)
  else process.stderr.write(`opend: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = process.exitCode || 1
})
