import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { managedToken } from '../../catalog/tokens.js'
import { firstDay, keyUsage } from '../../catalog/usage.js'
import { findUser } from '../../db/queries/users.js'

const Count = Type.Integer({ minimum: 0 })

export default defineAction({
  name: 'api_token_usage',
  sideEffectFree: true,
  help: 'Requests made with API keys, per UTC day and per action, with how many were refused for their rate limit (limited). Without parameters: the calling user\'s keys. id names one key; user_id a user\'s keys (the user and sysadmins only). Counts reach the database within 5 seconds of the request. The page at /usage shows the same to a key\'s owner.',
  params: Type.Object({
    id: P.string({ description: 'a key\'s id (jti)' }),
    user_id: P.string({ description: 'user id or name' }),
    days: P.natural({ default: 30, description: 'how many days back, today included (at most 366)' })
  }),
  result: Type.Object({
    since: Type.String({ format: 'date' }),
    keys: Type.Array(Type.Object({
      id: Type.String(),
      name: Type.String(),
      tier: Type.String(),
      state: Type.String(),
      requests: Count,
      limited: Count,
      days: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), requests: Count, limited: Count, actions: Type.Record(Type.String(), Count) }))
    }))
  }),
  example: { days: 7 },
  async handler (params, { db, user }) {
    if (!user) throw new AuthorizationError()
    const days = params.days ?? 30
    if (days < 1 || days > 366) throw new ValidationError({ days: ['Must be between 1 and 366'] })
    const since = firstDay(days)
    if (params.id !== undefined) {
      const key = await managedToken(db, user, params.id)
      return { since, keys: await keyUsage(db, key.user_id, since, key.id) }
    }
    let userId = user.id
    if (params.user_id !== undefined) {
      const target = await findUser(db, params.user_id)
      if (!target) throw new NotFoundError('User not found')
      if (!user.sysadmin && target.id !== user.id) throw new AuthorizationError()
      userId = target.id
    }
    return { since, keys: await keyUsage(db, userId, since) }
  }
})
