import t from 'tap'
import { build, json } from '../helper.js'

t.test('status_show answers in the envelope', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/api/3/action/status_show')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json;charset=utf-8')
  const body = json(res)
  t.same(Object.keys(body), ['help', 'success', 'result'])
  t.equal(body.help, 'http://test.opend/api/3/action/help_show?name=status_show')
  t.equal(body.result.ckan_version, '2.10.10')
})
