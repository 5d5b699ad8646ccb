import { WINDOWS, type CounterStore, type Outcome, type Window } from './store.js'

interface Counter {
  count: number
  /** when the window ends, on the store's clock */
  resetAt: number
}

export interface LocalStoreOptions {
  /** the clock, injectable so tests need not wait for windows to pass */
  now?: () => number
  /** how often expired counters are dropped */
  sweepMs?: number
}

/**
 * Counters in this process's memory: exact for one process, per process when
 * several run (each then admits up to the limit). `hit` is synchronous, so
 * JavaScript's single thread makes it atomic.
 */
export class LocalStore implements CounterStore {
  readonly #now: () => number
  readonly #counters = new Map<string, Counter>()
  readonly #sweeper: NodeJS.Timeout

  constructor ({ now = Date.now, sweepMs = 60_000 }: LocalStoreOptions = {}) {
    this.#now = now
    // Expired counters are otherwise only replaced when their subject comes
    // back; without the sweep, every subject ever seen would stay in memory.
    this.#sweeper = setInterval(() => this.#sweep(), sweepMs).unref()
  }

  /** counters held, expired ones not yet swept included */
  get size (): number {
    return this.#counters.size
  }

  hit (subject: string, windows: readonly Window[], cost: number): Outcome {
    const now = this.#now()
    const current = windows.map((window) => {
      const key = `${subject}:${window.name}`
      const counter = this.#counters.get(key)
      return { window, key, counter: counter !== undefined && counter.resetAt > now ? counter : undefined }
    })
    const allowed = current.every(({ window, counter }) => (counter?.count ?? 0) + cost <= window.limit)
    return {
      allowed,
      windows: current.map(({ window, key, counter }) => {
        if (allowed) {
          if (counter === undefined) {
            counter = { count: 0, resetAt: now + WINDOWS[window.name] }
            this.#counters.set(key, counter)
          }
          counter.count += cost
        }
        return {
          name: window.name,
          limit: window.limit,
          used: counter?.count ?? 0,
          resetMs: counter === undefined ? WINDOWS[window.name] : counter.resetAt - now
        }
      })
    }
  }

  async close (): Promise<void> {
    clearInterval(this.#sweeper)
  }

  #sweep (): void {
    const now = this.#now()
    for (const [key, counter] of this.#counters) {
      if (counter.resetAt <= now) this.#counters.delete(key)
    }
  }
}
