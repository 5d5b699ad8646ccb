import Type from 'typebox'
import { defineAction, type ActionContext } from '../../ckan/action.js'
import { NotFoundError, ValidationError } from '../../ckan/errors.js'
import { ckanTimestamp } from '../../ckan/json.js'
import { P } from '../../ckan/params.js'
import { resourceForWrite } from '../../catalog/resources.js'
import { type LoadJob, latestJob } from '../../datastore/load-jobs.js'

const Status = Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('complete'), Type.Literal('error')])
const Timestamp = Type.Union([Type.String(), Type.Null()])

export const LoadStatusSchema = Type.Object({
  status: Status,
  job_id: Type.String(),
  job_url: Type.Null({ description: 'opend runs the job itself: there is no job service to link to' }),
  last_updated: Type.String(),
  task_info: Type.Object({
    job_id: Type.String(),
    job_type: Type.Literal('xloader_to_datastore'),
    status: Status,
    data: Type.Union([Type.Object({ row_count: Type.Integer() }), Type.Null()], { description: 'what a complete load stored' }),
    error: Type.Union([Type.Object({ message: Type.String() }), Type.Null()]),
    requested_timestamp: Type.String(),
    started_timestamp: Timestamp,
    finished_timestamp: Timestamp,
    metadata: Type.Object({ resource_id: Type.String(), file_name: Type.String() }),
    logs: Type.Array(Type.Object({ timestamp: Timestamp, level: Type.String(), message: Type.String() }))
  }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the load failed; a malformed row is named by its line' })
})

export const LoadStatusParams = Type.Object({
  resource_id: P.string({ description: 'the resource id' }),
  id: P.string({ description: 'the resource id, under the name xloader also takes' })
})

/**
 * The status of a resource's latest load, as ckanext-xloader's
 * xloader_status answers it. Reading it takes the right to edit the
 * resource (xloader's datastore_auth checks resource_update).
 */
export async function loadStatus (params: { resource_id?: string, id?: string }, ctx: ActionContext) {
  const id = params.id ?? params.resource_id
  if (id === undefined) throw new ValidationError({ resource_id: 'Missing value' })
  await resourceForWrite(ctx, id)
  const job = await latestJob(ctx.db, id)
  if (!job) throw new NotFoundError()
  return loadJobDictize(job)
}

function loadJobDictize (job: LoadJob) {
  return {
    status: job.status,
    job_id: job.id,
    job_url: null,
    last_updated: ckanTimestamp(job.last_updated)!,
    task_info: {
      job_id: job.id,
      job_type: 'xloader_to_datastore' as const,
      status: job.status,
      data: job.status === 'complete' ? { row_count: Number(job.row_count) } : null,
      error: job.error === null ? null : { message: job.error },
      requested_timestamp: ckanTimestamp(job.created)!,
      started_timestamp: ckanTimestamp(job.started),
      finished_timestamp: ckanTimestamp(job.finished),
      metadata: { resource_id: job.resource_id, file_name: job.file_name },
      logs: job.logs.map((l) => ({ timestamp: ckanTimestamp(l.timestamp), level: l.level, message: l.message }))
    },
    error: job.error
  }
}

export default defineAction({
  name: 'xloader_status',
  sideEffectFree: true,
  help: `Return the status of the latest load of a resource's uploaded file into the DataStore (ckanext-xloader's xloader_status).

Uploading a CSV or XLSX file (resource_create, resource_update) queues a load; xloader_submit
queues one again. status is pending, running, complete or error; error (and task_info.error)
says why a load failed, a malformed row by its line ("line 4: 1 values where the header has
2"), in which case the previous DataStore table is left as it was. Needs the right to edit the
resource. A resource that never had a load: Not Found.

:param resource_id: the resource id (also accepted as id)`,
  params: LoadStatusParams,
  result: LoadStatusSchema,
  example: { resource_id: '0753ab8a-95bd-4354-913a-58da0464baf5' },
  handler: loadStatus
})
