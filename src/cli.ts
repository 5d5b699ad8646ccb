#!/usr/bin/env node
/**
 * The `opend` command: serve, migrate, user add, token add, demo, reindex.
 * Every command reads the same environment as the server.
 */
import cliProgress from 'cli-progress'
import pino from 'pino'
import { ConfigError, loadConfig } from './config.js'
import { DatabaseBusyError, openDatabase } from './db/factory.js'
import { migrateToLatest } from './db/migrate.js'
import { USAGE, describeError, parseDbCommand } from './cli/commands.js'
import { sendToServer } from './cli/control.js'
import { serve } from './server.js'

async function main (argv: string[]): Promise<void> {
  const config = loadConfig()
  const [cmd] = argv
  if (cmd === 'serve') return serve(config)
  if (cmd === undefined || ['help', '--help', '-h'].includes(cmd)) {
    process.stdout.write(USAGE + '\n')
    return
  }
  // checked before a database is opened: a typo costs nothing
  const command = parseDbCommand(argv)
  // command output goes to stdout; logs go to stderr so `token add` prints the token alone
  const log = pino({ level: config.logLevel }, pino.destination(2))
  let db
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 })
  } catch (err) {
    if (!(err instanceof DatabaseBusyError)) throw err
    // the server holds the embedded database: it runs the command for us
    const r = await sendToServer(config, argv).catch(() => { throw err })
    process.stdout.write(r.stdout)
    process.stderr.write(r.stderr)
    process.exitCode = r.code
    return
  }
  const bar = progressBar()
  try {
    if (cmd !== 'migrate') await migrateToLatest(db.kysely)
    await command({ db, config, log, out: (s) => process.stdout.write(s), progress: bar?.update })
  } finally {
    bar?.stop()
    await db.close()
  }
}

/** A progress bar on stderr, only when a person is watching it. */
function progressBar (): { update: (done: number, total: number) => void, stop: () => void } | null {
  if (!process.stderr.isTTY) return null
  const bar = new cliProgress.SingleBar({ stream: process.stderr, etaBuffer: 20 }, cliProgress.Presets.shades_classic)
  let started = false
  return {
    update: (done, total) => {
      if (!started) bar.start(total, done)
      started = true
      bar.setTotal(total)
      bar.update(done)
    },
    stop: () => { if (started) bar.stop() }
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `opend: ${err.message}\n` : describeError(err))
  process.exitCode = process.exitCode || 1
})
