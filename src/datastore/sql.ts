/**
 * Running a datastore_search_sql statement once sql-guard.ts has accepted
 * it: every table it reads must be a DataStore table the caller may read,
 * and it runs in a READ ONLY transaction whose search_path holds the
 * DataStore schema alone, under a statement timeout, wrapped as CKAN wraps
 * it (`SELECT * FROM (<sql>) AS blah LIMIT <rows_max + 1>`) so that the cap
 * and `records_truncated` cost nothing extra. The records are built in SQL,
 * each value as CKAN's convert() renders what psycopg2 read.
 *
 * The statement text is embedded between line breaks: the parser has seen
 * it as one complete SELECT, so its parentheses balance, and a trailing
 * `--` comment cannot swallow the wrapper.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { ActionContext } from '../ckan/action.js'
import { AuthorizationError, ValidationError } from '../ckan/errors.js'
import type { Database } from '../db/database.js'
import { canReadTable } from './access.js'
import { datastoreSchema } from './schema.js'
import { checkSearchSql } from './sql-guard.js'
import { findTable } from './tables.js'

export interface SqlAnswer {
  /** JSON text of the records, a list of objects */
  records: string
  fields: { id: string, type: string }[]
  truncated: boolean
}

/** The statement without trailing semicolons, which the wrapper could not hold. */
const bare = (text: string) => text.replace(/[\s;]+$/, '')

export async function runSearchSql (ctx: ActionContext, text: string): Promise<SqlAnswer> {
  const schema = await datastoreSchema(ctx.db)
  const { tables } = await checkSearchSql(text, schema)
  for (const name of tables) {
    const meta = await findTable(ctx.db, name)
    // a name that is not a DataStore table does not exist where the statement runs
    if (!meta) throw new ValidationError({ query: [`relation "${name}" does not exist`] })
    if (!(await canReadTable(ctx, meta))) throw new AuthorizationError('Not authorized to read resource.')
  }
  const inner = sql`SELECT * FROM (\n${sql.raw(bare(text))}\n) AS blah`
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      await sql`SET TRANSACTION READ ONLY`.execute(trx)
      await sql`SELECT set_config('search_path', ${`"${schema.replaceAll('"', '""')}"`}, true), set_config('statement_timeout', ${`${ctx.config.datastoreSqlTimeoutSeconds}s`}, true)`.execute(trx)
      return await run(trx, inner, ctx.config.datastoreRowsMax)
    })
  } catch (err) {
    throw sqlError(err)
  }
}

async function run (db: Kysely<Database>, inner: RawBuilder<unknown>, rowsMax: number): Promise<SqlAnswer> {
  // The wrapper names the caller's columns by position, b(c0, c1, ...), and its rows as `alias.*`,
  // which PostgreSQL resolves to a relation only: a bare alias resolves to a caller's column first.
  // The columns' names, even of an empty result: the keys of a row of NULLs under the result's own names
  const names = (await sql<{ k: string }>`SELECT json_object_keys(row_to_json(x.*)) AS k
    FROM (SELECT 1) one LEFT JOIN (${inner} LIMIT 0) b ON true CROSS JOIN LATERAL (SELECT b.*) x`.execute(db)).rows.map((r) => r.k)
  const cols = names.map((_, i) => sql.id(`c${i}`))
  const from = (limit: number) => sql`(${inner} LIMIT ${sql.lit(limit)}) AS b${names.length ? sql`(${sql.join(cols)})` : sql``}`
  // their types, which pg_typeof reports from the expressions, NULL or not
  const typeRow = names.length
    ? (await sql<Record<string, string>>`SELECT ${sql.join(cols.map((c, i) => sql`(SELECT t.typname FROM pg_type t WHERE t.oid = pg_typeof(b.${c})::oid) AS ${sql.id(`t${i}`)}`))}
        FROM (SELECT 1) one LEFT JOIN ${from(0)} ON true`.execute(db)).rows[0]
    : {}
  const types = names.map((_, i) => typeRow[`t${i}`])
  const values = cols.map((c, i) => sql`${render(types[i], sql`b.${c}`)} AS ${sql.id(names[i])}`)
  const { rows } = await sql<{ records: string | null, n: string }>`SELECT string_agg(x.j, ',') FILTER (WHERE x.n <= ${rowsMax}) AS records, count(*) AS n
    FROM (SELECT row_to_json(d.*)::text AS j, row_number() OVER () AS n FROM (SELECT ${sql.join(values)} FROM ${from(rowsMax + 1)}) d) x`.execute(db)
  return {
    records: `[${rows[0].records ?? ''}]`,
    fields: names.map((id, i) => ({ id, type: REPORTED_TYPES[types[i]] ?? types[i] })),
    truncated: Number(rows[0].n) > rowsMax
  }
}

// opend keeps DataStore json columns as jsonb; CKAN keeps them as its own type "nested", reported as json
const REPORTED_TYPES: Record<string, string> = { jsonb: 'json', _jsonb: '_json' }

const ISO_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS'

/** Python's isoformat(): microseconds, all six digits, only when there are some; infinity as PostgreSQL writes it, not as psycopg2's datetime.max. */
const isoTimestamp = (c: RawBuilder<unknown>, zone: string) => sql`CASE WHEN NOT isfinite(${c}) THEN ${c}::text
  WHEN ${c} = date_trunc('second', ${c}) THEN to_char(${c}, ${sql.lit(ISO_SECONDS + zone)}) ELSE to_char(${c}, ${sql.lit(`${ISO_SECONDS}.US${zone}`)}) END`
const isoTime = (c: RawBuilder<unknown>) => sql`CASE WHEN strpos(${c}::text, '.') > 0 THEN rpad(${c}::text, 15, '0') ELSE ${c}::text END`

/** A value as CKAN's convert() (ckanext/datastore/backend/postgres.py) has it, where PostgreSQL's JSON differs. */
function converted (type: string, c: RawBuilder<unknown>): RawBuilder<unknown> | undefined {
  switch (type) {
    // a Decimal, which convert() turns into str
    case 'numeric': return sql`${c}::text`
    // CKAN's engine leaves json undecoded (json_deserializer=lambda x: x), so convert() passes its text on
    case 'json': return sql`${c}::text`
    case 'timestamp': return isoTimestamp(c, '')
    case 'timestamptz': return isoTimestamp(c, 'TZH:TZM')
    case 'time': return isoTime(c)
    case 'timetz': return sql`${isoTime(sql`${c}::time`)} || regexp_replace(substring(${c}::text FROM '[+-][0-9:]+$'), '^([+-][0-9]+)$', '\\1:00')`
    case '_numeric': case '_json': case '_jsonb': return sql`array_to_json(${c}::text[])`
  }
  const element = type.startsWith('_') ? converted(type.slice(1), sql`u.e`) : undefined
  // convert() maps over the items of a one-dimensional array; a deeper one it turns into a Python repr, which opend does not copy
  if (element) return sql`CASE WHEN array_ndims(${c}) = 1 THEN array_to_json(ARRAY(SELECT ${element} FROM unnest(${c}) WITH ORDINALITY u(e, i) ORDER BY u.i)) ELSE array_to_json(${c}) END`
}

const render = (type: string, c: RawBuilder<unknown>) => converted(type, c) ?? c

/** CKAN's answers to what PostgreSQL refused while running the statement. */
function sqlError (err: unknown): unknown {
  const e = err as { code?: string, message?: string }
  if (typeof e?.code !== 'string') return err
  if (e.code === '57014') return new ValidationError({ query: ['Query took too long'] })
  // permission denied, or a write attempted in the read-only transaction
  if (e.code === '42501' || e.code === '25006') return new AuthorizationError('Not authorized to read resource.')
  return new ValidationError({ query: [e.message ?? 'Invalid query'] })
}
