/**
 * /register and /usage in a real browser with JavaScript switched off: the
 * forms must work as plain HTML (issue #5), under the pages' own
 * Content-Security-Policy. Needs Debian's chromium at /usr/bin/chromium,
 * which .ci/run installs; anywhere else the test is skipped and says why.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { chromium, type Page } from 'playwright-core'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openTestDb } from '../helper.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Submit the page's form by its button; the answer to the POST. */
async function submit (page: Page, button: RegExp, path: string) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path),
    page.getByRole('button', { name: button }).click()
  ])
  await page.waitForLoadState('domcontentloaded')
  return response
}

t.test('registering and reading usage in a browser without JavaScript', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (.ci/run installs Debian's chromium package)`
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opend-browser-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    OPEND_DATA_DIR: dataDir,
    OPEND_TERMS_URL: 'https://example.org/terms',
    // one address registers and browses: the built-in anonymous tier would do, but need not be tested here
    OPEND_RATE_LIMITS: '{"anonymous": {}, "default": {}}'
  })
  const db = await openTestDb(t)
  const app = await buildApp(config, db, { closeDb: false })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('no TCP address')
  const base = `http://127.0.0.1:${address.port}`

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  t.teardown(() => browser.close())
  const context = await browser.newContext({ javaScriptEnabled: false })
  const page = await context.newPage()
  const blocked: string[] = []
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()) })

  const form = await page.goto(`${base}/register`)
  t.equal(form?.status(), 200)
  t.equal(await page.locator('html').getAttribute('lang'), 'en')
  t.match(await page.title(), /Register for an API key/)
  t.equal(await page.getByRole('link', { name: 'terms of use' }).getAttribute('href'), 'https://example.org/terms')

  // the browser's own checks hold the form back until the terms are accepted
  await page.getByLabel('Name').fill('Somchai Jaidee')
  await page.getByLabel('Email').fill('somchai@example.org')
  await page.getByRole('button', { name: /Get an API key/ }).click()
  t.equal(page.url(), `${base}/register`)
  t.equal(await page.locator('#api-key').count(), 0, 'not submitted without the terms')

  await page.getByLabel('I accept the terms of use').check()
  const answer = await submit(page, /Get an API key/, '/register')
  t.equal(answer.status(), 201)
  t.equal(answer.headers()['cache-control'], 'no-store')
  const key = (await page.locator('#api-key').textContent())?.trim() ?? ''
  t.match(key, /^opend_[A-Za-z0-9_-]{40}$/)
  t.match(await page.locator('main').textContent(), /will not be shown again/)
  t.equal(await page.locator('#key-state').getAttribute('data-state'), 'active')

  // the key works with the api-key header, from any client
  const used = await fetch(`${base}/api/3/action/api_token_usage`, { headers: { 'api-key': key } })
  t.equal(used.status, 200)
  const body = await used.json() as { success: boolean, result: { keys: { name: string }[] } }
  t.equal(body.success, true)
  t.same(body.result.keys.map((k) => k.name), ['registration'])
  for (let i = 0; i < 2; i++) {
    t.equal((await fetch(`${base}/api/3/action/package_search?rows=1`, { headers: { 'api-key': key } })).status, 200)
  }

  await app.flushUsage()

  // the usage page, reached by its link, asks for the key and shows the counts
  await page.getByRole('link', { name: /Usage/ }).click()
  await page.waitForLoadState('domcontentloaded')
  t.equal(page.url(), `${base}/usage`)
  await page.getByLabel('API key').fill(key)
  const shown = await submit(page, /Show usage/, '/usage')
  t.equal(shown.status(), 200)
  t.equal(page.url(), `${base}/usage`, 'the key is not in the address')
  t.equal(await page.locator('dd.requests').textContent(), '3')
  t.equal(await page.locator('dd.limited').textContent(), '0')
  const byAction = page.getByRole('table', { name: 'By action' })
  t.equal(await byAction.getByRole('row', { name: /package_search/ }).locator('td').textContent(), '2')
  t.equal(await byAction.getByRole('row', { name: /api_token_usage/ }).locator('td').textContent(), '1')
  t.notMatch(await page.content(), key, 'the key is not echoed')

  // a wrong key: refused, with the form again
  await page.getByRole('link', { name: 'Check another key' }).click()
  await page.waitForLoadState('domcontentloaded')
  await page.getByLabel('API key').fill('opend_' + 'x'.repeat(40))
  const refused = await submit(page, /Show usage/, '/usage')
  t.equal(refused.status(), 403)
  t.match(await page.getByRole('alert').textContent(), /This API key is not known/)
  t.equal(await page.getByLabel('API key').getAttribute('type'), 'password')

  t.same(blocked, [], 'nothing was blocked by the Content-Security-Policy')
})
