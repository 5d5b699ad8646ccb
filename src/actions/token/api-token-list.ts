import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { tokenDict } from '../../catalog/tokens.js'
import { listTokens } from '../../db/queries/tokens.js'
import { findUser } from '../../db/queries/users.js'
import { ApiTokenSchema } from '../../schemas/catalog.js'

const STATES = ['active', 'disabled', 'pending'] as const

export default defineAction({
  name: 'api_token_list',
  sideEffectFree: true,
  help: 'Return a user\'s API keys (never the keys themselves): id, name, created_at, last_access, and opend\'s tier, state and expires_at. Revoked keys are not listed. Only the user and sysadmins may ask; a sysadmin may leave out user_id to list every user\'s keys, and filter by state (active, disabled, pending: awaiting approval) or tier.',
  params: Type.Object({
    user_id: P.string({ description: 'user id or name' }),
    user: P.string({ description: 'legacy alias of user_id' }),
    state: P.string({ description: 'active, disabled or pending' }),
    tier: P.string()
  }),
  result: Type.Array(ApiTokenSchema),
  example: { user_id: 'admin' },
  async handler (params, { db, user }) {
    if (!user) throw new AuthorizationError()
    const ref = params.user_id ?? params.user
    if (!ref && !user.sysadmin) throw new ValidationError({ user_id: ['Missing value'] })
    const state = params.state
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) throw new ValidationError({ state: [`Value must be one of ${STATES.join(', ')}`] })
    let userId: string | undefined
    if (ref) {
      const target = await findUser(db, ref)
      if (!target) throw new NotFoundError('User not found')
      if (!user.sysadmin && user.id !== target.id) throw new AuthorizationError()
      userId = target.id
    }
    const rows = await listTokens(db, { userId, state: state as typeof STATES[number] | undefined, tier: params.tier })
    return rows.map(tokenDict)
  }
})
