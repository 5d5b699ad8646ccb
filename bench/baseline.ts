/**
 * The bare-Fastify baseline: one route shaped like opend's action route,
 * answering each URL with the exact bytes (and content-type and
 * cache-control) opend returned for it, from memory. Whatever opend spends
 * beyond this is opend's own cost: parameter handling, auth, the database
 * round trip, the envelope, logging.
 *
 *   node --import tsx bench/baseline.ts <fixtures.json>
 * fixtures.json: [{ url, contentType, cacheControl, body }], body in base64.
 * Prints "listening <port>" on stdout once ready.
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

interface Fixture { url: string, contentType: string, cacheControl: string, body: string }

const file = process.argv[2]
if (!file) {
  process.stderr.write('usage: baseline.ts <fixtures.json>\n')
  process.exit(2)
}
const fixtures = JSON.parse(readFileSync(file, 'utf8')) as Fixture[]
const byUrl = new Map(fixtures.map((f) => [f.url, { ...f, bytes: Buffer.from(f.body, 'base64') }]))

const app = Fastify()
app.get('/api/3/action/:name', async (request, reply) => {
  const hit = byUrl.get(request.url)
  if (!hit) return reply.code(404).send('not a benchmark URL')
  return reply.type(hit.contentType).header('cache-control', hit.cacheControl).send(hit.bytes)
})

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
const address = app.server.address()
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`)
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => { app.close().finally(() => process.exit(0)) })
