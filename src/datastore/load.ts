/**
 * Loading a CSV or XLSX file into a resource's DataStore table, what CKAN
 * needs its separate XLoader service for.
 *
 * The rows are streamed into an unlogged staging table of text columns with
 * COPY (files.ts reads them; the segmented full text of each row rides
 * along; the next chunk is parsed while the last one is copied), the column
 * types are inferred from every value on the way (integers, decimals, ISO
 * dates and timestamps; text where anything does not fit), and the typed
 * table is built beside the old one and swapped in,
 * with its catalog entry, in one transaction. A failed load leaves the
 * previous table as it was; a search during the load reads the old rows
 * until the swap commits.
 */
import { randomBytes } from 'node:crypto'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { Db } from '../db/factory.js'
import type { Database, DatastoreField } from '../db/database.js'
import { materializePackages } from '../db/queries/packages.js'
import { FULL_TEXT_VERSION, TS_CONFIG, hasThai, segmentThai } from '../search/analyzer.js'
import { LoadError, headerFields, openRows } from './files.js'
import { columnType, datastoreSchema } from './schema.js'

export { LoadError }

export interface LoadOptions {
  encoding?: string
  siteUrl: string
  onProgress?: (done: number, total: number) => void
  /** stops the load before the swap (the server closing); the previous table stays */
  signal?: AbortSignal
}

export interface LoadResult { rows: number, fields: DatastoreField[], encoding: string | null, format: string }

/** Rows go to COPY in chunks of about this many characters of CSV. */
const CHUNK = 4 * 2 ** 20

const csvValue = (v: string) => v === '' ? '' : `"${v.replaceAll('"', '""')}"`

/** The types a column of text can take, in this order of preference; the first that every value fits wins. */
const INFERRED: [string, RegExp][] = [
  ['int8', /^[-+]?[0-9]{1,18}$/],
  ['numeric', /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/],
  ['date', /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/],
  ['timestamp', /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?$/]
]
const ANY_TYPE = (1 << INFERRED.length) - 1

/** The INFERRED types a value fits, among those still possible (a bit per type). */
function fits (value: string, possible: number): number {
  let out = 0
  for (let j = 0; j < INFERRED.length; j++) if ((possible & (1 << j)) !== 0 && INFERRED[j][1].test(value)) out |= 1 << j
  return out
}

/**
 * A cell's text for the full text, its Thai segmented (the table's full
 * text is of the latest version, FULL_TEXT_VERSION), remembered: a column
 * of provinces or categories repeats a few values over millions of rows,
 * and segmenting Thai is most of a load's own work. Segmenting cell by cell
 * gives what segmenting the joined row gives: cells are joined by spaces,
 * and a space always ends a word.
 */
class Segmenter {
  private readonly known = new Map<string, string>()
  words (value: string): string {
    // text without Thai is left to PostgreSQL's parser
    if (!hasThai(value)) return value
    if (value.length > 200) return segmentThai(value)
    let words = this.known.get(value)
    if (words === undefined) {
      words = segmentThai(value)
      if (this.known.size >= 100_000) this.known.clear()
      this.known.set(value, words)
    }
    return words
  }
}

export async function loadFile (db: Db, resourceId: string, path: string, o: LoadOptions): Promise<LoadResult> {
  const k = db.kysely
  const resource = await k.selectFrom('resources').select(['id', 'package_id']).where('id', '=', resourceId).where('state', '=', 'active').executeTakeFirst()
  if (!resource) throw new LoadError(`resource ${resourceId} not found`)
  const file = await openRows(path, o.encoding)
  const names = headerFields(file.header)
  const schema = await datastoreSchema(k)
  const suffix = randomBytes(4).toString('hex')
  const staging = `${resourceId}_load_${suffix}`
  const columns = names.map((_, i) => `c${i}`)
  await sql`CREATE UNLOGGED TABLE ${sql.id(schema, staging)} (n bigint, ${sql.join(columns.map((c) => sql`${sql.id(c)} text`))}, ft text)`.execute(k)
  try {
    const target = `${sql.id(schema, staging).compile(k).sql} (n, ${columns.join(', ')}, ft)`
    let chunk: string[] = []
    let chunkSize = 0
    let rows = 0
    // one chunk is copied while the next is parsed
    let copying: Promise<void> = Promise.resolve()
    const flush = async () => {
      await copying
      if (chunk.length === 0) return
      const text = chunk.join('')
      chunk = []
      chunkSize = 0
      const read = file.bytesRead()
      copying = db.copyFrom(target, text).then(() => o.onProgress?.(read, file.size))
      // a failed COPY is awaited at the next flush; until then it must not count as unhandled
      copying.catch(() => {})
    }
    const possible = names.map(() => ANY_TYPE)
    const seen = names.map(() => false)
    const words = new Segmenter()
    for await (const row of file.rows) {
      o.signal?.throwIfAborted()
      if (row.values.length !== names.length) {
        throw new LoadError(`line ${row.line}: ${row.values.length} values where the header has ${names.length}`)
      }
      const text: string[] = []
      for (const [i, v] of row.values.entries()) {
        if (v === '') continue
        seen[i] = true
        if (possible[i] !== 0) possible[i] = fits(v, possible[i])
        text.push(words.words(v))
      }
      const line = `${row.line},${row.values.map(csvValue).join(',')},${csvValue(text.join(' ').slice(0, 100_000))}\n`
      chunk.push(line)
      chunkSize += line.length
      rows++
      if (chunkSize >= CHUNK) await flush()
    }
    await flush()
    await copying
    o.signal?.throwIfAborted()
    const inferred = names.map((id, i): DatastoreField => {
      const j = INFERRED.findIndex((_, jj) => (possible[i] & (1 << jj)) !== 0)
      return { id, type: seen[i] && j >= 0 ? INFERRED[j][0] : 'text' }
    })
    const fields = await swapIn(k, schema, resourceId, staging, inferred, o.siteUrl)
    o.onProgress?.(file.size, file.size)
    return { rows, fields, encoding: file.encoding, format: file.format }
  } finally {
    await sql`DROP TABLE IF EXISTS ${sql.id(schema, staging)}`.execute(k)
  }
}

/**
 * The typed table built from the staging rows and put in the old one's
 * place, with its catalog entry and the resource's datastore_active, in one
 * transaction. A value the pattern let through but PostgreSQL refuses
 * (2023-02-30) turns that column back to text and the build is tried again.
 */
async function swapIn (k: Kysely<Database>, schema: string, resourceId: string, staging: string, fields: DatastoreField[], siteUrl: string): Promise<DatastoreField[]> {
  const fresh = `${staging}_typed`
  for (;;) {
    try {
      await k.transaction().execute(async (trx) => {
        // the full-text index is built in one go below: room to sort it in memory
        await sql`SET LOCAL maintenance_work_mem = '256MB'`.execute(trx)
        const cols = fields.map((f) => sql`${sql.id(f.id)} ${sql.raw(columnType(f.type))}`)
        await sql`CREATE TABLE ${sql.id(schema, fresh)} (_id integer GENERATED BY DEFAULT AS IDENTITY UNIQUE, _full_text tsvector${cols.length ? sql`, ${sql.join(cols)}` : sql``})`.execute(trx)
        const values: RawBuilder<unknown>[] = fields.map((f, i) => f.type === 'text' ? sql.id(`c${i}`) : sql`${sql.id(`c${i}`)}::${sql.raw(columnType(f.type))}`)
        const { numAffectedRows } = await sql`INSERT INTO ${sql.id(schema, fresh)} (${sql.join([...fields.map((f) => sql.id(f.id)), sql`_full_text`])})
          SELECT ${sql.join([...values, sql`to_tsvector(${sql.lit(TS_CONFIG)}::regconfig, coalesce(ft, ''))`])} FROM ${sql.id(schema, staging)} ORDER BY n`.execute(trx)
        const aliases = (await trx.selectFrom('datastore_aliases').select('name').where('resource_id', '=', resourceId).execute()).map((a) => a.name)
        for (const a of aliases) await sql`DROP VIEW IF EXISTS ${sql.id(schema, a)}`.execute(trx)
        await sql`DROP TABLE IF EXISTS ${sql.id(schema, resourceId)}`.execute(trx)
        await sql`ALTER TABLE ${sql.id(schema, fresh)} RENAME TO ${sql.id(resourceId)}`.execute(trx)
        await sql`CREATE INDEX ${sql.id(`${resourceId}_full_text_${randomBytes(3).toString('hex')}`)} ON ${sql.id(schema, resourceId)} USING gin (_full_text)`.execute(trx)
        for (const a of aliases) await sql`CREATE VIEW ${sql.id(schema, a)} AS SELECT * FROM ${sql.id(schema, resourceId)}`.execute(trx)
        const entry = { fields: JSON.stringify(fields), primary_key: [] as string[], row_count: Number(numAffectedRows ?? 0), full_text_version: FULL_TEXT_VERSION, modified: new Date() }
        await trx.insertInto('datastore_tables').values({ resource_id: resourceId, ...entry })
          .onConflict((oc) => oc.column('resource_id').doUpdateSet(entry)).execute()
        const r = await trx.updateTable('resources').set({ datastore_active: true, metadata_modified: new Date() }).where('id', '=', resourceId)
          .returning('package_id').executeTakeFirstOrThrow()
        await materializePackages(trx, [r.package_id], siteUrl)
      })
      return fields
    } catch (err) {
      // a value its pattern let through that its type refuses (22xxx: data exceptions)
      if (!String((err as { code?: string }).code).startsWith('22')) throw err
      fields = await narrowest(k, schema, staging, fields)
    }
  }
}

/** Columns whose values do not all cast to the inferred type become text. */
async function narrowest (k: Kysely<Database>, schema: string, staging: string, fields: DatastoreField[]): Promise<DatastoreField[]> {
  const out: DatastoreField[] = []
  for (const [i, f] of fields.entries()) {
    if (f.type === 'text') { out.push(f); continue }
    try {
      await sql`SELECT count(${sql.id(`c${i}`)}::${sql.raw(columnType(f.type))}) FROM ${sql.id(schema, staging)}`.execute(k)
      out.push(f)
    } catch {
      out.push({ id: f.id, type: 'text' })
    }
  }
  if (out.every((f, i) => f.type === fields[i].type)) throw new LoadError('the file\'s values could not be stored')
  return out
}
