/**
 * Running a datastore_search_sql statement once sql-guard.ts has accepted
 * it: every table it reads must be a DataStore table the caller may read,
 * and it runs in a READ ONLY transaction whose search_path holds the
 * DataStore schema alone, under a statement timeout, wrapped as CKAN wraps
 * it (`SELECT * FROM (<sql>) AS blah LIMIT <rows_max + 1>`) so that the cap
 * and `records_truncated` cost nothing extra.
 *
 * The statement text is embedded between line breaks: the parser has seen
 * it as one complete SELECT, so its parentheses balance, and a trailing
 * `--` comment cannot swallow the wrapper.
 */
import { type Kysely, sql } from 'kysely'
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

async function run (db: Kysely<Database>, inner: ReturnType<typeof sql>, rowsMax: number): Promise<SqlAnswer> {
  // the columns' names, even of an empty result: a row of NULLs under the result's own names
  const shape = await sql<{ r: Record<string, unknown> }>`SELECT (SELECT row_to_json(x) FROM (SELECT b.*) x) AS r
    FROM (SELECT 1) one LEFT JOIN (${inner} LIMIT 0) b ON true`.execute(db)
  const names = Object.keys(shape.rows[0].r)
  // their types, which pg_typeof reports from the expressions, NULL or not
  const types = names.length
    ? (await sql<Record<string, string>>`SELECT ${sql.join(names.map((n, i) => sql`(SELECT t.typname FROM pg_type t WHERE t.oid = pg_typeof(b.${sql.id(n)})::oid) AS ${sql.id(`t${i}`)}`))}
        FROM (SELECT 1) one LEFT JOIN (${inner} LIMIT 0) b ON true`.execute(db)).rows[0]
    : {}
  const { rows } = await sql<{ records: string | null, n: string }>`SELECT string_agg(j, ',') FILTER (WHERE n <= ${rowsMax}) AS records, count(*) AS n
    FROM (SELECT row_to_json(b)::text AS j, row_number() OVER () AS n FROM (${inner} LIMIT ${rowsMax + 1}) b) x`.execute(db)
  return {
    records: `[${rows[0].records ?? ''}]`,
    fields: names.map((id, i) => ({ id, type: types[`t${i}`] })),
    truncated: Number(rows[0].n) > rowsMax
  }
}

/** CKAN's answers to what PostgreSQL refused while running the statement. */
function sqlError (err: unknown): unknown {
  const e = err as { code?: string, message?: string }
  if (typeof e?.code !== 'string') return err
  if (e.code === '57014') return new ValidationError({ query: ['Query took too long'] })
  // permission denied, or a write attempted in the read-only transaction
  if (e.code === '42501' || e.code === '25006') return new AuthorizationError('Not authorized to read resource.')
  return new ValidationError({ query: [e.message ?? 'Invalid query'] })
}
