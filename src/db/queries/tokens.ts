/**
 * API tokens (the keys of issue #5): created once, stored only as a hash,
 * looked up by an indexed prefix and compared in constant time.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database, TokenState } from '../database.js'

/** Recognisable by secret scanners; what follows is 240 random bits. */
export const TOKEN_PREFIX = 'opend_'
const PREFIX_LENGTH = TOKEN_PREFIX.length + 12

const sha256 = (s: string) => createHash('sha256').update(s).digest()

export function newToken (): { token: string, prefix: string, hash: string } {
  const token = TOKEN_PREFIX + randomBytes(30).toString('base64url')
  return { token, prefix: token.slice(0, PREFIX_LENGTH), hash: sha256(token).toString('hex') }
}

export interface NewToken { name: string, tier?: string, state?: TokenState, expiresAt?: Date | null }

export async function createToken (db: Kysely<Database>, userId: string, t: NewToken): Promise<{ id: string, token: string }> {
  const { token, prefix, hash } = newToken()
  const id = randomUUID()
  await db.insertInto('api_tokens').values({
    id, user_id: userId, name: t.name, prefix, hash, tier: t.tier ?? 'default', state: t.state ?? 'active', expires_at: t.expiresAt ?? null
  }).execute()
  return { id, token }
}

/**
 * What a presented key turns out to be. Only `ok` identifies a caller; the
 * others say why not, for gateway mode's answer.
 */
export type KeyLookup =
  | { status: 'ok', tokenId: string, tier: string, lastAccess: Date | null, user: { id: string, name: string, sysadmin: boolean } }
  | { status: 'invalid' }
  | { status: 'disabled' | 'pending' | 'expired', tokenId: string }

const INVALID: KeyLookup = Object.freeze({ status: 'invalid' })

/**
 * A presented key, checked: one indexed read by prefix, then a constant-time
 * comparison of fixed-length digests. An unknown prefix answers at once,
 * which tells a guesser only that 72 random bits were wrong.
 */
export async function lookupKey (db: Kysely<Database>, token: string): Promise<KeyLookup> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length < PREFIX_LENGTH + 8 || token.length > 200) return INVALID
  const row = await db.selectFrom('api_tokens as t').innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.hash', 't.tier', 't.state', 't.revoked_at', 't.expires_at', 't.last_access', 'u.id as user_id', 'u.name as user_name', 'u.sysadmin', 'u.state as user_state'])
    .where('t.prefix', '=', token.slice(0, PREFIX_LENGTH)).executeTakeFirst()
  if (!row) return INVALID
  const stored = Buffer.from(row.hash, 'hex')
  const given = sha256(token)
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return INVALID
  // a revoked key, or one whose user was deleted, no longer identifies anyone
  if (row.revoked_at || row.user_state === 'deleted') return INVALID
  if (row.state !== 'active') return { status: row.state, tokenId: row.id }
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return { status: 'expired', tokenId: row.id }
  return { status: 'ok', tokenId: row.id, tier: row.tier, lastAccess: row.last_access, user: { id: row.user_id, name: row.user_name, sysadmin: row.sysadmin } }
}

/** The id of a presented key that is still on record (revocation by the key itself). */
export async function tokenIdOf (db: Kysely<Database>, token: string): Promise<string | null> {
  const found = await lookupKey(db, token)
  return found.status === 'invalid' ? null : found.tokenId
}

export interface TokenFilter { id?: string, userId?: string, state?: TokenState, tier?: string }

/** Keys that are not revoked, oldest first. */
export async function listTokens (db: Kysely<Database>, f: TokenFilter) {
  let q = db.selectFrom('api_tokens as t').innerJoin('users as u', 'u.id', 't.user_id')
    // CKAN's api_token_list fields first, in its order
    .select(['t.id', 't.name', 't.user_id', 't.created_at', 't.last_access', 'u.name as user_name', 't.tier', 't.state', 't.expires_at'])
    .where('t.revoked_at', 'is', null)
  if (f.id) q = q.where('t.id', '=', f.id)
  if (f.userId) q = q.where('t.user_id', '=', f.userId)
  if (f.state) q = q.where('t.state', '=', f.state)
  if (f.tier) q = q.where('t.tier', '=', f.tier)
  return q.orderBy('t.created_at').orderBy('t.id').execute()
}

export async function findTokenRow (db: Kysely<Database>, id: string) {
  return db.selectFrom('api_tokens').select(['id', 'user_id', 'name', 'tier', 'state', 'expires_at', 'revoked_at', 'created_at', 'last_access'])
    .where('id', '=', id).executeTakeFirst()
}

export interface TokenChange { tier?: string, state?: TokenState, expiresAt?: Date | null, name?: string }

export async function updateToken (db: Kysely<Database>, id: string, c: TokenChange): Promise<void> {
  if (Object.values(c).every((v) => v === undefined)) return
  await db.updateTable('api_tokens').set({
    ...(c.tier !== undefined ? { tier: c.tier } : {}),
    ...(c.state !== undefined ? { state: c.state } : {}),
    ...(c.expiresAt !== undefined ? { expires_at: c.expiresAt } : {}),
    ...(c.name !== undefined ? { name: c.name } : {})
  }).where('id', '=', id).execute()
}

export async function revokeToken (db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).execute()
}

/** One batch of counts: token id → action → [requests, of which limited], for one UTC day. */
export type UsageBatch = Map<string, Map<string, [number, number]>>

/** Adds a batch of counts to the day's totals; additive, so any number of processes may flush. */
export async function addUsage (db: Kysely<Database>, day: string, batch: UsageBatch): Promise<void> {
  const rows = [...batch].flatMap(([tokenId, actions]) =>
    [...actions].map(([action, [requests, limited]]) => ({ token_id: tokenId, day, action, requests: String(requests), limited: String(limited) })))
  if (rows.length === 0) return
  await db.insertInto('api_token_usage').values(rows)
    .onConflict((oc) => oc.columns(['token_id', 'day', 'action']).doUpdateSet({
      requests: sql`api_token_usage.requests + excluded.requests`,
      limited: sql`api_token_usage.limited + excluded.limited`
    }))
    .execute()
}

export interface UsageRow { token_id: string, day: string, action: string, requests: number, limited: number }

/** Usage of some keys since a day (inclusive), newest day first. */
export async function readUsage (db: Kysely<Database>, tokenIds: string[], since: string): Promise<UsageRow[]> {
  if (tokenIds.length === 0) return []
  const rows = await db.selectFrom('api_token_usage')
    .select(['token_id', sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'action', sql<string>`requests::text`.as('requests'), sql<string>`limited::text`.as('limited')])
    .where('token_id', 'in', tokenIds).where('day', '>=', since)
    .orderBy('day', 'desc').orderBy('action').orderBy('token_id').execute()
  return rows.map((r) => ({ ...r, requests: Number(r.requests), limited: Number(r.limited) }))
}
