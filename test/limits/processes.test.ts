/**
 * Issue #5's bar with real processes: two `opend serve` over one PostgreSQL
 * database and one Redis, 400 concurrent requests with one key limited to
 * 100 a minute, then from one anonymous address: exactly 100 admitted, each
 * with its own remainder. PGlite's database belongs to one process, so this
 * runs on PostgreSQL only; cluster.test.ts checks the same with two servers
 * in one process on either database.
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { cliSandbox } from '../cli-runner.js'
import { burst, checkExact } from './burst.js'

t.setTimeout(300_000)

if (!process.env.DATABASE_URL) {
  t.pass('two opend processes need a database both can open: PostgreSQL (DATABASE_URL); cluster.test.ts covers PGlite')
} else {
  t.test('two opend processes sharing Redis admit exactly the limit', async (t) => {
    const cli = await cliSandbox(t, 'processes')
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      OPEND_REDIS_PREFIX: `test:${randomBytes(6).toString('hex')}:`,
      OPEND_RATE_LIMITS: '{"anonymous": {"minute": 100}, "t100": {"minute": 100}}',
      OPEND_DEMO: 'false',
      LOG_LEVEL: 'warn'
    }
    t.equal((await cli.run(['user', 'add', 'dev'], env)).code, 0)
    const token = await cli.run(['token', 'add', 'dev', '--tier', 't100'], env)
    t.equal(token.code, 0, token.stderr)
    const servers = await Promise.all([0, 1].map(() => cli.serve({ ...env, PORT: '0', HOST: '127.0.0.1' })))
    t.not(servers[0]!.process.pid, servers[1]!.process.pid)
    const urls = servers.map((s) => `http://127.0.0.1:${s.port}`)
    checkExact(t, await burst(urls, { 'api-key': token.stdout.trim() }))
    checkExact(t, await burst(urls, {}))
  })
}
