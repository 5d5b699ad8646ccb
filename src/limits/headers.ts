/**
 * The rate-limit fields of an answer. X-RateLimit-Limit and -Remaining are
 * what api.data.gov's clients read; they describe the window with the least
 * room left. RateLimit-Policy and RateLimit are draft-ietf-httpapi-
 * ratelimit-headers-10's, one item per window.
 */
import type { Outcome, Window, WindowState } from './store.js'
import { windowSeconds } from './tiers.js'

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000))

/** The window that binds: least room left, and of those the longest. */
export function tightest (windows: readonly WindowState[]): WindowState {
  let best = windows[0]!
  for (const w of windows) {
    const left = w.limit - w.used
    const bestLeft = best.limit - best.used
    if (left < bestLeft || (left === bestLeft && windowSeconds(w.name) > windowSeconds(best.name))) best = w
  }
  return best
}

/** The windows with no room for `cost` more units, and how long until all of them have it. */
export function blocking (outcome: Outcome, cost: number): { window: WindowState, retryAfter: number } {
  const full = outcome.windows.filter((w) => w.used + cost > w.limit)
  const window = full.reduce((a, b) => (b.resetMs > a.resetMs ? b : a), full[0] ?? tightest(outcome.windows))
  return { window, retryAfter: Math.max(1, seconds(window.resetMs)) }
}

/** RateLimit-Policy per tier: it changes only with the configuration, and every counted answer carries it. */
const policies = new WeakMap<readonly Window[], string>()

/** The fields for `outcome`, an outcome of the tier's `windows`. */
export function rateLimitHeaders (outcome: Outcome, windows: readonly Window[]): Record<string, string> {
  let policy = policies.get(windows)
  if (policy === undefined) {
    policy = windows.map((w) => `"${w.name}";q=${w.limit};w=${windowSeconds(w.name)}`).join(', ')
    policies.set(windows, policy)
  }
  const t = tightest(outcome.windows)
  let state = ''
  for (const w of outcome.windows) state += `${state === '' ? '' : ', '}"${w.name}";r=${Math.max(0, w.limit - w.used)};t=${seconds(w.resetMs)}`
  return {
    'x-ratelimit-limit': String(t.limit),
    'x-ratelimit-remaining': String(Math.max(0, t.limit - t.used)),
    'ratelimit-policy': policy,
    ratelimit: state
  }
}
