/** Users. */
import { randomBytes, randomUUID, scryptSync } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, User } from '../database.js'
import { idOrName } from './lookup.js'

export async function findUser (db: Kysely<Database>, ref: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where(idOrName(ref)).executeTakeFirst()
}

export function hashPassword (password: string): string {
  const salt = randomBytes(16)
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 32).toString('hex')}`
}

export interface NewUser { name: string, email?: string | null, fullname?: string | null, about?: string | null, image_url?: string | null, sysadmin?: boolean, password?: string | null }

export async function insertUser (db: Kysely<Database>, u: NewUser): Promise<User> {
  return db.insertInto('users').values({
    id: randomUUID(),
    name: u.name,
    email: u.email ?? null,
    fullname: u.fullname ?? null,
    about: u.about ?? null,
    image_url: u.image_url ?? null,
    sysadmin: u.sysadmin ?? false,
    last_active: null,
    password_hash: u.password ? hashPassword(u.password) : null
  }).returningAll().executeTakeFirstOrThrow()
}

/** Datasets counted in user_show: active public ones, plus private and draft for the user or a sysadmin. */
export async function countCreatedPackages (db: Kysely<Database>, userId: string, privileged: boolean): Promise<number> {
  let q = db.selectFrom('packages').select((eb) => eb.fn.countAll<number>().as('n')).where('creator_user_id', '=', userId)
  q = privileged ? q.where('state', 'in', ['active', 'draft']) : q.where('state', '=', 'active').where('private', '=', false)
  return Number((await q.executeTakeFirstOrThrow()).n)
}
