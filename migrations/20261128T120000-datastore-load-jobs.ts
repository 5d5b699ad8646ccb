/**
 * Background loads of uploaded files into the DataStore (ckanext-xloader's
 * jobs, which xloader_status reports): one row per load, kept in the
 * database so that a job's outcome outlives the process that ran it.
 *
 * A resource has at most its latest job and one still running: queueing a
 * load deletes the resource's other jobs that are not running, so a newer
 * upload supersedes a queued one. `worker` names the opend process that holds
 * the file and runs the job; it refreshes `last_updated` while the job is
 * unfinished, so a job whose process died can be told from a slow one.
 */
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE datastore_load_jobs (
      id text PRIMARY KEY,
      resource_id text NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'complete', 'error')),
      worker text NOT NULL,
      -- the uploaded file's name, for the logs
      file_name text NOT NULL,
      -- the failure, with the line of a malformed row ("line 4: 1 values where the header has 2")
      error text,
      row_count bigint,
      -- [{"timestamp", "level", "message"}], a few lines
      logs jsonb NOT NULL DEFAULT '[]',
      -- clock_timestamp(): two jobs queued in one transaction still come in order
      created timestamptz NOT NULL DEFAULT clock_timestamp(),
      started timestamptz,
      finished timestamptz,
      last_updated timestamptz NOT NULL DEFAULT clock_timestamp()
    )
  `.execute(db)
  await sql`CREATE INDEX datastore_load_jobs_resource ON datastore_load_jobs (resource_id, created DESC)`.execute(db)
  // the unfinished jobs, which the start-up and periodic checks look for
  await sql`CREATE INDEX datastore_load_jobs_unfinished ON datastore_load_jobs (last_updated) WHERE status IN ('pending', 'running')`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE datastore_load_jobs`.execute(db)
}
