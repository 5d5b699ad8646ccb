import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { who } from '../../catalog/authz.js'
import { createToken } from '../../db/queries/tokens.js'
import { findUser } from '../../db/queries/users.js'

export default defineAction({
  name: 'api_token_create',
  sideEffectFree: false,
  help: 'Create an API token for a user; the answer is the only time the token is shown. Send it as the Authorization, X-CKAN-API-Key or api-key header.',
  params: Type.Object({
    user: P.string({ required: true, description: 'user id or name' }),
    name: P.string({ required: true, description: 'a name for the token' })
  }),
  result: Type.Object({ token: Type.String() }),
  example: { user: 'admin', name: 'my script' },
  async handler (params, { db, user }) {
    if (!user) throw new AuthorizationError(`User ${who(user)} not authorized to create API tokens`)
    const target = await findUser(db, params.user)
    if (!target) throw new NotFoundError('User not found')
    if (!user.sysadmin && user.id !== target.id) throw new AuthorizationError(`User ${who(user)} not authorized to create API tokens for ${target.name}`)
    const { token } = await createToken(db, target.id, params.name)
    return { token }
  }
})
