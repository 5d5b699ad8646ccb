import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { sql } from 'kysely'
import { P } from '../../ckan/params.js'
import { RawJson, asciiJson } from '../../ckan/json.js'
import { NameList } from '../../schemas/catalog.js'
import { ANY_PACKAGE } from '../../catalog/package-cache.js'

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
  async handler (params, { db, packageCache }) {
    const key = `\u0000package_list:${params.limit ?? 0}:${params.offset ?? 0}`
    const cached = packageCache?.get(key)
    if (cached !== undefined) return new RawJson(cached)
    const generation = packageCache?.generation ?? 0
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
    const list = asciiOnly(rows[0].list)
    packageCache?.set(key, ANY_PACKAGE, list, generation)
    return new RawJson(list)
  }
})
