import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { deleteToken, findToken, tokenOwner } from '../../db/queries/tokens.js'
import { Null } from '../../schemas/catalog.js'

export default defineAction({
  name: 'api_token_revoke',
  sideEffectFree: false,
  help: 'Revoke (delete) an API token, named by its id (jti) or by the token itself. Only its owner and sysadmins may.',
  params: Type.Object({
    jti: P.string({ description: 'the token id, as api_token_list shows it' }),
    token: P.string({ description: 'the token itself' })
  }),
  result: Null,
  example: { jti: '2b6d7c1e-0f38-4d4b-9a57-5f2f4c1c9b11' },
  async handler (params, { db, user }) {
    if (!user) throw new AuthorizationError()
    let id = params.jti ?? null
    if (!id && params.token) id = (await findToken(db, params.token))?.id ?? null
    if (!id && !params.token) throw new ValidationError({ jti: ['Missing value'] })
    // an absent token and someone else's are indistinguishable, as in CKAN
    const owner = id ? await tokenOwner(db, id) : null
    if (!id || !owner || (!user.sysadmin && owner !== user.id)) throw new AuthorizationError()
    await deleteToken(db, id)
    return null
  }
})
