/**
 * package_show answers for public datasets (and package_list pages and the
 * costly anonymous package_search answers), kept in process memory (by
 * default at most MAX_ENTRIES answers and MAX_CHARS characters, the oldest
 * dropped first).
 * Every write that rebuilds a package dict also sends `NOTIFY opend_package, <id>`
 * in its transaction, so every opend process drops the entry when the write
 * commits; a process whose notification channel is down serves nothing from
 * the cache until it is back (and starts empty). Entries also expire after
 * TTL_MS as a last safety net.
 */

export const CHANNEL = 'opend_package'
const TTL_MS = 60_000
const MAX_ENTRIES = 10_000
/** the answers are ASCII JSON (Thai as \uXXXX), so characters are bytes; a search answer with 20 dicts is about 400 KB */
const MAX_CHARS = 128 * 2 ** 20

interface Entry { id: string, dict: string, expires: number }

/** Entries that depend on every dataset (package_list pages, searches) are stored under this id. */
export const ANY_PACKAGE = '\u0000any'

export class PackageCache {
  private readonly entries = new Map<string, Entry>()
  constructor (private readonly limits = { entries: MAX_ENTRIES, chars: MAX_CHARS }) {}

  /** bumped by every invalidation: a read that began before one may not fill the cache */
  private gen = 0
  private live = false
  private chars = 0

  get generation (): number { return this.gen }

  /** Caching is on only while invalidations can reach this process. */
  setLive (live: boolean): void {
    this.live = live
    this.invalidate()
  }

  get (key: string): string | undefined {
    if (!this.live) return undefined
    const e = this.entries.get(key)
    if (!e) return undefined
    if (e.expires < Date.now()) {
      this.delete(key)
      return undefined
    }
    return e.dict
  }

  /** Store a public dataset's dict, read from the database at `generation`. */
  set (key: string, id: string, dict: string, generation: number): void {
    if (!this.live || generation !== this.gen || dict.length > this.limits.chars) return
    this.delete(key)
    // the oldest go first
    for (const oldest of this.entries.keys()) {
      if (this.entries.size < this.limits.entries && this.chars + dict.length <= this.limits.chars) break
      this.delete(oldest)
    }
    this.entries.set(key, { id, dict, expires: Date.now() + TTL_MS })
    this.chars += dict.length
  }

  private delete (key: string): void {
    const e = this.entries.get(key)
    if (!e) return
    this.entries.delete(key)
    this.chars -= e.dict.length
  }

  /** Drop one dataset's entries (under its name and its id), or all. */
  invalidate (id?: string): void {
    this.gen++
    if (id === undefined) {
      this.entries.clear()
      this.chars = 0
      return
    }
    for (const [key, e] of this.entries) if (e.id === id || e.id === ANY_PACKAGE) this.delete(key)
  }
}
