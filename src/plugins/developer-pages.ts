/**
 * The developer pages of issue #5, as data.go.th and api.data.gov offer them:
 * /register, where a name, an email and acceptance of the terms give an API
 * key, shown once; and /usage, where a key's owner sees what their keys did
 * in the last 30 days. Plain HTML forms, usable without JavaScript, with no
 * external assets; served without a key even in gateway mode. The logic is
 * src/catalog/registration.ts and src/catalog/usage.ts, which the actions
 * api_token_register and api_token_usage also use.
 *
 * Links and form targets are relative ("register", not "/register"), so the
 * pages work behind a reverse proxy that serves opend under a path.
 * Depends on: db, auth.
 */
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { AuthorizationError, RateLimitError, ValidationError, type FieldErrors } from '../ckan/errors.js'
import { errorHandler } from '../ckan/transport.js'
import { register, type Registered } from '../catalog/registration.js'
import { firstDay, keyUsage, type KeyUsage } from '../catalog/usage.js'
import { lookupKey } from '../db/queries/tokens.js'

/** Days the usage page covers, today (UTC) included. */
const USAGE_DAYS = 30
/** A form is a few hundred bytes; nothing bigger is read. */
const FORM_BODY_LIMIT = 16 * 1024

// --- a tiny HTML builder: every interpolated value is escaped unless it is already Html

class Html {
  constructor (readonly text: string) {}
  toString () { return this.text }
}
type Value = Html | string | number | boolean | null | undefined | readonly Value[]

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

function render (v: Value): string {
  if (v instanceof Html) return v.text
  if (Array.isArray(v)) return v.map(render).join('')
  if (v === null || v === undefined || v === false || v === true) return ''
  return escapeHtml(String(v))
}

/** `html\`<p>${text}</p>\``: text, numbers and arrays of them escaped; null, undefined and booleans left out. */
function html (strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!
  values.forEach((v, i) => { out += render(v) + strings[i + 1]! })
  return new Html(out)
}

/** Thai text, marked as such for screen readers and hyphenation. */
const th = (text: string) => html`<span lang="th">${text}</span>`

const CSS = new Html(`
body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;color:#1b1b1b;background:#fff}
header,footer{color:#555}header a{color:inherit;font-weight:600;text-decoration:none}
footer{margin-top:2rem;border-top:1px solid #ddd;padding-top:.5rem;font-size:.9rem}
label{display:block;font-weight:600;margin-top:1rem}
input[type=text],input[type=email],input[type=password]{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:3px}
.check{display:flex;gap:.5rem;align-items:flex-start;margin-top:1rem}.check label{margin:0;font-weight:400}
.check input{width:1.2rem;height:1.2rem;margin-top:.2rem}
button{margin-top:1.25rem;font:inherit;padding:.5rem 1rem;border:0;border-radius:3px;background:#1d4f91;color:#fff;cursor:pointer}
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
[aria-invalid=true]{border-color:#b00020!important}
.error{color:#b00020;margin:.25rem 0 0}
.box{border:2px solid #b00020;padding:.5rem 1rem;margin:1rem 0}.box.ok{border-color:#1d7a3a}
code,pre{font-family:ui-monospace,monospace;background:#f3f3f3}pre{padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
#api-key{display:block;padding:.5rem;font-size:1.1rem;word-break:break-all;border:1px dashed #767676}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}ul.actions{margin:0;padding-left:1rem}
`.trim())

/** Every page gets these: nothing but its own inline style may load, and it may not be framed. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // a page may show a key, or a form with what was typed in: no copy anywhere
  'cache-control': 'no-store'
}

function layout (config: Config, title: string, main: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · ${config.siteTitle}</title>
<style>${CSS}</style>
</head>
<body>
<header><a href="register">${config.siteTitle}</a></header>
<main>
${main}
</main>
<footer><nav aria-label="Developer pages"><a href="register">${th('ขอคีย์ API')} / Get an API key</a> · <a href="usage">${th('สถิติการใช้งาน')} / Usage</a> · <a href="docs">API documentation</a></nav></footer>
</body>
</html>
`.text
}

function send (reply: FastifyReply, status: number, config: Config, title: string, main: Html) {
  return reply.code(status).headers(PAGE_HEADERS).send(layout(config, title, main))
}

/** The urlencoded form of a POST, or null for any other body (the transport hands every body over as a Buffer). */
function formOf (request: FastifyRequest): URLSearchParams | null {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers['content-type'] ?? '')) return null
  const body = request.body
  return new URLSearchParams(Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '')
}

const messagesOf = (v: FieldErrors[string] | undefined): string[] => v === undefined ? [] : Array.isArray(v) ? v : [v]
const CHECKED = new Set(['true', 'on', '1', 'yes'])

// --- /register

interface RegisterForm { name: string, email: string, acceptTerms: boolean, errors: FieldErrors }
const EMPTY_FORM: RegisterForm = { name: '', email: '', acceptTerms: false, errors: {} }
const FIELD_LABELS: Record<string, string> = { name: 'Name', email: 'Email', accept_terms: 'Terms of use' }

function field (id: string, errors: FieldErrors) {
  const messages = messagesOf(errors[id])
  return {
    attrs: messages.length ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``,
    messages: messages.length ? html`<p class="error" id="${id}-error">${messages.join(' ')}</p>` : html``
  }
}

function registerPage (config: Config, form: RegisterForm): Html {
  if (config.registration === 'off') {
    return html`<h1>${th('ปิดรับลงทะเบียน')} / Registration is closed</h1>
<p>This site does not offer API keys by self-service registration. Ask its administrators for a key.</p>`
  }
  const { errors } = form
  const all = Object.entries(errors).flatMap(([k, v]) => messagesOf(v).map((m) => ({ k, m })))
  const name = field('name', errors)
  const email = field('email', errors)
  const terms = field('accept_terms', errors)
  const termsText = config.termsUrl
    ? html`I accept the <a href="${config.termsUrl}">terms of use</a>`
    : html`I accept the terms of use`
  return html`<h1>${th('ลงทะเบียนขอคีย์ API')} / Register for an API key</h1>
<p>An API key identifies you to the API of ${config.siteTitle}: send it in the <code>api-key</code> header of every request.
It is shown once, on the next page.</p>
${config.registration === 'approval' ? html`<p><strong>Keys are checked by hand on this site:</strong> yours will work once a sysadmin has approved it.</p>` : ''}
${all.length
  ? html`<div class="box" role="alert" aria-labelledby="problems"><h2 id="problems">${th('กรุณาแก้ไข')} / Please correct the following</h2>
<ul>${all.map(({ k, m }) => html`<li>${k in FIELD_LABELS ? html`<a href="#${k}">${FIELD_LABELS[k]!}</a>: ` : ''}${m}</li>`)}</ul></div>`
  : ''}
<form method="post" action="register" accept-charset="utf-8">
<label for="name">${th('ชื่อ')} / Name</label>
<input type="text" id="name" name="name" value="${form.name}" required maxlength="200" autocomplete="name"${name.attrs}>
${name.messages}
<label for="email">${th('อีเมล')} / Email</label>
<input type="email" id="email" name="email" value="${form.email}" required maxlength="320" autocomplete="email"${email.attrs}>
${email.messages}
<div class="check">
<input type="checkbox" id="accept_terms" name="accept_terms" value="true" required${form.acceptTerms ? html` checked` : ''}${terms.attrs}>
<label for="accept_terms">${th('ข้าพเจ้ายอมรับเงื่อนไขการใช้งาน')} / ${termsText}</label>
</div>
${terms.messages}
<button type="submit">${th('ขอคีย์ API')} / Get an API key</button>
</form>`
}

function keyPage (config: Config, form: RegisterForm, r: Registered): Html {
  const example = `curl -H 'api-key: ${r.token}' '${config.siteUrl}/api/3/action/package_search?rows=1'`
  return html`<h1>${th('คีย์ API ของคุณ')} / Your API key</h1>
<div class="box ok" role="status">
<p><strong>Copy your key now: it will not be shown again.</strong> ${th('กรุณาคัดลอกเก็บไว้ ระบบจะไม่แสดงคีย์นี้อีก')}</p>
<code id="api-key">${r.token}</code>
</div>
${r.state === 'active'
  ? html`<p id="key-state" data-state="active">The key is <strong>active</strong>: it works now.</p>`
  : html`<p id="key-state" data-state="pending">The key is <strong>pending approval</strong>: it works once a sysadmin of ${config.siteTitle} has approved it.</p>`}
<dl>
<dt>Registered for</dt><dd>${form.name} &lt;${form.email}&gt;</dd>
<dt>User name</dt><dd><code>${r.user}</code></dd>
<dt>Rate-limit tier</dt><dd>${r.tier}</dd>
</dl>
<h2>Try it</h2>
<p>Send the key in the <code>api-key</code> header:</p>
<pre><code>${example}</code></pre>
<p>Your key's requests are counted: see them on the <a href="usage">usage page</a>.</p>`
}

// --- /usage

function usageForm (problem: string | null): Html {
  return html`<h1>${th('สถิติการใช้งาน')} / API key usage</h1>
<p>Enter your API key to see the requests your keys made in the last ${USAGE_DAYS} days (UTC).</p>
${problem ? html`<div class="box" role="alert"><p class="error" id="key-error">${problem}</p></div>` : ''}
<form method="post" action="usage" accept-charset="utf-8">
<label for="key">${th('คีย์ API')} / API key</label>
<input type="password" id="key" name="key" required autocomplete="off" spellcheck="false"${problem ? html` aria-invalid="true" aria-describedby="key-error"` : ''}>
<button type="submit">${th('ดูสถิติ')} / Show usage</button>
</form>`
}

function byAction (k: KeyUsage): [string, number][] {
  const totals = new Map<string, number>()
  for (const d of k.days) for (const [a, n] of Object.entries(d.actions)) totals.set(a, (totals.get(a) ?? 0) + n)
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
}

function keySection (k: KeyUsage, i: number, current: string): Html {
  const actions = byAction(k)
  return html`<section aria-labelledby="key-${i}" class="key" data-key-id="${k.id}">
<h2 id="key-${i}">${k.name}${k.id === current ? ' (the key you entered)' : ''}</h2>
<dl>
<dt>Key id</dt><dd><code>${k.id}</code></dd>
<dt>Tier</dt><dd>${k.tier}</dd>
<dt>State</dt><dd>${k.state}</dd>
<dt>Requests</dt><dd class="requests">${k.requests}</dd>
<dt>Refused for the rate limit</dt><dd class="limited">${k.limited}</dd>
</dl>
${k.days.length === 0
  ? html`<p>No requests in the last ${USAGE_DAYS} days.</p>`
  : html`<table>
<caption>By action</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Requests</th></tr></thead>
<tbody>${actions.map(([a, n]) => html`<tr><th scope="row"><code>${a}</code></th><td class="n">${n}</td></tr>`)}</tbody>
</table>
<table>
<caption>By day (UTC)</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Requests</th><th scope="col">Refused</th><th scope="col">Actions</th></tr></thead>
<tbody>${k.days.map((d) => html`<tr><th scope="row">${d.day}</th><td class="n">${d.requests}</td><td class="n">${d.limited}</td>
<td><ul class="actions">${Object.entries(d.actions).map(([a, n]) => html`<li><code>${a}</code>: ${n}</li>`)}</ul></td></tr>`)}</tbody>
</table>`}
</section>`
}

function usagePage (user: string, since: string, keys: KeyUsage[], current: string): Html {
  return html`<h1>${th('สถิติการใช้งาน')} / API key usage</h1>
<p>The keys of user <code>${user}</code>, from ${since} to today (UTC days). Counts reach this page within a few seconds.</p>
${keys.map((k, i) => keySection(k, i, current))}
<p><a href="usage">Check another key</a></p>`
}

const REFUSED: Record<'invalid' | 'disabled' | 'pending' | 'expired', string> = {
  invalid: 'This API key is not known: check that it was copied whole. A revoked key is not known either.',
  disabled: 'This API key has been disabled. Contact the site\'s administrators.',
  pending: 'This API key awaits a sysadmin\'s approval. Its usage shows here once it is active.',
  expired: 'This API key has expired. Register again for a new one.'
}

export default fp(async function developerPages (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts
  const apiErrors = errorHandler(config)

  // the rate limiter refuses before a handler runs: a browser gets that as a page too
  function pageErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    if (error instanceof RateLimitError) {
      return send(reply, 429, config, 'Too many requests', html`<h1>${th('มีการเรียกใช้มากเกินไป')} / Too many requests</h1>
<p>${error.detail}</p>`)
    }
    return apiErrors(error, request, reply)
  }

  const unsupported = (reply: FastifyReply) => send(reply, 415, config, 'Unsupported form', html`<h1>Unsupported form</h1>
<p>Send the form as <code>application/x-www-form-urlencoded</code>, as a browser does.</p>`)

  const page = { schema: { hide: true }, config: { keyless: true }, errorHandler: pageErrors }
  const post = { ...page, bodyLimit: FORM_BODY_LIMIT }

  app.get('/register', page, async (_request, reply) =>
    send(reply, 200, config, config.registration === 'off' ? 'Registration is closed' : 'Register for an API key', registerPage(config, EMPTY_FORM)))

  app.post('/register', { ...post, config: { keyless: true, cost: 10 } }, async (request, reply) => {
    const body = formOf(request)
    if (!body) return unsupported(reply)
    const form: RegisterForm = {
      name: body.get('name') ?? '',
      email: body.get('email') ?? '',
      acceptTerms: CHECKED.has((body.get('accept_terms') ?? '').toLowerCase()),
      errors: {}
    }
    try {
      const done = await app.db.kysely.transaction().execute((trx) =>
        register(trx, config, { name: form.name, email: form.email, acceptTerms: form.acceptTerms }))
      return send(reply, 201, config, 'Your API key', keyPage(config, form, done))
    } catch (err) {
      if (err instanceof AuthorizationError) {
        return send(reply, 403, config, 'Registration is closed', registerPage({ ...config, registration: 'off' }, form))
      }
      if (err instanceof ValidationError) {
        return send(reply, 400, config, 'Register for an API key', registerPage(config, { ...form, errors: err.fields }))
      }
      throw err
    }
  })

  app.get('/usage', page, async (_request, reply) => send(reply, 200, config, 'API key usage', usageForm(null)))

  app.post('/usage', post, async (request, reply) => {
    const body = formOf(request)
    if (!body) return unsupported(reply)
    const key = (body.get('key') ?? '').trim()
    if (!key) return send(reply, 400, config, 'API key usage', usageForm('Enter your API key.'))
    const found = await lookupKey(app.db.kysely, key)
    if (found.status !== 'ok') return send(reply, 403, config, 'API key usage', usageForm(REFUSED[found.status]))
    const since = firstDay(USAGE_DAYS)
    const keys = await keyUsage(app.db.kysely, found.user.id, since)
    return send(reply, 200, config, 'API key usage', usagePage(found.user.name, since, keys, found.tokenId))
  })
}, { name: 'developer-pages', dependencies: ['db', 'auth'] })
