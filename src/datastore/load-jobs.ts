/**
 * The DataStore load jobs (migration 20261128T120000-datastore-load-jobs),
 * as plain functions: queueing a load in the caller's transaction, claiming
 * and finishing one, and marking those whose process is gone. The loader
 * plugin (src/plugins/datastore-loader.ts) runs them.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { type Kysely, sql } from 'kysely'
import type { Database, LoadJobLog, LoadJobStatus } from '../db/database.js'

/** Sent, with "<worker> <job id>", when a queued load commits. */
export const LOAD_CHANNEL = 'opend_datastore_load'

/** This process, as the worker of the jobs it queues: it holds their files. */
export const WORKER = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`

/** How often a process refreshes its unfinished jobs, and looks for orphans. */
export const HEARTBEAT_MS = 30_000
/** An unfinished job not refreshed for this long has lost its process. */
export const STALE_MS = 4 * HEARTBEAT_MS

export const INTERRUPTED = 'interrupted: opend stopped before the load finished; xloader_submit loads the file again'

const logLine = (level: LoadJobLog['level'], message: string): LoadJobLog => ({ timestamp: new Date().toISOString(), level, message })
const appendLog = (line: LoadJobLog) => sql<string>`logs || ${JSON.stringify([line])}::jsonb`

/**
 * Queue a load of the resource's uploaded file, in the caller's transaction:
 * the resource's queued jobs are dropped (the newer file supersedes them)
 * and the NOTIFY reaches the loader only if the transaction commits, so a
 * load never starts before its upload is there, nor for one rolled back.
 */
export async function queueLoad (db: Kysely<Database>, resourceId: string, fileName: string): Promise<string> {
  await cancelLoads(db, [resourceId])
  const id = randomUUID()
  await db.insertInto('datastore_load_jobs').values({
    id,
    resource_id: resourceId,
    status: 'pending',
    worker: WORKER,
    file_name: fileName,
    logs: JSON.stringify([logLine('INFO', `Queued ${fileName} for loading into the DataStore`)])
  }).execute()
  await sql`SELECT pg_notify(${LOAD_CHANNEL}, ${`${WORKER} ${id}`})`.execute(db)
  return id
}

/** Drop the resources' jobs but a running one, which finishes (and is then superseded). */
export async function cancelLoads (db: Kysely<Database>, resourceIds: readonly string[]): Promise<void> {
  if (resourceIds.length === 0) return
  await db.deleteFrom('datastore_load_jobs').where('resource_id', 'in', resourceIds).where('status', '!=', 'running').execute()
}

/** Start a job this process queued; null when it was superseded meanwhile (or is another process's). */
export async function claimJob (db: Kysely<Database>, id: string): Promise<{ resource_id: string, file_name: string } | null> {
  const row = await db.updateTable('datastore_load_jobs')
    .set({ status: 'running', started: new Date(), last_updated: new Date(), logs: appendLog(logLine('INFO', 'Loading into the DataStore')) })
    .where('id', '=', id).where('status', '=', 'pending').where('worker', '=', WORKER)
    .returning(['resource_id', 'file_name']).executeTakeFirst()
  return row ?? null
}

export async function finishJob (db: Kysely<Database>, id: string, outcome: { status: 'complete', rows: number, message: string } | { status: 'error', error: string }): Promise<void> {
  const done = outcome.status === 'complete'
  await db.updateTable('datastore_load_jobs').set({
    status: outcome.status,
    row_count: done ? outcome.rows : null,
    error: done ? null : outcome.error,
    finished: new Date(),
    last_updated: new Date(),
    logs: appendLog(done ? logLine('INFO', outcome.message) : logLine('ERROR', outcome.error))
  }).where('id', '=', id).execute()
}

/** This process's unfinished jobs are alive: refresh them. */
export async function refreshJobs (db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  await db.updateTable('datastore_load_jobs').set({ last_updated: new Date() })
    .where('id', 'in', ids).where('status', 'in', ['pending', 'running']).execute()
}

/**
 * Mark jobs as interrupted: this process's unfinished ones (it is closing),
 * or every other process's unfinished job not refreshed for `staleMs` (its
 * process died; 0 on PGlite at start, where no other process can be running
 * one). Interrupted loads are not retried by themselves, so that a file that
 * crashes the server cannot do it again at every start.
 */
export async function interruptJobs (db: Kysely<Database>, which: 'own' | { staleMs: number }): Promise<number> {
  let q = db.updateTable('datastore_load_jobs').set({
    status: 'error', error: INTERRUPTED, finished: new Date(), last_updated: new Date(), logs: appendLog(logLine('ERROR', INTERRUPTED))
  }).where('status', 'in', ['pending', 'running'])
  q = which === 'own'
    ? q.where('worker', '=', WORKER)
    : q.where('worker', '!=', WORKER).where('last_updated', '<', new Date(Date.now() - which.staleMs))
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/** This process's queued jobs, oldest first: those a lost notification did not announce. */
export async function pendingJobs (db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('datastore_load_jobs').select('id').where('worker', '=', WORKER).where('status', '=', 'pending')
    .orderBy('created').execute()
  return rows.map((r) => r.id)
}

export interface LoadJob {
  id: string
  resource_id: string
  status: LoadJobStatus
  file_name: string
  error: string | null
  row_count: number | null
  logs: LoadJobLog[]
  created: Date
  started: Date | null
  finished: Date | null
  last_updated: Date
}

/** The resource's latest job, the one xloader_status reports. */
export async function latestJob (db: Kysely<Database>, resourceId: string): Promise<LoadJob | undefined> {
  return db.selectFrom('datastore_load_jobs')
    .select(['id', 'resource_id', 'status', 'file_name', 'error', 'row_count', 'logs', 'created', 'started', 'finished', 'last_updated'])
    .where('resource_id', '=', resourceId).orderBy('created', 'desc').limit(1).executeTakeFirst()
}
