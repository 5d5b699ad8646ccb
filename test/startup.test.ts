/**
 * Servers starting together on one fresh PostgreSQL database, as instances
 * behind a load balancer do: each migrates, builds the search index and
 * loads the demo into the empty catalog; one does each while the others wait,
 * and all of them start. PGlite's database belongs to one process, so this
 * runs on PostgreSQL only.
 */
import t from 'tap'
import { DEMO_DATASETS } from '../src/demo/catalog.js'
import { cliSandbox } from './cli-runner.js'

t.setTimeout(300_000)

if (!process.env.DATABASE_URL) {
  t.pass('servers sharing a database need PostgreSQL (DATABASE_URL)')
} else {
  t.test('three servers starting at once on a fresh database', async (t) => {
    const cli = await cliSandbox(t, 'startup')
    const servers = await Promise.all([0, 1, 2].map(() => cli.serve({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' })))
    const loaded = servers.filter((s) => s.output().includes('loaded the demo catalog into the empty database'))
    t.equal(loaded.length, 1, 'one of them loaded the demo')
    const packages = await cli.withDb(async (db) => await db.kysely.selectFrom('packages').select('name').execute())
    t.equal(packages.length, DEMO_DATASETS.length, 'once')
    for (const s of servers) {
      const res = await fetch(`http://127.0.0.1:${s.port}/api/3/action/package_search?q=*:*&rows=0&include_private=true`)
      t.equal(res.status, 200)
    }
  })
}
