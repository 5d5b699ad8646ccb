/** Checks shared by the token actions and the CLI. */
import type { Kysely } from 'kysely'
import type { Config } from '../config.js'
import type { Caller } from '../ckan/action.js'
import type { Database } from '../db/database.js'
import { AuthorizationError, ValidationError } from '../ckan/errors.js'
import { ckanTimestamp } from '../ckan/json.js'
import { findTokenRow, type listTokens } from '../db/queries/tokens.js'

/** A key as api_token_list and api_token_update answer it: CKAN's timestamps. */
export function tokenDict (t: Awaited<ReturnType<typeof listTokens>>[number]) {
  return { ...t, created_at: ckanTimestamp(t.created_at), last_access: ckanTimestamp(t.last_access), expires_at: ckanTimestamp(t.expires_at) }
}

/** A tier the configuration names, or a Validation Error listing those it does. */
export function checkTier (config: Config, tier: string): string {
  if (!Object.hasOwn(config.rateLimits, tier)) {
    throw new ValidationError({ tier: [`Unknown tier "${tier}"; configured tiers: ${Object.keys(config.rateLimits).join(', ')}`] })
  }
  return tier
}

/**
 * CKAN's expire_api_token parameters: `expires_in` units of `unit` seconds
 * (a day by default) from now; opend also takes an ISO `expires_at`, and
 * "never" to lift an expiry (an empty value counts as not given, as CKAN's
 * ignore_missing has it).
 */
export function expiryOf (p: { expires_in?: number, unit?: number, expires_at?: string }): Date | null | undefined {
  if (p.expires_at !== undefined) {
    if (p.expires_at === 'never') return null
    const d = new Date(p.expires_at)
    if (Number.isNaN(d.getTime())) throw new ValidationError({ expires_at: ['Date format incorrect'] })
    return d
  }
  if (p.expires_in !== undefined) {
    if (p.expires_in < 1) throw new ValidationError({ expires_in: ['Must be a positive integer'] })
    return new Date(Date.now() + p.expires_in * (p.unit ?? 86_400) * 1000)
  }
  return undefined
}

/**
 * A key that is still on record, which the caller may manage: its owner or a
 * sysadmin. Absent and someone else's are indistinguishable, as in CKAN.
 */
export async function managedToken (db: Kysely<Database>, user: Caller | null, id: string) {
  if (!user) throw new AuthorizationError()
  const row = await findTokenRow(db, id)
  if (!row || row.revoked_at || (!user.sysadmin && row.user_id !== user.id)) throw new AuthorizationError()
  return row
}
