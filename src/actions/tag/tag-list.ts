import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { containsPattern } from '../../catalog/like.js'
import { NameList } from '../../schemas/catalog.js'

export default defineAction({
  name: 'tag_list',
  sideEffectFree: true,
  help: 'Return the tags used by at least one active dataset, by name; query filters them by a case-insensitive substring (Thai included).',
  params: Type.Object({
    query: P.string({ description: 'substring to match' }),
    q: P.string({ description: 'alias of query' }),
    vocabulary_id: P.string(),
    all_fields: P.truthy({ description: 'return {id, name, vocabulary_id, display_name} dicts (any non-empty value counts as true, as in CKAN)' })
  }),
  result: Type.Union([NameList, Type.Array(Type.Object({ id: Type.String(), name: Type.String(), vocabulary_id: Type.Null(), display_name: Type.String() }))]),
  example: { query: 'ทาง' },
  async handler (params, { db }) {
    // opend has no tag vocabularies: any vocabulary is unknown
    if (params.vocabulary_id) throw new NotFoundError(`could not find vocabulary '${params.vocabulary_id}'`)
    let q = db.selectFrom('tags').select(['tags.id', 'tags.name']).distinct()
      .innerJoin('package_tags', 'package_tags.tag_id', 'tags.id')
      .innerJoin('packages', 'packages.id', 'package_tags.package_id')
      .where('packages.state', '=', 'active')
    const text = params.query ?? params.q
    if (text) q = q.where('tags.name', 'ilike', containsPattern(text))
    const rows = await q.orderBy('tags.name').execute()
    if (params.all_fields) return rows.map((r) => ({ id: r.id, name: r.name, vocabulary_id: null, display_name: r.name }))
    return rows.map((r) => r.name)
  }
})
