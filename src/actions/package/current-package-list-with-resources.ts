import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { RawJson } from '../../ckan/json.js'
import { P } from '../../ckan/params.js'
import { searchPackages } from '../../search/package-search.js'
import { PackageSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'current_package_list_with_resources',
  sideEffectFree: true,
  help: 'Return the most recently modified datasets with their resources (10 by default, at most 1000). Sysadmins also see private datasets.',
  params: Type.Object({
    limit: P.natural({ default: 10 }),
    offset: P.natural({ default: 0 }),
    page: P.natural({ description: 'deprecated, 1-based; used only with limit and without offset' })
  }),
  result: Type.Array(PackageSchema),
  example: { limit: 5 },
  async handler (params, { db, user }) {
    const rows = Math.min(params.limit || 10, 1000)
    let start = params.offset ?? 0
    if (params.offset === undefined && params.limit && params.page) start = (params.page - 1) * params.limit
    const { page } = await searchPackages(db, user, { rows, start, includePrivate: !!user?.sysadmin, includeDrafts: false })
    return new RawJson(page)
  }
})
