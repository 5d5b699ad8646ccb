import t from 'tap'
import { parseSolrDate } from '../../src/search/date-math.js'
import { QuerySyntaxError } from '../../src/search/lucene.js'

const NOW = new Date('2024-03-31T13:45:30.250Z')
const at = (text: string) => parseSolrDate(text, NOW).toISOString()

t.test('NOW and its arithmetic', async (t) => {
  const CASES: Array<[string, string]> = [
    ['NOW', '2024-03-31T13:45:30.250Z'],
    ['NOW-1YEAR', '2023-03-31T13:45:30.250Z'],
    ['NOW+2YEARS', '2026-03-31T13:45:30.250Z'],
    ['NOW/DAY', '2024-03-31T00:00:00.000Z'],
    ['NOW/DATE', '2024-03-31T00:00:00.000Z'],
    ['NOW/YEAR', '2024-01-01T00:00:00.000Z'],
    ['NOW/MONTH', '2024-03-01T00:00:00.000Z'],
    ['NOW/HOUR', '2024-03-31T13:00:00.000Z'],
    ['NOW/MINUTE', '2024-03-31T13:45:00.000Z'],
    ['NOW/SECOND', '2024-03-31T13:45:30.000Z'],
    ['NOW/MILLI', '2024-03-31T13:45:30.250Z'],
    ['NOW/DAY-7DAYS+1HOUR', '2024-03-24T01:00:00.000Z'],
    ['NOW/DAY+1DAY', '2024-04-01T00:00:00.000Z'],
    ['NOW-90MINUTES', '2024-03-31T12:15:30.250Z'],
    ['NOW+30SECONDS-250MILLIS', '2024-03-31T13:46:00.000Z'],
    ['NOW+1MILLISECOND', '2024-03-31T13:45:30.251Z'],
    ['NOW-2MILLISECONDS', '2024-03-31T13:45:30.248Z'],
    ['NOW+1SECOND/MINUTE', '2024-03-31T13:45:00.000Z'],
    // months clamp the day, as java.util.Calendar does
    ['NOW-1MONTH', '2024-02-29T13:45:30.250Z'],
    ['NOW+1MONTH', '2024-04-30T13:45:30.250Z'],
    ['NOW-13MONTHS', '2023-02-28T13:45:30.250Z'],
    ['NOW+12MONTHS', '2025-03-31T13:45:30.250Z']
  ]
  for (const [input, expected] of CASES) t.equal(at(input), expected, input)
})

t.test('explicit instants, with and without math', async (t) => {
  const CASES: Array<[string, string]> = [
    ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z'],
    ['2020-06-15T08:09:10.123Z', '2020-06-15T08:09:10.123Z'],
    ['2020-06-15T08:09:10.1Z', '2020-06-15T08:09:10.100Z'],
    ['2020-06-15T08:09:10.123456789Z', '2020-06-15T08:09:10.123Z'],
    ['2020-06-15T08:09:10.123Z/MONTH', '2020-06-01T00:00:00.000Z'],
    ['2020-02-29T00:00:00Z+1YEAR', '2021-02-28T00:00:00.000Z'],
    ['2020-01-31T12:00:00Z+1MONTH', '2020-02-29T12:00:00.000Z'],
    ['2020-01-01', '2020-01-01T00:00:00.000Z'],
    ['2020-01-01+1DAY', '2020-01-02T00:00:00.000Z'],
    ['2020-01-01-1DAY', '2019-12-31T00:00:00.000Z'],
    ['2020-01-01T10:00:00', '2020-01-01T10:00:00.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['1999-12-31T23:59:59Z+1SECOND', '2000-01-01T00:00:00.000Z']
  ]
  for (const [input, expected] of CASES) t.equal(at(input), expected, input)
})

t.test('does not mutate now', async (t) => {
  const now = new Date(NOW.getTime())
  parseSolrDate('NOW/YEAR+1MONTH', now)
  t.equal(now.getTime(), NOW.getTime())
})

t.test('anything else is a QuerySyntaxError', async (t) => {
  const BAD = [
    '', 'now', 'NOW/day', 'NOW-1', 'NOW-YEAR', 'NOW+1WEEK', 'NOW/', 'NOW-1DAY/', 'NOW 1DAY', 'NOW+1DAYX', 'NOWX',
    'NOW*2DAYS', 'NOW+1.5DAYS', 'NOW+9999999999DAYS', 'NOW+999999999YEARS',
    '2020', '2020-1-1', '2020-13-01', '2020-02-30', '2021-02-29T00:00:00Z', '2020-01-01T24:00:00Z', '2020-01-01T00:60:00Z',
    '2020-01-01T00:00:60Z', '2020-01-01T00:00Z', '2020-01-01 00:00:00', '2020-01-01T00:00:00+07:00', '2020-01-01T00:00:00ZZ',
    '*', 'yesterday', 'ฝุ่น', '2020-01-01T00:00:00Z/WEEK'
  ]
  for (const input of BAD) t.throws(() => parseSolrDate(input, NOW), QuerySyntaxError, JSON.stringify(input))
  t.throws(() => parseSolrDate('NOW', new Date(NaN)), QuerySyntaxError)
})
