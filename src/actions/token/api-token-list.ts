import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { ckanTimestamp } from '../../ckan/json.js'
import { listTokens } from '../../db/queries/tokens.js'
import { findUser } from '../../db/queries/users.js'
import { ApiTokenSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'api_token_list',
  sideEffectFree: true,
  help: 'Return a user\'s API tokens (never the tokens themselves): id, name, created_at, last_access. Only the user and sysadmins may ask.',
  params: Type.Object({
    user_id: P.string({ description: 'user id or name' }),
    user: P.string({ description: 'legacy alias of user_id' })
  }),
  result: Type.Array(ApiTokenSchema),
  example: { user_id: 'admin' },
  async handler (params, { db, user }) {
    if (!user) throw new AuthorizationError()
    const ref = params.user_id ?? params.user
    if (!ref) throw new ValidationError({ user_id: ['Missing value'] })
    const target = await findUser(db, ref)
    if (!target) throw new NotFoundError('User not found')
    if (!user.sysadmin && user.id !== target.id) throw new AuthorizationError()
    return (await listTokens(db, target.id)).map((t) => ({ ...t, created_at: ckanTimestamp(t.created_at), last_access: ckanTimestamp(t.last_access) }))
  }
})
