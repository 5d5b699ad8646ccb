import Type from 'typebox'
import { sql } from 'kysely'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { containsPattern } from '../../catalog/like.js'
import { NameList } from '../../schemas/catalog.js'

export default defineAction({
  name: 'format_autocomplete',
  sideEffectFree: true,
  help: `Return the resource formats that contain a given string, lower-cased, most used first.

Formats of active resources are counted, whatever their dataset (as CKAN does).
The match is case-insensitive and \`%\` and \`_\` match themselves.

:param q: the string to search for
:param limit: the maximum number of formats to return (optional, default: 5)

:returns: a list of lower-cased format names`,
  params: Type.Object({
    q: P.string({ required: true, description: 'the string to search for', examples: ['cs'] }),
    limit: P.natural({ description: 'the maximum number of formats to return', default: 5 })
  }),
  result: NameList,
  example: { q: 'cs' },
  async handler (params, { db }) {
    // CKAN groups by the format as written and lower-cases afterwards, so
    // "CSV" and "csv" come back as two "csv"; opend counts them as one
    const format = sql<string>`lower(resources.format)`
    const rows = await db.selectFrom('resources')
      .select([format.as('format'), (eb) => eb.fn.countAll<number>().as('total')])
      .where('resources.state', '=', 'active')
      .where('resources.format', 'ilike', containsPattern(params.q))
      .groupBy(format)
      .orderBy('total', 'desc').orderBy('format')
      .limit(params.limit ?? 5)
      .execute()
    return rows.map((r) => r.format)
  }
})
