import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { userDictize } from '../../ckan/dictize.js'
import { countCreatedPackages, findUser } from '../../db/queries/users.js'
import { UserSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'user_show',
  sideEffectFree: true,
  help: 'Return a user (by id or name; default the caller). The e-mail address is shown to the user and to sysadmins only.',
  params: Type.Object({
    id: P.string({ description: 'user id or name; default the caller' }),
    include_datasets: P.asbool({ default: false, description: 'add up to 50 of the user\'s datasets' }),
    include_num_followers: P.asbool({ default: false })
  }),
  result: UserSchema,
  example: { id: 'admin' },
  async handler (params, { db, user }) {
    const ref = params.id ?? user?.id
    if (!ref) throw new NotFoundError()
    const u = await findUser(db, ref)
    if (!u || u.state === 'deleted') throw new NotFoundError()
    const privileged = !!user && (user.sysadmin || user.id === u.id)
    const dict: Record<string, unknown> = userDictize(u, { privileged, numberCreatedPackages: await countCreatedPackages(db, u.id, privileged) })
    if (params.include_num_followers) dict.num_followers = 0
    if (params.include_datasets) {
      let q = db.selectFrom('packages').select('dict').where('creator_user_id', '=', u.id)
      q = privileged ? q.where('state', 'in', ['active', 'draft']) : q.where('state', '=', 'active').where('private', '=', false)
      dict.datasets = (await q.orderBy('metadata_modified', 'desc').limit(50).execute()).map((r) => JSON.parse(r.dict))
    }
    return dict
  }
})
