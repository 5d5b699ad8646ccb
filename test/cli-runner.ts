/**
 * The `opend` command as users run it, for tests: a real process per
 * command over a database of its own (a temporary PGlite directory, or a
 * throwaway PostgreSQL database when DATABASE_URL is set, since the CLI has
 * no schema setting).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { openDatabase, type Db } from '../src/db/factory.js'

const ROOT = resolve(import.meta.dirname, '..')
const CLI = join(ROOT, 'src', 'cli.ts')
export const COMMAND_TIMEOUT = 120_000

export interface CliResult { code: number | null, stdout: string, stderr: string }

export interface ServingProcess {
  process: ChildProcess
  port: number
  /** everything the server printed so far, stdout and stderr together */
  output: () => string
  stderr: () => string
  exited: Promise<number | null>
}

export interface CliSandbox {
  env: Record<string, string>
  run: (args: string[], extra?: Record<string, string>) => Promise<CliResult>
  start: (args: string[], extra?: Record<string, string>) => ChildProcess
  /** `opend serve` on the given environment, once it prints its URL; killed at teardown */
  serve: (extra: Record<string, string>) => Promise<ServingProcess>
  /** the CLI's database, opened from the test between commands (PGlite allows one process at a time) */
  withDb: <T>(fn: (db: Db) => Promise<T>) => Promise<T>
}

interface Tap { teardown: (fn: () => unknown) => void }

function cliEnv (base: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    // the host's opend settings and tap's loaders must not leak into the CLI
    if (v === undefined || /^(OPEND_|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$|NODE_OPTIONS$|REDIS_URL$)/.test(k)) continue
    env[k] = v
  }
  return { ...env, ...base, ...extra }
}

export async function cliSandbox (t: Tap, name: string): Promise<CliSandbox> {
  const env: Record<string, string> = {}
  const url = process.env.DATABASE_URL
  if (url) {
    const database = `opend_${name}_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${database}`)
    await admin.end()
    const target = new URL(url)
    target.pathname = `/${database}`
    env.DATABASE_URL = target.toString()
    t.teardown(async () => {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      await c.end()
    })
  }
  // PGlite lives here; with PostgreSQL the directory merely stays empty
  const dir = await mkdtemp(join(tmpdir(), `opend-${name}-`))
  env.OPEND_DATA_DIR = dir
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  const start = (args: string[], extra: Record<string, string> = {}): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: cliEnv(env, extra), stdio: ['ignore', 'pipe', 'pipe'] })

  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => new Promise((resolve, reject) => {
    const child = start(args, extra)
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`opend ${args.join(' ')} did not finish within ${COMMAND_TIMEOUT} ms; stderr: ${stderr}`))
    }, COMMAND_TIMEOUT)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

  const serve = async (extra: Record<string, string>): Promise<ServingProcess> => {
    const server = start(['serve'], extra)
    const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)))
    t.teardown(async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
      await exited
    })
    let out = ''
    let err = ''
    server.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; out += s })
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), COMMAND_TIMEOUT)
      server.stdout!.setEncoding('utf8').on('data', (s: string) => {
        out += s
        const found = /opend is listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
        if (found) { clearTimeout(timer); resolve(Number(found[1])) }
      })
      exited.then((code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}: ${out}`)) }, reject)
    })
    return { process: server, port, output: () => out, stderr: () => err, exited }
  }

  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.OPEND_DATA_DIR, poolSize: 1 })
    try {
      return await fn(db)
    } finally {
      await db.close()
    }
  }

  return { env, run, start, serve, withDb }
}
