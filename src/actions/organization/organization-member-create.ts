import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { canManageGroup, who } from '../../catalog/authz.js'
import { addMember, findGroup } from '../../catalog/groups.js'
import { MemberSchema } from '../../schemas/catalog.js'
import { findUser } from '../../db/queries/users.js'

export default defineAction({
  name: 'organization_member_create',
  sideEffectFree: false,
  help: 'Add a user to an organization with a role (admin, editor or member), or change their role.',
  params: Type.Object({
    id: P.string({ required: true, description: 'organization id or name' }),
    username: P.string({ required: true, description: 'user id or name' }),
    role: P.string({ required: true, description: 'admin, editor or member' })
  }),
  result: MemberSchema,
  example: { id: 'exat', username: 'somchai', role: 'editor' },
  async handler (params, { db, user }) {
    const org = await findGroup(db, 'organization', params.id)
    if (!org) throw new NotFoundError('Organization not found')
    if (!(await canManageGroup(db, user, org.id))) throw new AuthorizationError(`User ${who(user)} not authorized to edit organization ${org.id}`)
    if (!['admin', 'editor', 'member'].includes(params.role)) throw new ValidationError({ role: [`Role "${params.role}" is not valid`] })
    const target = await findUser(db, params.username)
    if (!target) throw new NotFoundError('User not found')
    if (user && !user.sysadmin && target.id === user.id && params.role !== 'admin') throw new AuthorizationError('Administrators cannot revoke their own admin status')
    await addMember(db, org.id, target.id, params.role)
    return { id: `${org.id}:${target.id}`, table_name: 'user', table_id: target.id, capacity: params.role, group_id: org.id, state: 'active' }
  }
})
