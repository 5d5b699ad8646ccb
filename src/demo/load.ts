/**
 * Loads the demo catalog through the write actions themselves, as a
 * sysadmin, so the demo data passes the same validation as any client's.
 * Idempotent: organizations, groups and datasets that exist are skipped.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Action, ActionContext } from '../ckan/action.js'
import type { Config } from '../config.js'
import type { Database } from '../db/database.js'
import { ACTIONS } from '../actions/index.js'
import { findUser, insertUser } from '../db/queries/users.js'
import { DEMO_DATASETS, DEMO_GROUPS, DEMO_ORGANIZATIONS } from './catalog.js'

export const DEMO_USER = 'opend-demo'

function run (name: string, params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const action = ACTIONS.find((a) => a.name === name) as Action<any>
  return ctx.db.transaction().execute((trx) => action.handler(params, { ...ctx, db: trx }))
}

export async function isCatalogEmpty (db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('packages').select('id').limit(1).executeTakeFirst()
  return !row
}

export async function loadDemo (db: Kysely<Database>, config: Config, log: FastifyBaseLogger): Promise<{ created: number, skipped: number }> {
  const u = (await findUser(db, DEMO_USER)) ?? await insertUser(db, { name: DEMO_USER, fullname: 'opend demo loader', sysadmin: true })
  const ctx: ActionContext = { db, user: { id: u.id, name: u.name, sysadmin: true, tokenId: null }, config, log }
  const exists = async (table: 'groups' | 'packages', name: string) => !!(await db.selectFrom(table).select('id').where('name', '=', name).executeTakeFirst())
  let created = 0
  let skipped = 0
  for (const o of DEMO_ORGANIZATIONS) {
    if (await exists('groups', o.name)) continue
    await run('organization_create', { ...o }, ctx)
  }
  for (const g of DEMO_GROUPS) {
    if (await exists('groups', g.name)) continue
    await run('group_create', { ...g }, ctx)
  }
  for (const d of DEMO_DATASETS) {
    if (await exists('packages', d.name)) { skipped++; continue }
    const { gdc, tags, groups, state, ...core } = d
    await run('package_create', { ...core, ...gdc, tags: tags.map((name) => ({ name })), groups: groups.map((name) => ({ name })) }, ctx)
    if (state === 'deleted') await run('package_delete', { id: d.name }, ctx)
    created++
  }
  return { created, skipped }
}
