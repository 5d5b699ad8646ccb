import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { searchPackages } from '../../search/package-search.js'
import { PackageSchema } from '../../schemas/catalog.js'
import { idOrName } from '../../db/queries/lookup.js'

export default defineAction({
  name: 'tag_show',
  sideEffectFree: true,
  help: 'Return a tag; with include_datasets, the public datasets that carry it (at most 1000).',
  params: Type.Object({
    id: P.string({ required: true, description: 'tag id or name' }),
    vocabulary_id: P.string(),
    include_datasets: P.asbool({ default: false })
  }),
  result: Type.Object({ id: Type.String(), name: Type.String(), vocabulary_id: Type.Null(), display_name: Type.String(), packages: Type.Optional(Type.Array(PackageSchema)) }),
  example: { id: 'ทางด่วน' },
  async handler (params, { db }) {
    const tag = await db.selectFrom('tags').selectAll()
      .where(idOrName(params.id)).executeTakeFirst()
    if (!tag || params.vocabulary_id) throw new NotFoundError()
    const out: Record<string, unknown> = { id: tag.id, name: tag.name, vocabulary_id: null, display_name: tag.name }
    if (params.include_datasets) {
      const { page } = await searchPackages(db, null, { fq: [`tags:"${tag.name.replaceAll('"', '\\"')}"`], rows: 1000, start: 0, includePrivate: false, includeDrafts: false })
      out.packages = JSON.parse(page)
    }
    return out
  }
})
