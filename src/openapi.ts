/**
 * The OpenAPI 3.1 description, generated from the action registry: one path
 * per action, GET with query parameters for side-effect-free actions, POST
 * with a JSON body for all, each answer in CKAN's envelope.
 */
import type { TSchema } from 'typebox'
import type { Action } from './ckan/action.js'
import { CKAN_VERSION } from './actions/site/status-show.js'
import { GroupSchema, LicenseSchema, PackageSchema, ResourceSchema, UserSchema } from './schemas/catalog.js'
import { PackageParams } from './schemas/params.js'

type Json = Record<string, unknown>

const plain = (s: unknown): Json => JSON.parse(JSON.stringify(s)) as Json

// Shapes used by many actions are written once under components and referenced.
const SHARED: Record<string, unknown> = { Package: PackageSchema, Resource: ResourceSchema, Group: GroupSchema, User: UserSchema, License: LicenseSchema, PackageParams }
const sharedByText = new Map(Object.entries(SHARED).map(([name, schema]) => [JSON.stringify(schema), name]))

function refify (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(refify)
  if (node === null || typeof node !== 'object') return node
  const name = sharedByText.get(JSON.stringify(node))
  if (name) return { $ref: `#/components/schemas/${name}` }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, refify(v)]))
}

const errorResponse = (description: string, example: unknown): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' }, example } }
})

function queryParameters (action: Action): Json[] {
  const props = (action.params as unknown as { properties: Record<string, TSchema & Json>, required?: string[] }).properties
  return Object.entries(props).map(([name, schema]) => {
    const s = plain(schema)
    const kind = s['x-ckan']
    // objects and lists travel as JSON text (or repeated keys) in a query string
    const querySchema = kind === 'json' || kind === 'object' || kind === 'any'
      ? { type: 'string', description: 'JSON text' }
      : kind === 'list' ? { type: 'array', items: { type: 'string' } } : s
    return {
      name,
      in: 'query',
      required: s['x-required'] === true,
      ...(s.description ? { description: s.description } : {}),
      schema: querySchema
    }
  })
}

export function buildOpenApi (actions: readonly Action<any>[]): Json {
  const paths: Json = {}
  for (const a of actions) {
    const responses = {
      200: {
        description: 'Success, in CKAN\'s envelope',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['help', 'success', 'result'],
              properties: { help: { type: 'string' }, success: { const: true }, result: plain(a.result) }
            }
          }
        }
      },
      400: { $ref: '#/components/responses/BadRequest' },
      403: { $ref: '#/components/responses/AuthorizationError' },
      404: { $ref: '#/components/responses/NotFoundError' },
      409: { $ref: '#/components/responses/ValidationError' }
    }
    const [summary, ...rest] = a.help.split('\n')
    const common = { tags: [tagOf(a.name)], summary, description: [rest.join('\n').trim(), 'Also served at `/api/action/' + a.name + '` and `/get-ckan/' + a.name + '` (data.go.th).'].filter(Boolean).join('\n\n'), responses }
    const post = {
      ...common,
      operationId: a.name,
      requestBody: {
        required: false,
        content: {
          'application/json': { schema: plain(a.params), ...(a.example ? { example: a.example } : {}) },
          'application/x-www-form-urlencoded': { schema: plain(a.params) },
          ...(a.acceptsUpload ? { 'multipart/form-data': { schema: withFile(plain(a.params)) } } : {})
        }
      }
    }
    paths[`/api/3/action/${a.name}`] = a.sideEffectFree
      ? { get: { ...common, operationId: `${a.name}_get`, parameters: queryParameters(a) }, post }
      : { post }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'opend: CKAN Action API',
      version: CKAN_VERSION,
      description: 'The CKAN 2.10 Action API as data.go.th serves it. Every action answers `{"help", "success", "result"}`; errors answer `{"help", "error": {"__type", ...}, "success": false}`. Send an API token in the `X-CKAN-API-Key`, `Authorization` or `api-key` header (checked in that order), or as an `api-key` query parameter; reads of public data need none.'
    },
    servers: [{ url: '/' }],
    components: {
      responses: {
        BadRequest: { description: 'Bad request: unknown action, GET on a POST-only action, undecodable body (a bare JSON string, as in CKAN), or a Search Query Error', content: { 'application/json': { schema: { oneOf: [{ type: 'string' }, { $ref: '#/components/schemas/ErrorEnvelope' }] }, example: 'Bad request - Action name not known: no_such_action' } } },
        AuthorizationError: errorResponse('Authorization Error', { help: '…', error: { __type: 'Authorization Error', message: 'Access denied' }, success: false }),
        NotFoundError: errorResponse('Not Found Error', { help: '…', error: { __type: 'Not Found Error', message: 'Not found' }, success: false }),
        ValidationError: errorResponse('Validation Error: field names map to lists of messages', { help: '…', error: { name: ['Missing value'], __type: 'Validation Error' }, success: false })
      },
      securitySchemes: {
        ApiKeyHeader: { type: 'apiKey', in: 'header', name: 'api-key', description: 'data.go.th style' },
        CkanApiKey: { type: 'apiKey', in: 'header', name: 'X-CKAN-API-Key' },
        Authorization: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'the raw token, no Bearer prefix (as CKAN)' },
        ApiKeyQuery: { type: 'apiKey', in: 'query', name: 'api-key', description: 'data.go.th gateway style (also api_key); used when no header carries a token' }
      },
      schemas: {
        ...Object.fromEntries(Object.entries(SHARED).map(([name, schema]) => [name, plain(schema)])),
        ErrorEnvelope: {
          type: 'object',
          required: ['help', 'error', 'success'],
          properties: {
            help: { type: 'string' },
            error: { type: 'object', required: ['__type'], properties: { __type: { type: 'string' }, message: { type: 'string' } }, additionalProperties: true },
            success: { const: false }
          }
        }
      }
    },
    security: [{}, { ApiKeyHeader: [] }, { CkanApiKey: [] }, { Authorization: [] }, { ApiKeyQuery: [] }],
    paths: refify(paths)
  }
}

/** The parameters as form fields, with `upload` as the file it is in a multipart body. */
function withFile (params: Json): Json {
  const properties = params.properties as Json
  return {
    ...params,
    properties: { ...properties, upload: { type: 'string', format: 'binary', description: 'the file (at most OPEND_UPLOAD_MAX_MB); a CSV or XLSX file is then loaded into the DataStore in the background' } }
  }
}

function tagOf (name: string): string {
  if (name.startsWith('package') || name.startsWith('dataset') || name.startsWith('current_package')) return 'datasets'
  if (name.startsWith('resource') || name === 'format_autocomplete') return 'resources'
  if (name.startsWith('organization') || name.startsWith('group') || name.startsWith('member')) return 'organizations and groups'
  if (name.startsWith('tag') || name.startsWith('license')) return 'tags and licenses'
  if (name.startsWith('user') || name.startsWith('api_token')) return 'users and tokens'
  return 'site'
}
