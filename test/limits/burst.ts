/**
 * Issue #5's exactness check, shared by the in-process and the multi-process
 * tests: 400 requests at once across the servers, exactly 100 admitted.
 */
interface Tap { equal: Function, same: Function, ok: Function, match: Function }

/** 400 requests at once, alternating between the servers. */
export async function burst (urls: string[], headers: Record<string, string>) {
  return Promise.all(Array.from({ length: 400 }, async (_, i) => {
    const res = await fetch(`${urls[i % 2]}/get-ckan/status_show`, { headers })
    const body = await res.json() as any
    return { status: res.status, headers: res.headers, body }
  }))
}

export function checkExact (t: Tap, answers: Awaited<ReturnType<typeof burst>>) {
  const admitted = answers.filter((a) => a.status === 200)
  const refused = answers.filter((a) => a.status === 429)
  t.equal(admitted.length, 100, 'exactly 100 admitted')
  t.equal(refused.length, 300, 'and 300 refused')
  const remaining = admitted.map((a) => Number(a.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b)
  t.same(remaining, Array.from({ length: 100 }, (_, i) => i), 'each admitted answer counts down to its own remainder, 99 to 0')
  t.ok(admitted.every((a) => a.headers.get('x-ratelimit-limit') === '100' && a.headers.get('ratelimit-policy') === '"minute";q=100;w=60'))
  for (const r of refused) {
    const retry = Number(r.headers.get('retry-after'))
    if (!(retry >= 1 && retry <= 60) || r.headers.get('x-ratelimit-remaining') !== '0' || r.body.error.code !== 'OVER_RATE_LIMIT' || r.headers.get('cache-control') !== 'no-store') {
      t.match({ retry, remaining: r.headers.get('x-ratelimit-remaining'), body: r.body }, { retry: Number, remaining: '0', body: { error: { code: 'OVER_RATE_LIMIT' } } }, 'a refusal as documented')
      return
    }
  }
  t.ok(true, 'every refusal: 429, OVER_RATE_LIMIT, Retry-After within the minute, remaining 0, no-store')
}
