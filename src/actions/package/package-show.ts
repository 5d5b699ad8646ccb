import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { withTrackingSummary } from '../../ckan/dictize.js'
import { RawJson, asciiJson } from '../../ckan/json.js'
import { P } from '../../ckan/params.js'
import { canReadPackage, who } from '../../catalog/authz.js'
import { findPackage, findPackageForShow } from '../../db/queries/packages.js'
import { PackageSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'package_show',
  sideEffectFree: true,
  help: 'Return the metadata of a dataset (package) and its resources.\n\n:param id: the id or name of the dataset\n:type id: string',
  params: Type.Object({
    id: P.string({ description: 'the id or name of the dataset' }),
    name_or_id: P.string({ description: 'alias of id' }),
    use_default_schema: P.truthy(),
    include_tracking: P.asbool({ description: 'add tracking_summary (always zero: opend does not track page views)' }),
    include_plugin_data: P.asbool({ description: 'sysadmins only: add plugin_data' })
  }),
  result: PackageSchema,
  example: { id: 'adresit' },
  async handler (params, { db, user, packageCache }) {
    const id = params.id ?? params.name_or_id
    if (!id) throw new ValidationError({ name_or_id: ['Missing value'] })
    const plain = !params.include_tracking && !(params.include_plugin_data && user?.sysadmin)
    // public datasets are readable by everyone, so their answer can be shared
    const cached = plain ? packageCache?.get(id) : undefined
    if (cached !== undefined) return new RawJson(cached)
    const generation = packageCache?.generation ?? 0
    const row = await findPackageForShow(db, id)
    if (!row) throw new NotFoundError()
    if (!(await canReadPackage(db, user, row))) throw new AuthorizationError(`User ${who(user)} not authorized to read package ${row.id}`)
    if (row.state === 'active' && !row.private) packageCache?.set(id, row.id, row.dict, generation)
    if (plain) return new RawJson(row.dict)
    let dict = JSON.parse(row.dict) as Record<string, unknown>
    if (params.include_tracking) {
      dict = withTrackingSummary(dict)
      dict.resources = (dict.resources as Record<string, unknown>[]).map(withTrackingSummary)
    }
    if (params.include_plugin_data && user?.sysadmin) dict.plugin_data = (await findPackage(db, row.id))?.plugin_data ?? null
    return new RawJson(asciiJson(dict))
  }
})
