/**
 * CKAN's DataStore dump, `GET /datastore/dump/<resource_id>`: a whole table
 * (or what a search selects) as a file, CSV by default (ckanext/datastore/
 * blueprint.py and writer.py). CKAN pages through datastore_search 32,000
 * rows at a time; opend runs one COPY and streams it, so a table of any size
 * goes out in constant memory. The file is what CKAN writes: a header row
 * of field ids ended by "\r\n" (Python's csv module), then the rows as
 * PostgreSQL's COPY writes them; JSON as `{"fields": [...], "records": [[...], ...]}`.
 * Depends on: db, auth.
 */
import { Readable } from 'node:stream'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../config.js'
import { ValidationError } from '../ckan/errors.js'
import { ParamError, coerce } from '../ckan/params.js'
import { canReadTable } from '../datastore/access.js'
import { listParam } from '../datastore/fields.js'
import { type DatastoreAnswer, searchTable } from '../datastore/search.js'
import { jsonObject, qParam, replaced } from '../datastore/search-params.js'
import { findTable } from '../datastore/tables.js'
import { COST } from '../limits/costs.js'

const FORMATS = {
  csv: { records: 'csv', type: 'text/csv; charset=utf-8' },
  tsv: { records: 'tsv', type: 'text/tab-separated-values; charset=utf-8' },
  json: { records: 'lines', type: 'application/json; charset=utf-8' }
} as const
type Format = keyof typeof FORMATS

const BOM = '\ufeff'

/** A row as Python's csv.writer writes it (QUOTE_MINIMAL, "\r\n"). */
export function csvRow (values: string[], delimiter: string): string {
  const special = new RegExp(`[${delimiter}"\r\n]`)
  return values.map((v) => special.test(v) ? `"${v.replaceAll('"', '""')}"` : v).join(delimiter) + '\r\n'
}

/** Query parameters as CKAN's dump_schema validates them; each problem as "name: message", as CKAN's 400 lists them. */
function dumpParams (query: Record<string, unknown>) {
  const problems: string[] = []
  const one = (name: string): string | undefined => {
    const v = query[name]
    return Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v)
  }
  const natural = (name: string): number | undefined => {
    const v = one(name)
    if (v === undefined) return undefined
    try {
      return coerce('natural', v) as number
    } catch (err) {
      if (!(err instanceof ParamError)) throw err
      problems.push(`${name}: ${err.messages.join(' ')}`)
      return undefined
    }
  }
  const boolean = (name: string): boolean | undefined => {
    const v = one(name)?.toLowerCase()
    if (v === undefined) return undefined
    if (['true', 'yes', 't', 'y', '1', 'on'].includes(v)) return true
    if (['false', 'no', 'f', 'n', '0', 'off', ''].includes(v)) return false
    problems.push(`${name}: Value must be a boolean`)
    return undefined
  }
  const format = one('format') ?? 'csv'
  if (!Object.hasOwn(FORMATS, format)) problems.push(`format: Value must be one of ${Object.keys(FORMATS).join(', ')}`)
  const parsed = {
    offset: natural('offset') ?? 0,
    limit: natural('limit'),
    format: format as Format,
    bom: boolean('bom') ?? false,
    distinct: boolean('distinct') ?? false,
    plain: boolean('plain') ?? true,
    language: one('language')
  }
  let filters, q, fields, sort
  try {
    filters = jsonObject('filters', one('filters'), 'Cannot parse JSON')
    q = qParam(one('q'))
    fields = listParam('fields', one('fields'))
    sort = listParam('sort', one('sort'))
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    problems.push(...problemsOf(err))
  }
  return { ...parsed, filters, q, fields, sort, problems }
}

/** A validation error as CKAN's dump reports it: a "name: message" line per field. */
const problemsOf = (err: ValidationError) => Object.entries(err.fields).map(([k, v]) => `${k}: ${([] as string[]).concat(v).join(' ')}`)

const plain = (reply: FastifyReply, status: number, message: string) =>
  reply.code(status).type('text/plain; charset=utf-8').send(message)

/** The answer's rows in the file's format, after its header. */
async function * file (format: Format, bom: boolean, answer: DatastoreAnswer): AsyncIterable<string | Buffer> {
  const records = answer.records as AsyncIterable<Buffer>
  if (bom) yield BOM
  if (format !== 'json') {
    yield csvRow(answer.fields.map((f) => f.id), format === 'csv' ? ',' : '\t')
    yield * records
    return
  }
  // writer.py's JSONWriter: each record on a line of its own after the first "[\n"
  yield `{\n  "fields": ${JSON.stringify(answer.fields)},\n  "records": [`
  let rest = ''
  let first = true
  for await (const chunk of records) {
    const lines = (rest + chunk.toString('utf8')).split('\n')
    rest = lines.pop()!
    if (lines.length === 0) continue
    yield (first ? '\n    ' : ',\n    ') + lines.join(',\n    ')
    first = false
  }
  yield '\n]}\n'
}

export default fp(async function datastoreDump (app: FastifyInstance, opts: { config: Config }) {
  app.get<{ Params: { resource_id: string }, Querystring: Record<string, unknown> }>('/datastore/dump/:resource_id', { schema: { hide: true }, config: { cost: COST.export, usageName: 'datastore_dump' } }, async (request, reply) => {
    const p = dumpParams(request.query)
    if (p.problems.length) return plain(reply, 400, p.problems.join('\n'))
    const ctx = { db: app.db.kysely, user: await request.identify(), config: opts.config, log: request.log }
    const id = request.params.resource_id
    try {
      const answer = await replaced(async () => {
        // CKAN answers a table the caller may not read as one that does not exist
        const meta = await findTable(ctx.db, id)
        if (!meta || !(await canReadTable(ctx, meta))) return null
        return searchTable(ctx.db, app.db.copyTo, meta, {
          filters: p.filters,
          q: p.q,
          plain: p.plain,
          language: p.language,
          distinct: p.distinct,
          fields: p.fields,
          sort: p.sort,
          limit: p.limit ?? Number.MAX_SAFE_INTEGER,
          offset: p.offset,
          recordsFormat: FORMATS[p.format].records,
          includeTotal: false,
          totalEstimationThreshold: null
        })
      })
      if (!answer) return plain(reply, 404, 'DataStore resource not found')
      reply.type(FORMATS[p.format].type).header('content-disposition', `attachment; filename="${id}.${p.format}"`)
      return reply.send(Readable.from(file(p.format, p.bom, answer)))
    } catch (err) {
      // a search CKAN would refuse (an unknown field, a bad value): the same words, as the 400 a dump answers
      if (!(err instanceof ValidationError)) throw err
      return plain(reply, 400, problemsOf(err).join('\n'))
    }
  })
}, { name: 'datastore-dump', dependencies: ['db', 'auth'] })
