/**
 * The `opend` command as users run it: a real process per command, over a
 * database of its own (test/cli-runner.ts).
 */
import t from 'tap'
import { type CliSandbox, cliSandbox } from './cli-runner.js'

// every command is a fresh Node process with tsx, and on PGlite each opens
// (or initialises) the embedded database: far slower than the in-process tests
t.setTimeout(600_000)

const TOKEN = /^opend_[A-Za-z0-9_-]{40,}$/

const lines = (s: string) => s.split('\n').filter((l) => l !== '')

let cli: CliSandbox
const run: CliSandbox['run'] = (args, extra) => cli.run(args, extra)

t.before(async () => {
  cli = await cliSandbox(t, 'cli')
})

t.test('commands refused before any database is opened', async (t) => {
  const [unknown, badPort, badLevel, badName, badEmail, noName, help] = await Promise.all([
    run(['frobnicate']),
    run(['migrate'], { PORT: 'abc' }),
    run(['serve'], { LOG_LEVEL: 'loud' }),
    run(['user', 'add', 'Bad Name']),
    run(['user', 'add', 'valid-name', '--email', 'not-an-email']),
    run(['token', 'add']),
    run(['--help'])
  ])

  t.not(unknown.code, 0)
  t.match(unknown.stderr, /^opend: unknown command: frobnicate\n/)
  t.match(unknown.stderr, /usage:\n\s+opend serve/)
  t.equal(unknown.stdout, '')

  t.not(badPort.code, 0)
  t.equal(badPort.stdout, '')
  t.equal(lines(badPort.stderr).length, 1, 'exactly one line')
  t.match(badPort.stderr, /^opend: invalid environment variable PORT\b.*"abc"/)
  t.not(badLevel.code, 0)
  t.equal(lines(badLevel.stderr).length, 1)
  t.match(badLevel.stderr, /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/)

  t.not(badName.code, 0)
  t.match(badName.stderr, /^opend: invalid user name "Bad Name"/)
  t.not(badEmail.code, 0)
  t.match(badEmail.stderr, /invalid e-mail address "not-an-email"/)
  t.not(noName.code, 0)
  t.match(noName.stderr, /token add takes one user name/)

  t.equal(help.code, 0)
  t.match(help.stdout, /^usage:\n/)
  for (const cmd of ['serve', 'migrate', 'user add', 'token add', 'demo']) t.match(help.stdout, `opend ${cmd}`)
})

t.test('migrate, user add, token add, demo, serve', async (t) => {
  const first = await run(['migrate'])
  t.equal(first.code, 0, first.stderr)
  t.match(first.stdout, /^applied: \S+\n/)
  t.notMatch(first.stdout, /up to date/)
  const again = await run(['migrate'])
  t.equal(again.code, 0, again.stderr)
  t.equal(again.stdout, 'the database is up to date\n', 'migrate is idempotent')

  const added = await run(['user', 'add', 'alice', '--sysadmin', '--email', 'alice@example.org'])
  t.equal(added.code, 0, added.stderr)
  t.match(added.stdout, /^created user alice \([0-9a-f-]{36}\), sysadmin\n$/)

  const dup = await run(['user', 'add', 'alice'])
  t.not(dup.code, 0)
  t.equal(dup.stdout, '')
  t.same(lines(dup.stderr), ['opend: user "alice" already exists'], 'a one-line message')

  const token = await run(['token', 'add', 'alice', '--name', 'ci'])
  t.equal(token.code, 0, token.stderr)
  t.equal(lines(token.stdout).length, 1, 'the token alone on stdout')
  const secret = token.stdout.trim()
  t.match(secret, TOKEN)
  t.equal(token.stdout, secret + '\n')

  const nobody = await run(['token', 'add', 'nobody'])
  t.not(nobody.code, 0)
  t.equal(nobody.stdout, '', 'no token for an unknown user')
  t.match(nobody.stderr, /^opend: no user "nobody"/)

  const demo = await run(['demo'])
  t.equal(demo.code, 0, demo.stderr)
  const m = /^demo catalog: (\d+) datasets created, 0 already present\n$/.exec(demo.stdout)
  t.ok(m, demo.stdout)
  const created = Number(m?.[1])
  t.ok(created >= 40, `${created} demo datasets`)
  const demo2 = await run(['demo'])
  t.equal(demo2.code, 0, demo2.stderr)
  t.equal(demo2.stdout, `demo catalog: 0 datasets created, ${created} already present\n`, 'demo is idempotent')

  // serve on an ephemeral port: the printed port is the bound one
  const server = await cli.serve({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' })
  const port = server.port
  t.ok(port > 0, `listening on ${port}`)

  const base = `http://127.0.0.1:${port}/api/3/action`
  const search = await (await fetch(`${base}/package_search?rows=5`)).json() as any
  t.equal(search.success, true)
  t.ok(search.result.count >= 1, `${search.result.count} datasets found`)
  t.ok(search.result.results.length >= 1)
  // the token printed by `token add` authenticates against the same database
  const me = await (await fetch(`${base}/user_show`, { headers: { authorization: secret } })).json() as any
  t.equal(me.success, true)
  t.equal(me.result.name, 'alice')
  t.equal(me.result.sysadmin, true)
  t.equal(me.result.email, 'alice@example.org')
  const anon = await fetch(`${base}/user_show`)
  t.equal(anon.status, 404, 'without the token the caller is anonymous')

  // while the server runs, database commands work too (on PGlite the server
  // runs them over its control socket) and their writes are seen at once
  const carol = await run(['user', 'add', 'carol', '--email', 'carol@example.org'])
  t.equal(carol.code, 0, carol.stderr)
  t.match(carol.stdout, /^created user carol /)
  const carolToken = await run(['token', 'add', 'carol'])
  t.equal(carolToken.code, 0, carolToken.stderr)
  t.match(carolToken.stdout.trim(), TOKEN)
  const carolMe = await (await fetch(`${base}/user_show`, { headers: { authorization: carolToken.stdout.trim() } })).json() as any
  t.equal(carolMe.result?.name, 'carol', 'the token made while the server runs authenticates at once')
  const dupWhileServing = await run(['user', 'add', 'carol'])
  t.not(dupWhileServing.code, 0)
  t.same(lines(dupWhileServing.stderr), ['opend: user "carol" already exists'])

  // keys are managed from the command line too, and every change reaches the server within seconds
  const listed = await run(['token', 'list', 'carol'])
  t.equal(listed.code, 0, listed.stderr)
  const [carolKey] = lines(listed.stdout).map((l) => l.split('\t'))
  t.match(carolKey, [/^[0-9a-f-]{36}$/, 'carol', 'cli', 'default', 'active', '-', /^(-|\d{4}-)/])
  t.notOk(listed.stdout.includes(carolToken.stdout.trim().slice(6, 18)), 'no part of the key is listed')
  const goldAdd = await run(['token', 'add', 'carol', '--tier', 'gold'])
  t.not(goldAdd.code, 0)
  t.match(goldAdd.stderr, /^opend: tier: Unknown tier "gold"; configured tiers: anonymous, default, unlimited\n$/)
  t.match((await run(['token', 'add', 'carol', '--expires', 'soon'])).stderr, /--expires takes an ISO 8601 date/)
  const expiring = await run(['token', 'add', 'carol', '--name', 'temp', '--tier', 'unlimited', '--expires', '2999-01-01T00:00:00Z'])
  t.equal(expiring.code, 0, expiring.stderr)
  t.match(lines((await run(['token', 'list'])).stdout).find((l) => l.includes('\ttemp\t')), /\tunlimited\tactive\t2999-01-01T00:00:00.000Z\t/)
  t.equal((await run(['token', 'tier', carolKey![0]!, 'unlimited'])).code, 0)
  t.match((await run(['token', 'tier', carolKey![0]!])).stderr, /token tier takes a key id and a tier/)
  const disabled = await run(['token', 'disable', carolKey![0]!])
  t.equal(disabled.code, 0, disabled.stderr)
  t.match(disabled.stdout, /^updated key .*within 3 s\n$/)
  const carolAsks = async () => ((await (await fetch(`${base}/user_show`, { headers: { authorization: carolToken.stdout.trim() } })).json()) as any).result?.name
  const waitFor = async (want: string | undefined) => {
    const started = Date.now()
    while (await carolAsks() !== want && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 200))
    return carolAsks()
  }
  t.equal(await waitFor(undefined), undefined, 'a disabled key is anonymous within 5 s')
  t.equal((await run(['token', 'enable', carolKey![0]!])).code, 0)
  t.equal(await waitFor('carol'), 'carol', 'enabled again')
  t.equal((await run(['token', 'revoke', carolKey![0]!])).code, 0)
  t.equal(await waitFor(undefined), undefined, 'revoked')
  t.match((await run(['token', 'revoke', carolKey![0]!])).stderr, /no key with id/)
  t.match((await run(['token', 'frobnicate', 'x'])).stderr, /unknown command: token frobnicate/)

  server.process.kill('SIGTERM')
  const code = await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 30_000))])
  t.equal(code, 0, 'serve exits cleanly on SIGTERM')
})
