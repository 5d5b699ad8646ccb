/**
 * Background loads of uploaded CSV and XLSX files into the DataStore, what
 * CKAN runs ckanext-xloader's workers for. An upload (or xloader_submit)
 * queues a job in its own transaction with a NOTIFY
 * (src/datastore/load-jobs.ts), so this process hears of it only once the
 * upload has committed. Jobs run one at a time through loadFile, which
 * builds the new table beside the old one and swaps it in: a failed load
 * leaves the previous rows as they were.
 *
 * Jobs whose process died are marked as errors rather than run again (a file
 * that crashed the server would crash it at every start): when the server
 * starts listening (on PGlite, every unfinished job, since no other process
 * can hold that database) and then every 30 s (on PostgreSQL, another
 * process's jobs it stopped refreshing). Closing the app stops a running load before its swap
 * and marks this process's unfinished jobs interrupted.
 * Depends on: db, package-cache.
 */
import { stat } from 'node:fs/promises'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.js'
import { uploadPath } from '../catalog/uploads.js'
import { LoadError, loadFile } from '../datastore/load.js'
import {
  HEARTBEAT_MS, INTERRUPTED, LOAD_CHANNEL, STALE_MS, WORKER,
  claimJob, finishJob, interruptJobs, pendingJobs, refreshJobs
} from '../datastore/load-jobs.js'

export default fp(async function datastoreLoader (app: FastifyInstance, opts: { config: Config }) {
  const db = app.db.kysely
  const { config } = opts
  const queue: string[] = []
  /** this process's unfinished jobs (queued or running), refreshed by the heartbeat */
  const mine = new Set<string>()
  let running: { controller: AbortController, done: Promise<void> } | null = null
  let closing = false

  /** The error a job reports: a LoadError's own message (a malformed row's line), with the server's path turned into the file's name. */
  const failure = (err: unknown, path: string, fileName: string): string => {
    if (err instanceof LoadError) return err.message.replaceAll(path, fileName)
    app.log.error({ err }, 'DataStore load failed')
    // PostgreSQL's refusals say something useful to the uploader; anything else stays in the log
    const code = (err as { code?: unknown }).code
    return typeof code === 'string' ? `the load failed: ${(err as Error).message}` : 'the load failed (see the server log)'
  }

  async function run (id: string, signal: AbortSignal): Promise<void> {
    const job = await claimJob(db, id)
    if (!job) return
    const path = uploadPath(config.dataDir, job.resource_id)
    try {
      const { size } = await stat(path).catch(() => { throw new LoadError(`the uploaded file ${job.file_name} is missing`) })
      const r = await loadFile(app.db, job.resource_id, path, { siteUrl: config.siteUrl, signal })
      const fields = r.fields.map((f) => `${f.id} ${f.type}`).join(', ')
      await finishJob(db, id, { status: 'complete', rows: r.rows, message: `Loaded ${r.rows} rows from ${job.file_name} (${size} bytes, ${r.format}${r.encoding ? `, ${r.encoding}` : ''}): ${fields}` })
      app.log.info({ resource_id: job.resource_id, job_id: id, rows: r.rows }, 'DataStore load complete')
    } catch (err) {
      await finishJob(db, id, { status: 'error', error: signal.aborted ? INTERRUPTED : failure(err, path, job.file_name) })
    } finally {
      // the swap rebuilt the dataset's dict: read-your-writes here too
      app.packageCache.invalidate()
    }
  }

  function pump () {
    if (running || closing) return
    const id = queue.shift()
    if (id === undefined) return
    const controller = new AbortController()
    const done = run(id, controller.signal)
      .catch((err: unknown) => app.log.error({ err, job_id: id }, 'DataStore load job could not be recorded'))
      .finally(() => {
        mine.delete(id)
        running = null
        pump()
      })
    running = { controller, done }
  }

  function enqueue (id: string) {
    if (closing || mine.has(id)) return
    mine.add(id)
    queue.push(id)
    pump()
  }

  // Once the server listens, its migrations have run (the server builds the
  // app first, for its logger, then migrates), so the table is there.
  app.addHook('onListen', async () => {
    const orphans = await interruptJobs(db, { staleMs: app.db.dialect === 'pglite' ? 0 : STALE_MS })
    if (orphans > 0) app.log.warn({ jobs: orphans }, 'DataStore loads left unfinished by a stopped opend are marked as errors')
  })

  let lost = false
  const unlisten = await app.db.listen(LOAD_CHANNEL, (payload) => {
    const [worker, id] = payload.split(' ')
    if (worker === WORKER && id) enqueue(id)
  }, (up) => {
    // notifications sent while the channel was down are lost: find those jobs in the table
    if (up && lost) pendingJobs(db).then((ids) => ids.forEach(enqueue), (err: unknown) => app.log.warn({ err }, 'could not look for queued DataStore loads'))
    lost = !up
  })

  const timer = setInterval(() => {
    Promise.all([refreshJobs(db, [...mine]), interruptJobs(db, { staleMs: STALE_MS })])
      .catch((err: unknown) => app.log.warn({ err }, 'DataStore load jobs could not be refreshed'))
  }, HEARTBEAT_MS).unref()

  app.addHook('onClose', async () => {
    closing = true
    clearInterval(timer)
    await unlisten()
    running?.controller.abort()
    await running?.done
    // the queued ones, and any whose notification had not arrived yet
    await interruptJobs(db, 'own')
      .catch((err: unknown) => app.log.warn({ err }, 'queued DataStore loads could not be marked interrupted'))
  })
}, { name: 'datastore-loader', dependencies: ['db', 'package-cache'] })
