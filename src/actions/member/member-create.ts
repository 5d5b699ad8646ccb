import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { canEditPackage, canManageGroup, capacityIn, who } from '../../catalog/authz.js'
import { addMember } from '../../catalog/groups.js'
import { findPackage, materializePackages } from '../../db/queries/packages.js'
import { MemberSchema } from '../../schemas/catalog.js'
import { idOrName } from '../../db/queries/lookup.js'
import { findUser } from '../../db/queries/users.js'

export default defineAction({
  name: 'member_create',
  sideEffectFree: false,
  help: 'Make a user or a dataset a member of a group or organization, or change its capacity (admin, editor, member).',
  params: Type.Object({
    id: P.string({ required: true, description: 'group or organization id or name' }),
    object: P.string({ required: true, description: 'user or dataset id or name' }),
    object_type: P.string({ required: true, description: 'user or package' }),
    capacity: P.string({ required: true, description: 'admin, editor or member' })
  }),
  result: MemberSchema,
  example: { id: 'exat', object: 'somchai', object_type: 'user', capacity: 'editor' },
  async handler (params, { db, user, config }) {
    const group = await db.selectFrom('groups').selectAll().where(idOrName(params.id)).executeTakeFirst()
    if (!group) throw new NotFoundError('Group was not found.')
    if (params.object_type === 'user') {
      if (!['admin', 'editor', 'member'].includes(params.capacity)) throw new ValidationError({ capacity: [`Role "${params.capacity}" is not valid`] })
      const target = await findUser(db, params.object)
      if (!(await canManageGroup(db, user, group.id))) throw new AuthorizationError(`User ${who(user)} not authorized to edit group ${group.id}`)
      if (!target) throw new NotFoundError('User was not found.')
      if (user && !user.sysadmin && target.id === user.id && params.capacity !== 'admin') throw new AuthorizationError('Administrators cannot revoke their own admin status')
      await addMember(db, group.id, target.id, params.capacity)
      return { id: `${group.id}:${target.id}`, table_name: 'user', table_id: target.id, capacity: params.capacity, group_id: group.id, state: 'active' }
    }
    if (params.object_type === 'package') {
      const pkg = await findPackage(db, params.object)
      if (!pkg) throw new NotFoundError('Package was not found.')
      // a non-organization group accepts datasets from its members who may edit the dataset
      const allowed = user?.sysadmin || (await canManageGroup(db, user, group.id)) ||
        (!group.is_organization && user && (await capacityIn(db, user.id, group.id)) !== null && (await canEditPackage(db, user, pkg)))
      if (!allowed) throw new AuthorizationError(`User ${who(user)} not authorized to edit group ${group.id}`)
      if (group.is_organization) {
        await db.updateTable('packages').set({ owner_org: group.id }).where('id', '=', pkg.id).execute()
      } else {
        await db.insertInto('package_groups').values({ package_id: pkg.id, group_id: group.id })
          .onConflict((oc) => oc.columns(['package_id', 'group_id']).doNothing()).execute()
      }
      await materializePackages(db, [pkg.id], config.siteUrl)
      return { id: `${group.id}:${pkg.id}`, table_name: 'package', table_id: pkg.id, capacity: params.capacity, group_id: group.id, state: 'active' }
    }
    const t = params.object_type
    throw new ValidationError(`${t.charAt(0).toUpperCase()}${t.slice(1)} isn't a valid model`)
  }
})
