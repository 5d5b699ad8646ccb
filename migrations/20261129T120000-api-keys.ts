/**
 * API keys as a public portal runs them (issue #5): a key can be disabled
 * and enabled again, or await a sysadmin's approval when registration needs
 * one; a revoked key keeps its row (CKAN deletes it) so that its usage stays
 * on record and the answer to it can say what happened. Usage is counted per
 * key, day and action, added to in batches by every process.
 */
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE api_tokens
      ADD COLUMN state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled', 'pending')),
      ADD COLUMN revoked_at timestamptz
  `.execute(db)
  await sql`
    CREATE TABLE api_token_usage (
      token_id text NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
      -- the UTC day
      day date NOT NULL,
      -- the action's name, or the route for the few that are not actions (datastore_dump, resource_download)
      action text NOT NULL,
      requests bigint NOT NULL DEFAULT 0,
      -- of those, the ones refused with 429
      limited bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (token_id, day, action)
    )
  `.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE api_token_usage`.execute(db)
  await sql`ALTER TABLE api_tokens DROP COLUMN revoked_at, DROP COLUMN state`.execute(db)
}
