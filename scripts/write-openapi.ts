/** Writes openapi/openapi.json from the action registry (npm run openapi). */
import { writeFile, mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ACTIONS } from '../src/actions/index.js'
import { buildOpenApi } from '../src/openapi.js'

const out = resolve(import.meta.dirname, '..', 'openapi', 'openapi.json')
await mkdir(resolve(out, '..'), { recursive: true })
await writeFile(out, JSON.stringify(buildOpenApi(ACTIONS), null, 2) + '\n')
process.stdout.write(`wrote ${out}\n`)
