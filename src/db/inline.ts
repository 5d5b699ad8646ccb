/**
 * Statements with their values written in as literals, for the one place
 * that needs them: `COPY (SELECT ...) TO STDOUT` takes no bind parameters
 * (CKAN inlines them with psycopg2's mogrify for the same COPY). Values are
 * rendered by a compiler, not spliced into SQL text, so a `$1` inside a
 * quoted identifier or string stays what it is.
 */
import { PostgresQueryCompiler, type RawBuilder, createQueryId } from 'kysely'

/**
 * A value as a PostgreSQL literal. Strings use the E'' form with both the
 * backslash and the quote escaped, which reads the same whatever
 * standard_conforming_strings says; NUL never gets here (the transport
 * refuses it). An array becomes the text of an array literal, as
 * node-postgres would send it, to be cast by the statement (`::text[]`).
 */
export function literal (value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot inline ${value}`)
    return String(value)
  }
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'string') return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
  if (Array.isArray(value)) {
    const item = (v: unknown) => v === null || v === undefined ? 'NULL' : `"${String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
    return literal(`{${value.map(item).join(',')}}`)
  }
  throw new Error(`cannot inline a value of type ${typeof value}`)
}

class InliningCompiler extends PostgresQueryCompiler {
  protected override appendValue (value: unknown): void {
    this.append(literal(value))
  }
}

/** The SQL text of a statement with every parameter inlined. */
export function inlineStatement (statement: RawBuilder<unknown>): string {
  return new InliningCompiler().compileQuery(statement.toOperationNode(), createQueryId()).sql
}
