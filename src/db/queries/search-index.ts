/** Writes to the package search index: search_index and search_text (migrations/20261127T150000-search.ts, 20261127T180000-search-narrow.ts). */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../database.js'
import type { IndexDocument } from '../../search/index-document.js'
import { TS_CONFIG } from '../../search/analyzer.js'

const COLUMNS = ['state', 'private', 'type', 'owner_org', 'creator_user_id', 'name', 'title', 'title_string', 'metadata_created',
  'metadata_modified', 'num_resources', 'num_tags', 'organization', 'groups', 'tags', 'res_format', 'license_id', 'body', 'rank', 'fts']
const TEXT_COLUMNS = ['fields', 'texts']

const updateAll = (columns: string[]) => sql.join(columns.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))

/**
 * Insert or replace the rows of these documents, two statements for the
 * whole batch. Each column travels as one array parameter and the rows are
 * put together with unnest: PostgreSQL reads array literals far faster than
 * it parses the same batch as one JSON document, which dominated reindexing.
 * Deleted datasets are taken out instead, as CKAN takes them out of Solr.
 */
export async function writeIndexDocuments (db: Kysely<Database>, docs: readonly IndexDocument[]): Promise<void> {
  const deleted = docs.filter((d) => d.state === 'deleted').map((d) => d.package_id)
  if (deleted.length) await db.deleteFrom('search_index').where('package_id', 'in', deleted).execute()
  const live = docs.filter((d) => d.state !== 'deleted')
  if (live.length === 0) return
  const col = <T>(f: (d: IndexDocument) => T) => live.map(f)
  const config = sql.lit(TS_CONFIG)
  const vector = (column: string, weight: string) => sql`setweight(to_tsvector(${config}::regconfig, ${sql.ref(column)}), ${sql.lit(weight)})`
  const list = (column: string) => sql`ARRAY(SELECT jsonb_array_elements_text(${sql.ref(column)}::jsonb))`
  // rank (A and B) is computed once and is the start of fts
  await sql`
    INSERT INTO search_index (package_id, ${sql.join(COLUMNS.map((c) => sql.ref(c)))})
    SELECT package_id, state, private, type, owner_org, creator_user_id, name, title, title_string, metadata_created, metadata_modified,
      num_resources, num_tags, organization, ${list('groups')}, ${list('tags')}, ${list('res_format')}, license_id, body,
      r.rank, r.rank || ${vector('c', 'C')} || ${vector('d', 'D')}
    FROM unnest(${col((d) => d.package_id)}::text[], ${col((d) => d.state)}::text[], ${col((d) => d.private)}::boolean[],
      ${col((d) => d.type)}::text[], ${col((d) => d.owner_org)}::text[], ${col((d) => d.creator_user_id)}::text[], ${col((d) => d.name)}::text[],
      ${col((d) => d.title)}::text[], ${col((d) => d.title_string)}::text[], ${col((d) => d.metadata_created)}::timestamptz[],
      ${col((d) => d.metadata_modified)}::timestamptz[], ${col((d) => d.num_resources)}::int[], ${col((d) => d.num_tags)}::int[],
      ${col((d) => d.organization)}::text[], ${col((d) => JSON.stringify(d.groups))}::text[], ${col((d) => JSON.stringify(d.tags))}::text[],
      ${col((d) => JSON.stringify(d.res_format))}::text[], ${col((d) => d.license_id)}::text[], ${col((d) => d.body)}::text[],
      ${col((d) => d.weighted[0])}::text[], ${col((d) => d.weighted[1])}::text[], ${col((d) => d.weighted[2])}::text[], ${col((d) => d.weighted[3])}::text[])
      AS d(package_id, state, private, type, owner_org, creator_user_id, name, title, title_string, metadata_created, metadata_modified,
        num_resources, num_tags, organization, groups, tags, res_format, license_id, body, a, b, c, d),
      LATERAL (SELECT ${vector('a', 'A')} || ${vector('b', 'B')} AS rank) r
    ON CONFLICT (package_id) DO UPDATE SET ${updateAll(COLUMNS)}
  `.execute(db)
  await sql`
    INSERT INTO search_text (package_id, ${sql.join(TEXT_COLUMNS.map((c) => sql.ref(c)))})
    SELECT package_id, fields::jsonb, texts::jsonb
    FROM unnest(${col((d) => d.package_id)}::text[], ${col((d) => JSON.stringify(d.fields))}::text[], ${col((d) => JSON.stringify(d.texts))}::text[])
      AS d(package_id, fields, texts)
    ON CONFLICT (package_id) DO UPDATE SET ${updateAll(TEXT_COLUMNS)}
  `.execute(db)
}

export async function readIndexFingerprint (db: Kysely<Database>): Promise<string | null> {
  const row = await db.selectFrom('search_meta').select('value').where('key', '=', 'analyzer').executeTakeFirst()
  return row?.value ?? null
}

export async function writeIndexFingerprint (db: Kysely<Database>, value: string): Promise<void> {
  await db.insertInto('search_meta').values({ key: 'analyzer', value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute()
}
