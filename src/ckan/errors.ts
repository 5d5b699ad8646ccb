/**
 * The error table: every failure an action can report, with the HTTP status
 * and `__type` CKAN 2.10 uses for it (ckan/views/api.py action()). Handlers
 * throw these; one error handler (transport.ts) renders them.
 */

export type FieldErrors = Record<string, string[] | string>

export abstract class CkanError extends Error {
  abstract readonly status: number
  abstract readonly type: string
  /** the `error` object of the envelope, without `__type` */
  abstract body (): Record<string, unknown>
}

/** 403. CKAN prefixes any detail with "Access denied: ". */
export class AuthorizationError extends CkanError {
  readonly status = 403
  readonly type = 'Authorization Error'
  constructor (readonly detail?: string, readonly extra: Record<string, unknown> = {}) { super(detail ?? 'Access denied') }
  body () { return { message: this.detail ? `Access denied: ${this.detail}` : 'Access denied', ...this.extra } }
}

/** 404. CKAN prefixes any detail with "Not found: ". */
export class NotFoundError extends CkanError {
  readonly status = 404
  readonly type = 'Not Found Error'
  constructor (readonly detail?: string) { super(detail ?? 'Not found') }
  body () { return { message: this.detail ? `Not found: ${this.detail}` : 'Not found' } }
}

/**
 * 409. Field errors are merged into the error object beside `__type`
 * (`{"name": ["Missing value"], "__type": "Validation Error"}`); a plain
 * message becomes `{"message": ...}`.
 */
export class ValidationError extends CkanError {
  readonly status = 409
  readonly type = 'Validation Error'
  readonly fields: FieldErrors
  constructor (fields: FieldErrors | string) {
    super(typeof fields === 'string' ? fields : JSON.stringify(fields))
    this.fields = typeof fields === 'string' ? { message: fields } : fields
  }

  body () { return { ...this.fields } }
}

/** 400, as CKAN raises for bad package_search parameters and sorts. */
export class SearchQueryError extends CkanError {
  readonly status = 400
  readonly type = 'Search Query Error'
  constructor (readonly detail: string) { super(detail) }
  // CKAN formats the message with Python's %r of the argument: a double-quoted string
  body () { return { message: `Search Query is invalid: ${pyRepr(this.detail)}` } }
}

/** 409, for queries the search backend refuses. */
export class SearchError extends CkanError {
  readonly status = 409
  readonly type = 'Search Error'
  constructor (readonly detail: string) { super(detail) }
  body () { return { message: `Search error: ${pyRepr(this.detail)}` } }
}

/**
 * 429, in the envelope (CKAN has no limits of its own): the message, and
 * API Umbrella's code OVER_RATE_LIMIT with the window that is full and when
 * it has room again. Never cached (RFC 6585).
 */
export class RateLimitError extends CkanError {
  readonly status = 429
  readonly type = 'Rate Limit Error'
  constructor (readonly detail: string, readonly extra: Record<string, unknown> = {}) { super(detail) }
  body () { return { message: this.detail, ...this.extra } }
}

/** 503: a service opend depends on is down and the configuration says not to answer without it. */
export class ServiceUnavailableError extends CkanError {
  readonly status = 503
  readonly type = 'Service Unavailable'
  constructor (readonly detail: string) { super(detail) }
  body () { return { message: this.detail } }
}

/**
 * Requests CKAN answers with a bare JSON string and status 400 instead of the
 * envelope: unknown action, GET on a POST-only action, undecodable bodies.
 */
export class BadRequest extends Error {
  constructor (readonly detail: string, readonly status = 400) { super(detail) }
  get text () { return `Bad request - ${this.detail}` }
}

// Python's repr() of a str: single quotes unless the text contains a single
// quote and no double quote.
function pyRepr (s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'"
  return q + s.replaceAll('\\', '\\\\').replaceAll(q, '\\' + q) + q
}
