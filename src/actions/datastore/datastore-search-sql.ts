import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { BadRequest, ValidationError } from '../../ckan/errors.js'
import { RawJson, asciiJson } from '../../ckan/json.js'
import { P } from '../../ckan/params.js'
import { runSearchSql } from '../../datastore/sql.js'
import { COST } from '../../limits/costs.js'

export default defineAction({
  name: 'datastore_search_sql',
  sideEffectFree: true,
  cost: () => COST.sql,
  help: 'Run one SQL SELECT over DataStore tables (named by resource id or alias, in double quotes). It must be a single read-only SELECT calling only CKAN\'s allow-listed functions, checked on PostgreSQL\'s own parse tree; it runs read-only under a statement timeout, and at most OPEND_DATASTORE_ROWS_MAX records come back (records_truncated says when there were more). Served by default on PostgreSQL; on the embedded PGlite only with OPEND_DATASTORE_SQL=true, because PGlite cannot stop a running statement.',
  params: Type.Object({
    sql: P.string({ required: true, description: 'a single SELECT statement', examples: ['SELECT "จังหวัด", sum("จำนวน") FROM "0753ab8a-95bd-4354-913a-58da0464baf5" GROUP BY 1'] })
  }),
  result: Type.Object({
    sql: Type.String(),
    records: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    fields: Type.Array(Type.Object({ id: Type.String(), type: Type.String() })),
    records_truncated: Type.Optional(Type.Boolean())
  }),
  example: { sql: 'SELECT * FROM "0753ab8a-95bd-4354-913a-58da0464baf5" LIMIT 5' },
  async handler (params, ctx) {
    // CKAN without ckan.datastore.sqlsearch.enabled does not know the action
    if (ctx.config.datastoreSql !== true) throw new BadRequest('Action name not known: datastore_search_sql')
    if (typeof params.sql !== 'string') throw new ValidationError({ sql: ['Missing value'] })
    const answer = await runSearchSql(ctx, params.sql)
    const truncated = answer.truncated ? ', "records_truncated": true' : ''
    return new RawJson(`{"sql": ${asciiJson(params.sql)}, "records": ${answer.records}, "fields": ${asciiJson(answer.fields)}${truncated}}`)
  }
})
