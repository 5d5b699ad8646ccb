import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { sql } from 'kysely'
import { P } from '../../ckan/params.js'
import { RawJson, asciiJson } from '../../ckan/json.js'
import { NameList } from '../../schemas/catalog.js'

// names are ASCII by validation; anything else is escaped as CKAN would
const asciiOnly = (text: string) => (/[\u007f-\uffff]/.test(text) ? asciiJson(JSON.parse(text)) : text)

export default defineAction({
  name: 'package_list',
  sideEffectFree: true,
  help: 'Return the names of the site\'s active public datasets, ordered by name. Private datasets are never listed, even for sysadmins (as in CKAN).\n\n:param limit: if given, the list is paged\n:param offset: when limit is given, the offset to start from',
  params: Type.Object({
    limit: P.natural({ description: 'page size; 0 or absent = all' }),
    offset: P.natural({ description: 'applied only together with a limit' })
  }),
  result: NameList,
  example: { limit: 10, offset: 0 },
  async handler (params, { db }) {
    let q = db.selectFrom('packages').select('name').where('state', '=', 'active').where('private', '=', false)
      .where('type', '=', 'dataset').orderBy('name')
    // CKAN applies limit and offset only when they are truthy
    if (params.limit) {
      q = q.limit(params.limit)
      if (params.offset) q = q.offset(params.offset)
    }
    // the list is built by PostgreSQL as JSON text: with tens of thousands of
    // names, a row per name through the driver costs more than the query
    const { rows } = await sql<{ list: string }>`SELECT coalesce(json_agg(name ORDER BY name), '[]')::text AS list FROM (${q}) names`.execute(db)
    return new RawJson(asciiOnly(rows[0].list))
  }
})
