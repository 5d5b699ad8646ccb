import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { groupDictize } from '../../ckan/dictize.js'
import { GroupSchema } from '../../schemas/catalog.js'
import { findUser } from '../../db/queries/users.js'

const RANK: Record<string, number> = { member: 1, editor: 2, admin: 3 }

export default defineAction({
  name: 'organization_list_for_user',
  sideEffectFree: true,
  help: 'Return the organizations the user has a given permission in (default manage_group: admin). Sysadmins get every organization. The user defaults to the caller.',
  params: Type.Object({
    id: P.string({ description: 'user id or name; default the caller' }),
    permission: P.string({ default: 'manage_group', description: 'manage_group (admin), create_dataset / update_dataset / delete_dataset (editor), read (member)' }),
    include_dataset_count: P.asbool({ default: false })
  }),
  result: Type.Array(GroupSchema),
  example: { permission: 'create_dataset' },
  async handler (params, { db, user, config }) {
    let target = user ? { id: user.id, sysadmin: user.sysadmin } : null
    if (params.id) {
      const ref = params.id
      const row = await findUser(db, ref)
      if (!row) throw new NotFoundError('User not found')
      target = row
    }
    if (!target) return []
    const perm = params.permission ?? 'manage_group'
    const need = perm === 'read' ? 1 : perm === 'manage_group' ? 3 : 2
    let q = db.selectFrom('groups').selectAll('groups').where('groups.is_organization', '=', true).where('groups.state', '=', 'active')
    if (!target.sysadmin) {
      const caps = Object.entries(RANK).filter(([, r]) => r >= need).map(([c]) => c)
      q = q.innerJoin('group_members', 'group_members.group_id', 'groups.id')
        .where('group_members.user_id', '=', target.id).where('group_members.capacity', 'in', caps)
    }
    const rows = await q.orderBy('groups.title').execute()
    const counts = new Map<string, number>()
    if (params.include_dataset_count && rows.length) {
      const c = await db.selectFrom('packages').select(['owner_org', (eb) => eb.fn.countAll<number>().as('n')])
        .where('owner_org', 'in', rows.map((r) => r.id)).where('state', '=', 'active').groupBy('owner_org').execute()
      for (const r of c) counts.set(r.owner_org!, Number(r.n))
    }
    return rows.map((g) => groupDictize(g, params.include_dataset_count ? counts.get(g.id) ?? 0 : undefined, config.siteUrl))
  }
})
