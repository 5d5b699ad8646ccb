/**
 * Self-service registration (issue #5): a developer gives a name and an
 * email, accepts the terms, and receives a key, shown once. Each
 * registration is a user of its own (as CKAN's user_create would make), with
 * no password: the key is how it signs in. An email already registered is
 * refused as CKAN's user_create refuses it, so nobody can obtain a key that
 * acts as someone else's account.
 */
import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Config } from '../config.js'
import type { Database, TokenState } from '../db/database.js'
import { createToken } from '../db/queries/tokens.js'
import { insertUser } from '../db/queries/users.js'
import { AuthorizationError, ValidationError, type FieldErrors } from '../ckan/errors.js'
import { DEFAULT_TIER } from '../limits/tiers.js'
import { isEmail } from './validators.js'

export interface Registration { name: string, email: string, acceptTerms: boolean }
export interface Registered { token: string, token_id: string, user: string, tier: string, state: TokenState }

/** The field errors of a registration form, CKAN-style; empty when it is fine. */
function registrationErrors (r: Registration): FieldErrors {
  const errors: FieldErrors = {}
  if (!r.name.trim()) errors.name = ['Missing value']
  else if (r.name.length > 200) errors.name = ['Must be at most 200 characters long']
  if (!r.email.trim()) errors.email = ['Missing value']
  else if (!isEmail(r.email.trim())) errors.email = [`Email ${r.email} is not a valid format`]
  if (!r.acceptTerms) errors.accept_terms = ['The terms of use must be accepted']
  return errors
}

/** A user name from the email's local part, with random letters so it is free and unguessable. */
function userName (email: string): string {
  const base = email.split('@')[0]!.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40)
  return `${base || 'developer'}-${randomBytes(4).toString('hex')}`
}

/** Runs inside the action's transaction, so a refused registration leaves nothing behind. */
export async function register (db: Kysely<Database>, config: Config, r: Registration): Promise<Registered> {
  if (config.registration === 'off') throw new AuthorizationError('Registration of API keys is closed on this site. Ask its administrators for a key.')
  const errors = registrationErrors(r)
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  const email = r.email.trim()
  // one registration per address at a time: two racing requests for one address serialize here
  await sql`SELECT pg_advisory_xact_lock(hashtext(${'register:' + email.toLowerCase()}))`.execute(db)
  const taken = await db.selectFrom('users').select('id').where(sql`lower(email)`, '=', email.toLowerCase()).where('state', '!=', 'deleted').executeTakeFirst()
  if (taken) throw new ValidationError({ email: ['The email address is already registered on a user account'] })
  const user = await insertUser(db, { name: userName(email), email, fullname: r.name.trim() })
  const state: TokenState = config.registration === 'approval' ? 'pending' : 'active'
  const { id, token } = await createToken(db, user.id, { name: 'registration', tier: DEFAULT_TIER, state })
  return { token, token_id: id, user: user.name, tier: DEFAULT_TIER, state }
}
