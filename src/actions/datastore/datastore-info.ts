import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { readableTable } from '../../datastore/access.js'
import { tableInfo } from '../../datastore/tables.js'

export default defineAction({
  name: 'datastore_info',
  sideEffectFree: true,
  help: 'Describe a DataStore table: meta (row count, sizes in bytes, aliases) and its fields with their PostgreSQL schema.',
  params: Type.Object({
    resource_id: P.string({ description: 'the resource id or an alias' }),
    id: P.string({ description: 'alias of resource_id' })
  }),
  result: Type.Object({ meta: Type.Record(Type.String(), Type.Unknown()), fields: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
  example: { id: '0753ab8a-95bd-4354-913a-58da0464baf5' },
  async handler (params, ctx) {
    const id = params.resource_id ?? params.id
    if (id === undefined) throw new ValidationError({ resource_id: ['Missing value'] })
    const meta = await readableTable(ctx, id, `Resource/Alias "${id}" was not found.`)
    return tableInfo(ctx.db, meta)
  }
})
