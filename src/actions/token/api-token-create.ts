import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { who } from '../../catalog/authz.js'
import { checkTier, expiryOf } from '../../catalog/tokens.js'
import { createToken, findTokenRow } from '../../db/queries/tokens.js'
import { findUser } from '../../db/queries/users.js'
import { DEFAULT_TIER } from '../../limits/tiers.js'

export default defineAction({
  name: 'api_token_create',
  sideEffectFree: false,
  help: 'Create an API key for a user; the answer is the only time the key is shown. Send it in the api-key, Authorization, X-CKAN-API-Key or X-Api-Key header. A user may hold several keys: to rotate, create the new one, then revoke the old (api_token_revoke). Only sysadmins choose the rate-limit tier; a user\'s own new key keeps the tier of the key that made the call. expires_in and unit (seconds, a day by default) are ckanext-expire_api_token\'s; expires_at (ISO 8601) also works.',
  params: Type.Object({
    user: P.string({ required: true, description: 'user id or name' }),
    name: P.string({ required: true, description: 'a name for the key' }),
    tier: P.string({ description: 'rate-limit tier (sysadmins only); default: the calling key\'s tier, else "default"' }),
    expires_in: P.int({ description: 'lifetime, in units' }),
    unit: P.natural({ description: 'seconds per unit of expires_in (86400)' }),
    expires_at: P.string({ description: 'ISO 8601 expiry' })
  }),
  result: Type.Object({ token: Type.String() }),
  example: { user: 'admin', name: 'my script' },
  async handler (params, { db, user, config }) {
    if (!user) throw new AuthorizationError(`User ${who(user)} not authorized to create API tokens`)
    const target = await findUser(db, params.user)
    if (!target) throw new NotFoundError('User not found')
    if (!user.sysadmin && user.id !== target.id) throw new AuthorizationError(`User ${who(user)} not authorized to create API tokens for ${target.name}`)
    if (params.tier !== undefined && !user.sysadmin) throw new AuthorizationError(`User ${who(user)} not authorized to choose a rate-limit tier`)
    // rotation keeps the limits the developer was given
    const callerTier = user.tokenId && user.id === target.id ? (await findTokenRow(db, user.tokenId))?.tier : undefined
    const inherited = callerTier !== undefined && Object.hasOwn(config.rateLimits, callerTier) ? callerTier : undefined
    const tier = checkTier(config, params.tier ?? inherited ?? DEFAULT_TIER)
    const { token } = await createToken(db, target.id, { name: params.name, tier, expiresAt: expiryOf(params) ?? null })
    return { token }
  }
})
