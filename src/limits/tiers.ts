/**
 * Rate-limit tiers: named sets of windows in Kong's vocabulary, from
 * OPEND_RATE_LIMITS (JSON) and OPEND_RATE_LIMITS_FILE (a JSON file), checked
 * when the process starts so a typo never reaches a request.
 *
 *   {"anonymous": {"minute": 60}, "default": {"second": 10, "hour": 1000}, "unlimited": {}}
 *
 * A tier with no windows is unlimited: nothing is counted and no rate-limit
 * headers are sent (as API Umbrella does for unlimited keys).
 */
import Type from 'typebox'
import Value from 'typebox/value'
import { WINDOWS, type Window, type WindowName } from './store.js'

export type Tiers = Readonly<Record<string, readonly Window[]>>

/** Anonymous callers are counted per IP under this tier. */
export const ANONYMOUS = 'anonymous'
/** What a new key gets unless its creator names another tier. */
export const DEFAULT_TIER = 'default'

/**
 * The example, which is also api.data.gov's order of magnitude: a
 * registered key gets 1,000 an hour, an anonymous IP 60 a minute.
 */
export const DEFAULT_TIERS = {
  anonymous: { minute: 60 },
  default: { second: 10, hour: 1000, day: 10000 },
  unlimited: {}
}

const TierSchema = Type.Object(
  Object.fromEntries(Object.keys(WINDOWS).map((w) => [w, Type.Optional(Type.Integer({ minimum: 1 }))])),
  { additionalProperties: false }
)
const TiersSchema = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), TierSchema, { additionalProperties: false })

export class TierConfigError extends Error {}

function parseJson (text: string, where: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new TierConfigError(`${where} is not JSON: ${(err as Error).message}`)
  }
  if (!Value.Check(TiersSchema, value)) {
    const e = [...Value.Errors(TiersSchema, value)][0]
    const path = e?.instancePath ? ` at ${e.instancePath}` : ''
    throw new TierConfigError(`${where}${path}: ${e?.message ?? 'invalid'} (tiers are {"name": {"second"|"minute"|"hour"|"day": positive integer, ...}, ...})`)
  }
  return value as Record<string, unknown>
}

/**
 * The tiers in force: the built-in ones, replaced tier by tier by the file's,
 * then by the variable's. Kong's rule holds: a longer window may not allow
 * fewer requests than a shorter one.
 */
export function parseTiers (env: string | null, file: { path: string, text: string } | null): Tiers {
  const merged: Record<string, Record<string, number>> = { ...DEFAULT_TIERS }
  if (file) Object.assign(merged, parseJson(file.text, `OPEND_RATE_LIMITS_FILE (${file.path})`))
  if (env) Object.assign(merged, parseJson(env, 'OPEND_RATE_LIMITS'))
  const tiers: Record<string, Window[]> = {}
  for (const [name, spec] of Object.entries(merged)) {
    const windows = (Object.keys(WINDOWS) as WindowName[])
      .filter((w) => spec[w] !== undefined)
      .map((w) => ({ name: w, limit: spec[w]! }))
    for (let i = 1; i < windows.length; i++) {
      if (windows[i]!.limit < windows[i - 1]!.limit) {
        throw new TierConfigError(`tier "${name}": its ${windows[i]!.name} limit (${windows[i]!.limit}) is lower than its ${windows[i - 1]!.name} limit (${windows[i - 1]!.limit})`)
      }
    }
    tiers[name] = windows
  }
  return Object.freeze(tiers)
}

/** The window's length in seconds, as RateLimit-Policy's `w` gives it. */
export const windowSeconds = (w: WindowName): number => WINDOWS[w] / 1000
