import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { checkTier, expiryOf, managedToken, tokenDict } from '../../catalog/tokens.js'
import { listTokens, updateToken } from '../../db/queries/tokens.js'
import { ApiTokenSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'api_token_update',
  sideEffectFree: false,
  help: 'Change an API key (sysadmins only): its rate-limit tier, its state (active, or disabled: it is refused until enabled again; pending keys await approval and are approved with state=active), its expiry (expires_at ISO 8601 or "never", or expires_in with unit) or its name. Every instance applies the change within 3 seconds, without a restart.',
  params: Type.Object({
    id: P.string({ required: true, description: 'the key\'s id (jti)' }),
    tier: P.string(),
    state: P.string({ description: 'active or disabled' }),
    expires_at: P.string(),
    expires_in: P.int(),
    unit: P.natural(),
    name: P.string()
  }),
  result: ApiTokenSchema,
  example: { id: '2b6d7c1e-0f38-4d4b-9a57-5f2f4c1c9b11', tier: 'unlimited' },
  async handler (params, { db, user, config }) {
    if (!user?.sysadmin) throw new AuthorizationError(`User ${user?.name ?? 'None'} not authorized to change API keys`)
    const row = await managedToken(db, user, params.id)
    if (params.state !== undefined && params.state !== 'active' && params.state !== 'disabled') throw new ValidationError({ state: ['Value must be one of active, disabled'] })
    await updateToken(db, row.id, {
      tier: params.tier === undefined ? undefined : checkTier(config, params.tier),
      state: params.state as 'active' | 'disabled' | undefined,
      expiresAt: expiryOf(params),
      name: params.name
    })
    const [updated] = await listTokens(db, { id: row.id })
    return tokenDict(updated!)
  }
})
