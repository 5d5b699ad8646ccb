/**
 * Where rate-limit counters live. A store counts units per subject (a key's id
 * or a client IP) in several windows at once, all or nothing: a request is
 * admitted only if every window has room for its cost, and only an admitted
 * request is counted, so a client hammering past its limit does not push its
 * own reset further away.
 *
 * Windows are fixed and start at the first unit counted in them (as
 * @fastify/rate-limit's stores do), not at calendar boundaries: a burst is
 * then judged against one window, whatever the clock says, and every instance
 * sharing a store agrees on where the window ends.
 */

/** Kong's window names, and their lengths. */
export const WINDOWS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const
export type WindowName = keyof typeof WINDOWS

export interface Window {
  name: WindowName
  /** units allowed in the window */
  limit: number
}

export interface WindowState {
  name: WindowName
  limit: number
  /** units counted in the window, this request's included when it was admitted */
  used: number
  /** milliseconds until the window ends and its count starts again */
  resetMs: number
}

export interface Outcome {
  allowed: boolean
  /** one entry per window asked about, in the order given */
  windows: WindowState[]
}

export interface CounterStore {
  /**
   * Count `cost` units for `subject` in every window, if each has room for
   * them; otherwise count nothing and say which are full. Atomic: concurrent
   * hits on one subject (from any process sharing the store) are never
   * admitted beyond a limit. The outcome comes at once when the store can
   * tell without waiting (in-process counters, units already leased), so
   * the cheapest requests do not pay for a promise.
   */
  hit: (subject: string, windows: readonly Window[], cost: number) => Outcome | Promise<Outcome>
  close: () => Promise<void>
}
