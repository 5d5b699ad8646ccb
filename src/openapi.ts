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

/** On every counted answer (none for an unlimited tier): written once under components, referenced. */
const RATE_LIMIT_HEADER_DOCS: Json = {
  'X-RateLimit-Limit': { description: 'the limit of the window with the least room left', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'what is left in that window', schema: { type: 'integer' } },
  'RateLimit-Policy': { description: 'draft-ietf-httpapi-ratelimit-headers-10: every window, e.g. `"minute";q=60;w=60, "hour";q=1000;w=3600`', schema: { type: 'string' } },
  RateLimit: { description: 'draft-ietf-httpapi-ratelimit-headers-10: what is left of each window and its seconds to reset, e.g. `"minute";r=59;t=60`', schema: { type: 'string' } }
}
const RATE_LIMIT_HEADERS: Json = Object.fromEntries(Object.keys(RATE_LIMIT_HEADER_DOCS).map((h) => [h, { $ref: `#/components/headers/${h}` }]))

export function buildOpenApi (actions: readonly Action<any>[]): Json {
  const paths: Json = {}
  for (const a of actions) {
    const responses = {
      200: {
        description: 'Success, in CKAN\'s envelope',
        headers: RATE_LIMIT_HEADERS,
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
      409: { $ref: '#/components/responses/ValidationError' },
      429: { $ref: '#/components/responses/RateLimitError' },
      503: { $ref: '#/components/responses/ServiceUnavailable' }
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
      description: [
        'The CKAN 2.10 Action API as data.go.th serves it. Every action answers `{"help", "success", "result"}`; errors answer `{"help", "error": {"__type", ...}, "success": false}`.',
        '**API keys.** Get one at `/register` (or with the `api_token_register` action) and send it in one of the `X-CKAN-API-Key`, `Authorization` (the key itself, no `Bearer`), `api-key` or `X-Api-Key` headers, or as the `api-key` or `api_key` query parameter; the first of these present, in that order, is the one used. Reads of public data need none unless the server runs in gateway mode (`OPEND_REQUIRE_API_KEY=true`, as data.go.th\'s gateway), where every action answers 403 without a valid key, with `error.code` `API_KEY_MISSING`, `API_KEY_INVALID`, `API_KEY_DISABLED` or `API_KEY_EXPIRED`. `/usage` shows a key\'s owner its requests per day and action.',
        '**Rate limits.** Each key is counted under its tier\'s windows (second, minute, hour, day); callers without a key under the anonymous tier, per IP address. Every counted answer carries `X-RateLimit-Limit` and `X-RateLimit-Remaining` (the window with the least room left) and the IETF draft\'s `RateLimit-Policy` and `RateLimit` (every window). Over a limit the answer is 429 with `Retry-After` in seconds and `error.code` `OVER_RATE_LIMIT`. `datastore_search_sql` and CSV/TSV exports cost 5 units, `package_search` with `facet.field` 2, registration 10; a refused call costs nothing.'
      ].join('\n\n')
    },
    servers: [{ url: '/' }],
    components: {
      headers: RATE_LIMIT_HEADER_DOCS,
      responses: {
        BadRequest: { description: 'Bad request: unknown action, GET on a POST-only action, undecodable body (a bare JSON string, as in CKAN), or a Search Query Error', content: { 'application/json': { schema: { oneOf: [{ type: 'string' }, { $ref: '#/components/schemas/ErrorEnvelope' }] }, example: 'Bad request - Action name not known: no_such_action' } } },
        AuthorizationError: errorResponse('Authorization Error; in gateway mode also a missing or bad API key, with `code`', { help: '…', error: { __type: 'Authorization Error', message: 'Access denied: No API key was supplied. Get one at https://opend.example/register and send it in the api-key header.', code: 'API_KEY_MISSING' }, success: false }),
        NotFoundError: errorResponse('Not Found Error', { help: '…', error: { __type: 'Not Found Error', message: 'Not found' }, success: false }),
        ValidationError: errorResponse('Validation Error: field names map to lists of messages', { help: '…', error: { name: ['Missing value'], __type: 'Validation Error' }, success: false }),
        RateLimitError: {
          ...errorResponse('Over a rate limit: which window, its limit, and when it has room again. Never cached.', {
            help: '…',
            error: { __type: 'Rate Limit Error', message: 'Rate limit exceeded: 1000 requests per hour for this API key. Try again in 1200 seconds.', code: 'OVER_RATE_LIMIT', window: 'hour', limit: 1000, retry_after: 1200, reset_at: '2026-11-28T10:00:00.000Z' },
            success: false
          }),
          headers: { 'Retry-After': { description: 'seconds until the call would be admitted', schema: { type: 'integer' } }, ...RATE_LIMIT_HEADERS }
        },
        ServiceUnavailable: errorResponse('The rate-limit store (Redis) is unreachable and the server is set to refuse rather than count per process (OPEND_RATE_LIMITS_ON_REDIS_ERROR=deny)', { help: '…', error: { __type: 'Service Unavailable', message: 'The rate-limit store is unavailable; try again shortly.' }, success: false })
      },
      securitySchemes: {
        ApiKeyHeader: { type: 'apiKey', in: 'header', name: 'api-key', description: 'data.go.th style' },
        CkanApiKey: { type: 'apiKey', in: 'header', name: 'X-CKAN-API-Key', description: 'CKAN clients (ckanapi)' },
        Authorization: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'the raw key, no Bearer prefix (as CKAN)' },
        XApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'api.data.gov style' },
        ApiKeyQuery: { type: 'apiKey', in: 'query', name: 'api-key', description: 'data.go.th gateway style; used when no header carries a key' },
        ApiKeyQueryUnderscore: { type: 'apiKey', in: 'query', name: 'api_key', description: 'api.data.gov style; used when no header carries a key' }
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
    // {} first: without gateway mode a key is optional
    security: [{}, { ApiKeyHeader: [] }, { CkanApiKey: [] }, { Authorization: [] }, { XApiKey: [] }, { ApiKeyQuery: [] }, { ApiKeyQueryUnderscore: [] }],
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
