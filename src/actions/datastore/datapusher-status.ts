import { defineAction } from '../../ckan/action.js'
import { LoadStatusParams, LoadStatusSchema, loadStatus } from './xloader-status.js'

/** CKAN's DataPusher asked the same question under this name; clients written for it keep working. */
export default defineAction({
  name: 'datapusher_status',
  sideEffectFree: true,
  help: `Return the status of the latest load of a resource's uploaded file into the DataStore: the same answer as xloader_status, under the DataPusher's name.

:param resource_id: the resource id (also accepted as id)`,
  params: LoadStatusParams,
  result: LoadStatusSchema,
  example: { resource_id: '0753ab8a-95bd-4354-913a-58da0464baf5' },
  handler: loadStatus
})
