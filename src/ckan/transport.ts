/**
 * CKAN's action transport (ckan/views/api.py): the three action paths, GET
 * for side-effect-free actions and POST for all, CKAN's rules for where the
 * parameters come from, the {help, success, result} envelope, JSONP, and the
 * bare-string 400s. Errors thrown by actions are rendered by errorHandler.
 */
import { Readable } from 'node:stream'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyError } from 'fastify'
import type { Action, Caller } from './action.js'
import { AuthorizationError, BadRequest, CkanError, RateLimitError, ValidationError } from './errors.js'
import { KEY_QUERY_PARAMS } from '../plugins/auth.js'
import { asciiJson, JsonStream, RawJson } from './json.js'
import { MultipartBody, MultipartError, Upload, readMultipart } from './multipart.js'
import { coerceParams } from './params.js'
import type { Config } from '../config.js'
import { incomingDir, sweepIncoming } from '../catalog/uploads.js'

export const ACTION_PREFIXES = ['/api/3/action', '/api/action', '/get-ckan'] as const

export interface TransportOptions {
  actions: readonly Action<any>[]
  config: Config
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the action a request named, for the access log */
    actionName?: string
  }
}

const MAX_DEPTH = 64
/** An incoming file this old belongs to no running request (requestTimeout is 2 minutes). */
const INCOMING_MAX_AGE_MS = 24 * 3600_000
const JSONP_NAME = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/
const JSON_CT = 'application/json;charset=utf-8'

export function helpUrl (config: Config, name: string): string {
  return `${config.siteUrl}/api/3/action/help_show?name=${encodeURIComponent(name)}`
}

export default fp(async function transport (app: FastifyInstance, opts: TransportOptions) {
  const registry = new Map(opts.actions.map((a) => [a.name, a]))
  const { config } = opts

  // Bodies are kept as text and decoded below, so that undecodable JSON gets
  // CKAN's bare-string 400 rather than Fastify's own error shape.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })
  // Multipart bodies are streamed instead, so that an uploaded file goes to
  // disk as it arrives rather than through a 10 MB buffer.
  app.addContentTypeParser('multipart/form-data', async (request: FastifyRequest, payload: AsyncIterable<Buffer>) => {
    const name = (request.params as { name?: string }).name
    // only action routes take files; any other route (the developer pages) refuses the body itself
    if (request.is404 || name === undefined) return undefined
    // for the help link of a refusal, and the access log
    request.actionName = name
    const action = registry.get(name)
    if (!action) throw new BadRequest(`Action name not known: ${name}`)
    return multipartBody(request, payload, action, config)
  })
  // a file the action did not keep is removed before the answer goes out (or once the client is gone)
  const discardUpload = async (request: FastifyRequest) => {
    if (request.body instanceof MultipartBody) await request.body.upload?.discard()
  }
  app.addHook('onSend', async (request, _reply, payload) => {
    await discardUpload(request)
    return payload
  })
  app.addHook('onRequestAbort', discardUpload)
  // and what a process that died mid-upload left there goes at the next start
  app.addHook('onListen', async () => {
    const removed = await sweepIncoming(config.dataDir, INCOMING_MAX_AGE_MS)
    if (removed > 0) app.log.info({ removed }, 'removed files left by interrupted uploads')
  })

  async function handle (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) {
    const name = request.params.name
    request.actionName = name
    const action = registry.get(name)
    if (!action) throw new BadRequest(`Action name not known: ${name}`)
    if (request.method === 'GET' && !action.sideEffectFree) {
      throw new BadRequest('JSON Error: Invalid request. Please use POST method for your request')
    }
    const raw = sanitize(await requestData(request, action))
    // CKAN removes `callback` and runs a JSONP call as anonymous, so a token
    // sent by a browser page cannot be used by a third-party script.
    const hasCallback = Object.hasOwn(raw, 'callback')
    const callback = raw.callback
    delete raw.callback
    // CKAN only HTML-escapes the name; opend also refuses anything that is not
    // a JavaScript name, so no one can make it serve script of their choosing
    if (hasCallback && (typeof callback !== 'string' || !JSONP_NAME.test(callback))) {
      throw new ValidationError({ callback: ['Must be a JavaScript function name'] })
    }
    const keyParam = takeKeyParam(raw)
    const user: Caller | null = hasCallback ? null : await request.identify(keyParam)
    if (hasCallback) request.caller = null
    const params = coerceParams(action.params, raw)
    // the first unit was charged when the request arrived (plugins/rate-limit.ts)
    const cost = action.cost?.(params as never) ?? 1
    if (cost > 1) await app.charge(request, reply, cost - 1)
    const ctx = { user, config, log: request.log, packageCache: app.packageCache, url: request.url, copyTo: app.db.copyTo }
    let result: unknown
    if (action.sideEffectFree) {
      result = await action.handler(params as never, { ...ctx, db: app.db.kysely })
    } else {
      result = await app.db.kysely.transaction().execute((trx) => action.handler(params as never, { ...ctx, db: trx }))
      // Read-your-writes on this process at once; other processes (and this
      // one again) hear of the change through the NOTIFY sent on commit.
      app.packageCache.invalidate()
      // a key revoked, disabled or re-tiered here stops working here at once (elsewhere within KEY_CACHE_MS)
      if (name.startsWith('api_token_') || name.startsWith('user_')) app.forgetKeys()
    }
    const head = `{"help": ${asciiJson(helpUrl(config, name))}, "success": true, "result": `
    reply.header('cache-control', user ? 'private, max-age=0, must-revalidate' : 'public, max-age=0, must-revalidate')
    // JSONP only for successful GETs with the callback in the query string, as CKAN
    const jsonp = request.method === 'GET' && typeof callback === 'string' && hasQueryKey(request, 'callback')
    reply.type(jsonp ? 'application/javascript;charset=utf-8' : JSON_CT)
    const [open, close] = jsonp ? [`${callback as string}(${head}`, '});'] : [head, '}']
    if (result instanceof JsonStream) return reply.send(Readable.from(streamed(open, result.parts, close, request)))
    return reply.send(`${open}${result instanceof RawJson ? result.text : asciiJson(result)}${close}`)
  }

  /**
   * A streamed result inside its envelope. Once the first byte is out the
   * status cannot change: a failure later is logged and the connection is
   * cut, so the client sees a truncated body rather than a complete-looking one.
   */
  async function * streamed (open: string, parts: AsyncIterable<string | Buffer>, close: string, request: FastifyRequest): AsyncIterable<string | Buffer> {
    yield open
    try {
      for await (const part of parts) yield part
    } catch (err) {
      request.log.error({ err, action: request.actionName }, 'streamed answer failed after it started')
      throw err
    }
    yield close
  }

  for (const prefix of ACTION_PREFIXES) {
    app.route({ method: ['GET', 'POST'], url: `${prefix}/:name`, handler: handle })
  }
})

/**
 * data.go.th's gateway clients also send their key as `?api-key=` (and
 * api.data.gov's as `api_key`), and CKAN's form posts may carry it in the
 * body. It is a credential, not an action parameter: it is taken out so that
 * actions that refuse unknown parameters (package_search) do not see it.
 */
function takeKeyParam (raw: Record<string, unknown>): string | null {
  let key: string | null = null
  for (const name of KEY_QUERY_PARAMS) {
    const v = raw[name]
    if (typeof v === 'string' && v !== '' && key === null) key = v.trim()
    delete raw[name]
  }
  return key
}

function hasQueryKey (request: FastifyRequest, key: string): boolean {
  const q = request.query as Record<string, unknown> | undefined
  return q !== undefined && Object.hasOwn(q, key)
}

function queryString (request: FastifyRequest): string {
  const i = request.url.indexOf('?')
  return i < 0 ? '' : request.url.slice(i + 1)
}

/** CKAN's _get_request_data, in its order. */
async function requestData (request: FastifyRequest, action: Action): Promise<Record<string, unknown>> {
  const contentType = String(request.headers['content-type'] ?? '').toLowerCase()
  if (request.method === 'POST' && request.body instanceof MultipartBody) return multipartData(request.body)
  const body = request.body instanceof Buffer ? request.body : undefined
  if (request.method === 'POST' && body && body.length > 0 && contentType.startsWith('application/x-www-form-urlencoded')) {
    return formData(decodeUtf8(body))
  }
  // A GET-able action takes the query string whenever there is one, even on
  // POST, where CKAN then ignores the JSON body.
  if (action.sideEffectFree && queryString(request) !== '') {
    return { ...(request.query as Record<string, unknown>) }
  }
  if (request.method === 'POST' && body && body.length > 0) {
    // CKAN decodes request.get_json(), which needs a JSON content type: a JSON
    // body sent as text/plain is refused with this exact message.
    if (!contentType.startsWith('application/json') && !contentType.endsWith('+json') && contentType !== '') {
      throw new BadRequest("JSON Error: Error decoding JSON data. Error: <BadRequest '400: Bad Request'> JSON data extracted from the request: {}")
    }
    return parseJsonObject(decodeUtf8(body))
  }
  return {}
}

function decodeUtf8 (buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf)
  } catch {
    throw new BadRequest('JSON Error: Error decoding JSON data. Error: request body is not valid UTF-8 JSON data extracted from the request: {}')
  }
}

function parseJsonObject (text: string): Record<string, unknown> {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new BadRequest(`JSON Error: Error decoding JSON data. Error: ${(e as Error).message} JSON data extracted from the request: {}`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BadRequest(`JSON Error: Request data JSON decoded to ${JSON.stringify(data)} but it needs to be a dictionary.`)
  }
  return data as Record<string, unknown>
}

function addValue (out: Record<string, unknown>, key: string, value: string) {
  const prev = out[key]
  if (prev === undefined) out[key] = value
  else if (Array.isArray(prev)) prev.push(value)
  else out[key] = [prev, value]
}

function fromPairs (pairs: Iterable<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of pairs) addValue(out, k, v)
  // Legacy form-JSON: `curl -d '{"id":"x"}'` posts one form key holding the
  // JSON with an empty value; CKAN decodes that key as the request.
  const keys = Object.keys(out)
  if (keys.length === 1 && (out[keys[0]] === '' || out[keys[0]] === '1')) return parseJsonObject(keys[0])
  return out
}

function formData (text: string): Record<string, unknown> {
  return fromPairs(new URLSearchParams(text))
}

/** Text fields are held to the limit of any other body. */
const FIELD_BYTES = 10 * 1024 * 1024

/**
 * A multipart body read by src/ckan/multipart.ts: CKAN's field name `upload`
 * is the one file part accepted, by the actions that take it, up to
 * OPEND_UPLOAD_MAX_MB. Refusals are CKAN's: a file too large is its
 * Validation Error on `upload` (ResourceUpload.upload), never a 500.
 */
async function multipartBody (request: FastifyRequest, payload: AsyncIterable<Buffer>, action: Action, config: Config): Promise<MultipartBody> {
  const fileBytes = action.acceptsUpload ? config.uploadMaxBytes : 0
  const tooLarge = () => new ValidationError({ upload: ['File upload too large'] })
  // a body announced larger than anything it may hold is refused before a byte is read
  if (Number(request.headers['content-length']) > fileBytes + FIELD_BYTES) {
    throw action.acceptsUpload ? tooLarge() : bodyTooLarge()
  }
  try {
    return await readMultipart(payload, String(request.headers['content-type']), {
      tmpDir: incomingDir(config.dataDir), fileField: action.acceptsUpload ? 'upload' : null, fieldBytes: FIELD_BYTES, fileBytes
    })
  } catch (err) {
    if (!(err instanceof MultipartError)) throw err
    switch (err.reason) {
      case 'malformed': throw new BadRequest('JSON Error: Error decoding multipart form data')
      case 'fields too large': throw bodyTooLarge()
      case 'file too large': throw tooLarge()
      case 'file refused': throw new ValidationError({
        [err.field]: [action.acceptsUpload ? 'One file is accepted, as "upload"' : `${action.name} does not accept file uploads`]
      })
    }
  }
}

/** Fastify's own answer to an oversized body (413, a bare string). */
function bodyTooLarge (): Error {
  return Object.assign(new Error('Request body is too large'), { statusCode: 413 })
}

function multipartData (body: MultipartBody): Record<string, unknown> {
  const data = fromPairs(body.fields)
  // CKAN adds uploaded files to the data dict under their field names
  if (body.upload) data.upload = body.upload
  return data
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * Inputs that PostgreSQL cannot store or that only exist to exhaust the
 * server, in one pass over the parameters. NUL characters and absurd nesting
 * are refused (CKAN answers them with a 500). Lone surrogates ("\ud800"),
 * which JSON can carry and UTF-8 cannot, become U+FFFD as a UTF-8 decoder
 * would make them: PostgreSQL refuses them in jsonb (a 500) while text
 * columns would get U+FFFD from the driver anyway.
 */
function sanitize (data: Record<string, unknown>): Record<string, unknown> {
  const cleanKey = (k: string) => {
    if (k.includes('\u0000')) throw new BadRequest('JSON Error: Null character in a key')
    return k.replace(LONE_SURROGATE, '\ufffd')
  }
  const walk = (v: unknown, depth: number, key: string): unknown => {
    if (depth > MAX_DEPTH) throw new BadRequest(`JSON Error: Request data is nested more than ${MAX_DEPTH} levels deep`)
    // the uploaded file stays the instance the action recognises
    if (v instanceof Upload) return v
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw new BadRequest(`JSON Error: Null character in the value of "${key}"`)
      return v.replace(LONE_SURROGATE, '\ufffd')
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1, key))
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [cleanKey(k), walk(x, depth + 1, key)]))
    }
    return v
  }
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [cleanKey(k), walk(v, 1, k)]))
}

/**
 * One handler for every error: CKAN's envelope (or its bare-string 400s),
 * never a stack trace. Anything unexpected is logged with the request id
 * and answered as CKAN's 500 "Internal Server Error".
 */
export function errorHandler (config: Config) {
  return function (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
    if (error instanceof BadRequest) {
      return reply.code(error.status).type(JSON_CT).send(asciiJson(error.text))
    }
    const help = asciiJson(helpUrl(config, request.actionName ?? 'help_show'))
    if (error instanceof CkanError) {
      // CKAN puts __type first for most errors, but after the field messages
      // for a Validation Error; clients read keys, not order.
      const err = error instanceof AuthorizationError || error.status !== 409
        ? { __type: error.type, ...error.body() }
        : { ...error.body(), __type: error.type }
      return reply.code(error.status).type(JSON_CT).header('cache-control', error instanceof RateLimitError ? 'no-store' : 'no-cache')
        .send(`{"help": ${help}, "error": ${spacedJson(err)}, "success": false}`)
    }
    const status = (error as FastifyError).statusCode
    if (status && status >= 400 && status < 500) {
      // Fastify's own refusals (body too large, bad content length, ...)
      return reply.code(status).type(JSON_CT).send(asciiJson(`Bad request - ${error.message}`))
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply.code(500).type(JSON_CT)
      .send(`{"help": ${help}, "error": {"__type": "Internal Server Error", "message": "Internal Server Error"}, "success": false}`)
  }
}

/**
 * JSON with simplejson's ", " and ": " separators, so that error bodies are
 * byte-identical to CKAN's (results stay compact: they are mostly stored text).
 */
function spacedJson (v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(spacedJson).join(', ')}]`
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
    const items = Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${asciiJson(k)}: ${spacedJson(x)}`)
    return `{${items.join(', ')}}`
  }
  return asciiJson(v)
}
