/** API key usage as the usage action and page show it: per key, per day, per action. */
import type { Kysely } from 'kysely'
import type { Database } from '../db/database.js'
import { listTokens, readUsage } from '../db/queries/tokens.js'

export interface KeyUsage {
  id: string
  name: string
  tier: string
  state: string
  requests: number
  limited: number
  days: { day: string, requests: number, limited: number, actions: Record<string, number> }[]
}

/** The UTC day `days - 1` days before today: the first day of a `days`-day report. */
export function firstDay (days: number, now = new Date()): string {
  return new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
}

/** Usage of a user's keys (or one of them) since `since`, newest day first. */
export async function keyUsage (db: Kysely<Database>, userId: string, since: string, tokenId?: string): Promise<KeyUsage[]> {
  const keys = (await listTokens(db, { userId })).filter((k) => tokenId === undefined || k.id === tokenId)
  const rows = await readUsage(db, keys.map((k) => k.id), since)
  return keys.map((k) => {
    const days = new Map<string, KeyUsage['days'][number]>()
    let requests = 0
    let limited = 0
    for (const r of rows) {
      if (r.token_id !== k.id) continue
      let d = days.get(r.day)
      if (!d) days.set(r.day, d = { day: r.day, requests: 0, limited: 0, actions: {} })
      d.requests += r.requests
      d.limited += r.limited
      d.actions[r.action] = r.requests
      requests += r.requests
      limited += r.limited
    }
    return { id: k.id, name: k.name, tier: k.tier, state: k.state, requests, limited, days: [...days.values()] }
  })
}
