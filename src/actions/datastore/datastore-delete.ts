import Type from 'typebox'
import { sql } from 'kysely'
import { defineAction } from '../../ckan/action.js'
import { ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { touchPackage } from '../../catalog/resources.js'
import { requireUser, writableTable, writeError } from '../../datastore/access.js'
import { filterConditions } from '../../datastore/search.js'
import { analyzeTable, deleteRows, dropTable } from '../../datastore/tables.js'

export default defineAction({
  name: 'datastore_delete',
  sideEffectFree: false,
  help: 'Delete rows from a DataStore table, or the whole table. Without filters the table is dropped and the resource\'s datastore_active becomes false; with filters ({"field": value or [values]}) only the matching rows go.',
  params: Type.Object({
    resource_id: P.string({ description: 'the resource id or an alias' }),
    id: P.string({ description: 'alias of resource_id' }),
    filters: P.any({ description: 'a dict of field: value (or list of values); absent or null drops the table' }),
    force: P.boolean(),
    calculate_record_count: P.boolean()
  }, { additionalProperties: true }),
  result: Type.Object({ resource_id: Type.String() }, { additionalProperties: true }),
  example: { resource_id: '0753ab8a-95bd-4354-913a-58da0464baf5', filters: { จังหวัด: 'เชียงใหม่' } },
  async handler (params, ctx) {
    const id = params.resource_id ?? params.id
    if (id === undefined) throw new ValidationError({ resource_id: ['Missing value'] })
    const filters = params.filters ?? null
    if (filters !== null && (typeof filters !== 'object' || Array.isArray(filters))) throw new ValidationError({ filters: ['filters must be either a dict or null.'] })
    requireUser(ctx, 'datastore_delete')
    const meta = await writableTable(ctx, id, params.force ?? false)
    if (filters === null) {
      await dropTable(ctx.db, meta)
      await ctx.db.updateTable('resources').set({ datastore_active: false }).where('id', '=', meta.resourceId).execute()
      await touchPackage(ctx, meta.packageId, null)
    } else {
      const conditions = filterConditions(meta, filters as Record<string, unknown>)
      try {
        await deleteRows(ctx.db, meta, conditions.length ? sql.join(conditions, sql` AND `) : sql`true`)
      } catch (err) {
        throw writeError(err)
      }
      // CKAN would ANALYZE a dropped table too, and fail: only a table still there is analyzed
      if (params.calculate_record_count) await analyzeTable(ctx.db, meta)
    }
    return {
      resource_id: id,
      ...(filters !== null ? { filters } : {}),
      ...(params.calculate_record_count !== undefined ? { calculate_record_count: params.calculate_record_count } : {})
    }
  }
})
