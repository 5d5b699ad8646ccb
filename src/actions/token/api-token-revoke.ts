import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { managedToken } from '../../catalog/tokens.js'
import { revokeToken, tokenIdOf } from '../../db/queries/tokens.js'
import { Null } from '../../schemas/catalog.js'

export default defineAction({
  name: 'api_token_revoke',
  sideEffectFree: false,
  help: 'Revoke an API key, named by its id (jti) or by the key itself. Only its owner and sysadmins may. It stops working on this instance at once and on every other within 3 seconds. Unlike CKAN, the key\'s record stays (without the key), so its usage remains readable.',
  params: Type.Object({
    jti: P.string({ description: 'the key\'s id, as api_token_list shows it' }),
    token: P.string({ description: 'the key itself' })
  }),
  result: Null,
  example: { jti: '2b6d7c1e-0f38-4d4b-9a57-5f2f4c1c9b11' },
  async handler (params, { db, user }) {
    if (!user) throw new AuthorizationError()
    if (params.jti === undefined && params.token === undefined) throw new ValidationError({ jti: ['Missing value'] })
    const id = params.jti ?? await tokenIdOf(db, params.token!)
    if (!id) throw new AuthorizationError()
    await managedToken(db, user, id)
    await revokeToken(db, id)
    return null
  }
})
