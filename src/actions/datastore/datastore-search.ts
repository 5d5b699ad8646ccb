import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { ValidationError } from '../../ckan/errors.js'
import { JsonStream, RawJson, asciiJson, jsonStringBody } from '../../ckan/json.js'
import { P, oneOfMessage } from '../../ckan/params.js'
import { readableTable } from '../../datastore/access.js'
import { listParam } from '../../datastore/fields.js'
import { type RecordsFormat, pageLinks, searchTable } from '../../datastore/search.js'
import { jsonObject, qParam, replaced } from '../../datastore/search-params.js'
import { COST } from '../../limits/costs.js'

const FORMATS = ['objects', 'lists', 'csv', 'tsv']

const PARAMS = Type.Object({
  resource_id: P.string({ description: 'the resource id or an alias' }),
  id: P.string({ description: 'alias of resource_id' }),
  filters: P.any({ description: 'a dict of field: value (or list of values, matched with IN)' }),
  q: P.any({ description: 'full-text query over every field (Thai is segmented), or a dict of field: text' }),
  full_text: P.string({ description: 'full-text query over every field, combinable with a dict q' }),
  plain: P.boolean({ default: true, description: 'false: q is PostgreSQL tsquery syntax ("a | b", "pre:*")' }),
  language: P.string({ description: 'text search configuration of the query (default opend_text: English stemming, Thai segmented)' }),
  distinct: P.boolean({ default: false }),
  fields: P.any({ description: 'fields to return, a list or comma separated string; may name _id, rank and "rank <field>"' }),
  sort: P.any({ description: 'a list or comma separated string of "field [asc|desc] [nulls first|last]"' }),
  limit: P.limit({ default: 100, description: 'rows to return; capped at OPEND_DATASTORE_ROWS_MAX (32000)' }),
  offset: P.int({ description: 'rows to skip', default: 0 }),
  records_format: P.string({ default: 'objects', description: 'objects, lists, csv or tsv' }),
  include_total: P.boolean({ default: true }),
  total_estimation_threshold: P.int({ description: 'estimate the total from table statistics when there are no filters and the estimate is at least this' })
})
const KNOWN = new Set(Object.keys(PARAMS.properties))

export default defineAction({
  name: 'datastore_search',
  sideEffectFree: true,
  cost: (p) => (p.records_format === 'csv' || p.records_format === 'tsv' ? COST.export : 1),
  help: 'Search a DataStore table: filters, full-text q (Thai words are found inside Thai text), fields, sort, limit and offset, records as objects, lists, CSV or TSV, with the total and _links to the next page.',
  params: PARAMS,
  result: Type.Object({
    records: Type.Unknown(),
    fields: Type.Array(Type.Object({ id: Type.String(), type: Type.String() }, { additionalProperties: true })),
    _links: Type.Record(Type.String(), Type.String()),
    total: Type.Optional(Type.Integer()),
    total_was_estimated: Type.Optional(Type.Boolean())
  }, { additionalProperties: true }),
  example: { resource_id: '0753ab8a-95bd-4354-913a-58da0464baf5', q: 'เชียงใหม่', limit: 5 },
  async handler (params, ctx) {
    const raw = params as Record<string, unknown>
    const extra = Object.keys(raw).find((k) => !KNOWN.has(k))
    if (extra !== undefined) throw new ValidationError({ __extras: [`invalid value "${extra}"`] })
    const id = params.resource_id ?? params.id
    if (id === undefined) throw new ValidationError({ resource_id: ['Missing value'] })
    const offset = params.offset ?? 0
    if (offset < 0) throw new ValidationError({ offset: [`invalid value "${offset}"`] })
    const format = params.records_format ?? 'objects'
    if (!FORMATS.includes(format)) throw new ValidationError({ records_format: [oneOfMessage(FORMATS)] })
    const threshold = params.total_estimation_threshold ?? null
    const filters = jsonObject('filters', params.filters, 'Cannot parse JSON')
    const limit = Math.min(params.limit ?? 100, ctx.config.datastoreRowsMax)
    const fields = listParam('fields', params.fields)
    const sort = listParam('sort', params.sort)
    // CKAN searches, and so echoes, the real id of an alias
    let resourceId = id
    const answer = await replaced(async () => {
      const meta = await readableTable(ctx, id)
      resourceId = meta.resourceId
      return searchTable(ctx.db, ctx.copyTo, meta, {
        filters,
        q: qParam(params.q),
        fullText: params.full_text,
        plain: params.plain ?? true,
        language: params.language,
        distinct: params.distinct ?? false,
        fields,
        sort,
        limit,
        offset,
        recordsFormat: format as RecordsFormat,
        includeTotal: params.include_total ?? true,
        totalEstimationThreshold: threshold
      })
    })
    // CKAN echoes the validated input, keys in alphabetical order, then its own keys
    const echo: Record<string, unknown> = {
      include_total: params.include_total ?? true,
      limit,
      records_format: format,
      resource_id: resourceId,
      total_estimation_threshold: threshold
    }
    for (const k of ['distinct', 'filters', 'full_text', 'language', 'offset', 'plain', 'q', 'sort'] as const) {
      if (raw[k] !== undefined) echo[k] = k === 'filters' ? filters : k === 'q' ? qParam(params.q) : k === 'offset' ? offset : raw[k]
    }
    if (fields !== undefined) echo.fields = answer.fields
    const before = Object.keys(echo).sort().map((k) => `${JSON.stringify(k)}: ${asciiJson(echo[k])}`)
    const after: string[] = []
    if (fields === undefined) after.push(`"fields": ${asciiJson(answer.fields)}`)
    after.push(`"_links": ${asciiJson(pageLinks(ctx.url ?? '/api/3/action/datastore_search', offset, limit))}`)
    if (answer.total !== undefined) after.push(`"total": ${answer.total}`, `"total_was_estimated": ${String(answer.totalWasEstimated)}`)
    const records = answer.records
    if (typeof records === 'string') return new RawJson(`{${[...before, `"records": ${records}`, ...after].join(', ')}}`)
    return new JsonStream((async function * () {
      yield `{${before.join(', ')}, "records": "`
      yield * jsonStringBody(records)
      yield `", ${after.join(', ')}}`
    })())
  }
})
