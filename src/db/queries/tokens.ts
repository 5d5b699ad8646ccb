/** API tokens: created once, stored only as a hash, looked up by an indexed prefix. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, ApiToken } from '../database.js'

/** Recognisable by secret scanners; what follows is 240 random bits. */
export const TOKEN_PREFIX = 'opend_'
const PREFIX_LENGTH = TOKEN_PREFIX.length + 12

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

export function newToken (): { token: string, prefix: string, hash: string } {
  const token = TOKEN_PREFIX + randomBytes(30).toString('base64url')
  return { token, prefix: token.slice(0, PREFIX_LENGTH), hash: sha256(token) }
}

export async function createToken (db: Kysely<Database>, userId: string, name: string, tier = 'default'): Promise<{ id: string, token: string }> {
  const { token, prefix, hash } = newToken()
  const id = randomUUID()
  await db.insertInto('api_tokens').values({ id, user_id: userId, name, prefix, hash, tier }).execute()
  return { id, token }
}

/** The token row for a presented token, or null; constant-time on the hash. */
export async function findToken (db: Kysely<Database>, token: string): Promise<ApiToken | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length < PREFIX_LENGTH + 8 || token.length > 200) return null
  const row = await db.selectFrom('api_tokens').selectAll().where('prefix', '=', token.slice(0, PREFIX_LENGTH)).executeTakeFirst()
  if (!row) return null
  const a = Buffer.from(row.hash, 'hex')
  const b = Buffer.from(sha256(token), 'hex')
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return null
  return row
}

export async function listTokens (db: Kysely<Database>, userId: string) {
  return db.selectFrom('api_tokens').select(['id', 'name', 'user_id', 'created_at', 'last_access'])
    .where('user_id', '=', userId).orderBy('created_at').execute()
}

export async function deleteToken (db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('api_tokens').where('id', '=', id).execute()
}

export async function tokenOwner (db: Kysely<Database>, id: string): Promise<string | null> {
  const row = await db.selectFrom('api_tokens').select('user_id').where('id', '=', id).executeTakeFirst()
  return row?.user_id ?? null
}
