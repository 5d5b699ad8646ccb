/** Rate-limit tiers: parsed and checked when the process starts (src/limits/tiers.ts). */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { DEFAULT_TIERS, parseTiers } from '../../src/limits/tiers.js'

t.test('the built-in tiers', async (t) => {
  const tiers = parseTiers(null, null)
  t.same(Object.keys(tiers), Object.keys(DEFAULT_TIERS))
  t.same(tiers.anonymous, [{ name: 'minute', limit: 60 }])
  t.same(tiers.default, [{ name: 'second', limit: 10 }, { name: 'hour', limit: 1000 }, { name: 'day', limit: 10000 }], 'windows shortest first')
  t.same(tiers.unlimited, [])
})

t.test('the variable replaces tiers one by one, over the file\'s', async (t) => {
  const tiers = parseTiers('{"default": {"minute": 100}, "partner": {"second": 50}}', { path: 'tiers.json', text: '{"partner": {"day": 1}, "school": {"hour": 500}}' })
  t.same(tiers.default, [{ name: 'minute', limit: 100 }])
  t.same(tiers.partner, [{ name: 'second', limit: 50 }])
  t.same(tiers.school, [{ name: 'hour', limit: 500 }])
  t.same(tiers.anonymous, [{ name: 'minute', limit: 60 }], 'untouched tiers keep their built-in windows')
})

t.test('mistakes stop the process at start, saying what is wrong', async (t) => {
  const bad: [string, RegExp][] = [
    ['{"default": {"minute": 0}}', /OPEND_RATE_LIMITS at \/default\/minute/],
    ['{"default": {"month": 5}}', /OPEND_RATE_LIMITS at \/default/],
    ['{"default": {"minute": 1.5}}', /at \/default\/minute/],
    ['{"default": {"minute": "60"}}', /at \/default\/minute/],
    ['{"default": {"minute": 100, "hour": 50}}', /tier "default": its hour limit \(50\) is lower than its minute limit \(100\)/],
    ['{"bad name!": {}}', /OPEND_RATE_LIMITS/],
    ['[1]', /OPEND_RATE_LIMITS/],
    ['{"default": {"minute": 5}', /OPEND_RATE_LIMITS is not JSON/]
  ]
  for (const [value, message] of bad) {
    t.throws(() => loadConfig({ OPEND_RATE_LIMITS: value }), { name: 'Error', message: /^invalid rate limits: / }, value)
    try {
      loadConfig({ OPEND_RATE_LIMITS: value })
    } catch (err) {
      t.ok(err instanceof ConfigError)
      t.match((err as Error).message, message, value)
    }
  }
  t.throws(() => loadConfig({ OPEND_RATE_LIMITS_FILE: '/nonexistent/tiers.json' }), /invalid rate limits: ENOENT/)
  t.throws(() => loadConfig({ OPEND_RATE_LIMITS_ON_REDIS_ERROR: 'maybe' }), /OPEND_RATE_LIMITS_ON_REDIS_ERROR: must be one of local, allow, deny/)
  t.throws(() => loadConfig({ OPEND_REGISTRATION: 'sometimes' }), /OPEND_REGISTRATION: must be one of open, approval, off/)
})

t.test('a tier file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'opend-tiers-'))
  const file = join(dir, 'tiers.json')
  writeFileSync(file, '{"research": {"minute": 600, "day": 100000}}')
  const config = loadConfig({ OPEND_RATE_LIMITS_FILE: file })
  t.same(config.rateLimits.research, [{ name: 'minute', limit: 600 }, { name: 'day', limit: 100000 }])
  writeFileSync(file, '{"research": {"minute": -1}}')
  t.throws(() => loadConfig({ OPEND_RATE_LIMITS_FILE: file }), new RegExp(`OPEND_RATE_LIMITS_FILE \\(${file}\\) at /research/minute`))
})
