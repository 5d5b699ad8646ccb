import Type from 'typebox'
import { sql } from 'kysely'
import { defineAction } from '../../ckan/action.js'
import { ValidationError } from '../../ckan/errors.js'
import { P, oneOfMessage } from '../../ckan/params.js'
import { requireUser, writableTable, writeError } from '../../datastore/access.js'
import { checkRecordKeys, parseRecords } from '../../datastore/fields.js'
import { analyzeTable, insertRecords, writeKeyed } from '../../datastore/tables.js'

const METHODS = ['upsert', 'insert', 'update']
const BATCH = 5000

export default defineAction({
  name: 'datastore_upsert',
  sideEffectFree: false,
  help: 'Write records to a DataStore table. method: upsert (default: update the record with the same key, or insert it), insert, or update (every key must exist). The key is the table\'s primary key, or _id when it has none. dry_run=true checks everything and writes nothing.',
  params: Type.Object({
    resource_id: P.string({ description: 'the resource id or an alias' }),
    id: P.string({ description: 'alias of resource_id' }),
    records: P.any({ description: 'list of row objects' }),
    method: P.string({ default: 'upsert' }),
    force: P.boolean(),
    dry_run: P.boolean(),
    calculate_record_count: P.boolean()
  }, { additionalProperties: true }),
  result: Type.Object({ resource_id: Type.String() }, { additionalProperties: true }),
  example: { resource_id: '0753ab8a-95bd-4354-913a-58da0464baf5', method: 'upsert', records: [{ จังหวัด: 'เชียงใหม่', จำนวน: 1250 }] },
  async handler (params, ctx) {
    const id = params.resource_id ?? params.id
    if (id === undefined) throw new ValidationError({ resource_id: ['Missing value'] })
    const method = params.method ?? 'upsert'
    if (!METHODS.includes(method)) throw new ValidationError({ method: [oneOfMessage(METHODS)] })
    requireUser(ctx, 'datastore_upsert')
    const meta = await writableTable(ctx, id, params.force ?? false)
    const records = parseRecords(params.records)
    const key = meta.primaryKey.length ? meta.primaryKey : ['_id']
    if (method !== 'insert') {
      if (!meta.primaryKey.length && records.some((r) => !('_id' in r))) throw new ValidationError({ table: ['unique key must be passed for update/upsert'] })
      for (const r of records) {
        if ('_id' in r) continue
        const missing = key.filter((k) => !(k in r))
        // CKAN's message is a triple-quoted string, its line break and indent included
        if (missing.length) throw new ValidationError({ key: [`fields "${missing.join(', ')}" are missing\n                            but needed as key`] })
      }
    }
    const ids = new Set(meta.fields.map((f) => f.id))
    const unknown = [...new Set(records.flatMap((r) => Object.keys(r)))].filter((k) => !ids.has(k) && !(k === '_id' && method !== 'insert'))
    if (unknown.length) throw new ValidationError({ fields: [`fields "${unknown.join(', ')}" do not exist`] })
    checkRecordKeys(meta.fields, records, method !== 'insert')
    // dry_run: everything runs, then the savepoint takes it back
    if (params.dry_run) await sql`SAVEPOINT datastore_dry_run`.execute(ctx.db)
    try {
      for (let i = 0; i < records.length; i += BATCH) {
        const batch = records.slice(i, i + BATCH)
        if (method === 'insert') {
          await insertRecords(ctx.db, meta, batch)
          continue
        }
        const notFound = await writeKeyed(ctx.db, meta, batch, method as 'upsert' | 'update', key)
        // CKAN formats the key's values as a Python list; as JSON here, the same for numbers
        if (notFound) throw new ValidationError({ key: [`key "${JSON.stringify(notFound)}" not found`] })
      }
    } catch (err) {
      throw writeError(err)
    }
    if (params.dry_run) await sql`ROLLBACK TO SAVEPOINT datastore_dry_run`.execute(ctx.db)
    if (params.calculate_record_count) await analyzeTable(ctx.db, meta)
    // CKAN echoes what it validated: `force` is taken out, `method` only if given, `records` only if not empty
    const { force: _force, id: _id, records: _records, ...echo } = params
    return { ...echo, resource_id: id, ...(records.length ? { records: params.records } : {}) }
  }
})
