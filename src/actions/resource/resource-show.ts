import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { canReadPackage, who } from '../../catalog/authz.js'
import { withTrackingSummary } from '../../ckan/dictize.js'
import { ResourceSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'resource_show',
  sideEffectFree: true,
  help: 'Return the metadata of a resource, as it appears in its dataset.\n\n:param id: the resource id',
  params: Type.Object({
    id: P.string({ required: true, description: 'the resource id' }),
    include_tracking: P.asbool()
  }),
  result: ResourceSchema,
  example: { id: '0753ab8a-95bd-4354-913a-58da0464baf5' },
  async handler (params, { db, user }) {
    const res = await db.selectFrom('resources').innerJoin('packages', 'packages.id', 'resources.package_id')
      .select(['resources.id', 'resources.state as resource_state', 'packages.id as package_id', 'packages.state', 'packages.private',
        'packages.owner_org', 'packages.creator_user_id', 'packages.dict'])
      .where('resources.id', '=', params.id).executeTakeFirst()
    if (!res) throw new NotFoundError()
    if (!(await canReadPackage(db, user, res))) throw new AuthorizationError(`User ${who(user)} not authorized to read resource ${res.id}`)
    const dict = (JSON.parse(res.dict).resources as Record<string, unknown>[]).find((r) => r.id === res.id)
    if (!dict) throw new NotFoundError('Resource was not found.')
    return params.include_tracking ? withTrackingSummary(dict) : dict
  }
})
