/**
 * Solr date math (org.apache.solr.util.DateMathParser) for range bounds such
 * as `[NOW-1YEAR TO NOW/DAY+1DAY]`: a base (`NOW` or an ISO-8601 instant),
 * then any number of `+N<UNIT>`, `-N<UNIT>` and `/<UNIT>` (round down), all in
 * UTC as Solr's default TZ. Lenient where Solr is strict only in accepting a
 * bare date (`2020-01-01`) and a time without `Z`, both read as UTC.
 */
import { QuerySyntaxError } from './lucene.js'

type Unit = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'milli'

/** DateMathParser.CALENDAR_UNITS; upper case only, as in Solr */
const UNITS: Record<string, Unit> = {
  YEAR: 'year',
  YEARS: 'year',
  MONTH: 'month',
  MONTHS: 'month',
  DAY: 'day',
  DAYS: 'day',
  DATE: 'day',
  HOUR: 'hour',
  HOURS: 'hour',
  MINUTE: 'minute',
  MINUTES: 'minute',
  SECOND: 'second',
  SECONDS: 'second',
  MILLI: 'milli',
  MILLIS: 'milli',
  MILLISECOND: 'milli',
  MILLISECONDS: 'milli'
}

const MS: Partial<Record<Unit, number>> = { day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000, milli: 1 }

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?)?/
const OP = /^(?:\/([A-Z]+)|([+-])(\d{1,9})([A-Z]+))/

function fail (text: string, why: string): never {
  throw new QuerySyntaxError(`Invalid date '${text}': ${why}`)
}

function checked (d: Date, text: string): Date {
  if (Number.isNaN(d.getTime())) fail(text, 'out of range')
  return d
}

function parseInstant (m: RegExpExecArray, text: string): Date {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0))
  const milli = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3))
  const d = new Date(0)
  // setUTCFullYear, not Date.UTC, which maps years 0-99 to 1900-1999
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, milli)
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day ||
    d.getUTCHours() !== hour || d.getUTCMinutes() !== minute || d.getUTCSeconds() !== second) {
    fail(text, 'no such date')
  }
  return d
}

/** Calendar.add semantics for months: the day of month is clamped (Jan 31 + 1 MONTH = Feb 28/29) */
function addMonths (d: Date, months: number): Date {
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months
  const year = Math.floor(total / 12)
  const month = total - year * 12
  const lastDay = new Date(0)
  lastDay.setUTCFullYear(year, month + 1, 0)
  const out = new Date(d.getTime())
  out.setUTCFullYear(year, month, Math.min(d.getUTCDate(), lastDay.getUTCDate()))
  return out
}

function round (d: Date, unit: Unit): Date {
  const out = new Date(d.getTime())
  switch (unit) {
    case 'year': out.setUTCMonth(0, 1); out.setUTCHours(0, 0, 0, 0); break
    case 'month': out.setUTCDate(1); out.setUTCHours(0, 0, 0, 0); break
    case 'day': out.setUTCHours(0, 0, 0, 0); break
    case 'hour': out.setUTCMinutes(0, 0, 0); break
    case 'minute': out.setUTCSeconds(0, 0); break
    case 'second': out.setUTCMilliseconds(0); break
    case 'milli': break
  }
  return out
}

/**
 * Solr date math: NOW, NOW-1YEAR, NOW/DAY, NOW/DAY-7DAYS+1HOUR,
 * 2020-01-01T00:00:00Z, 2020-01-01T00:00:00.123Z/MONTH, 2020-01-01.
 * Throws QuerySyntaxError on anything else.
 */
export function parseSolrDate (text: string, now: Date): Date {
  let d: Date
  let rest: string
  if (text.startsWith('NOW')) {
    d = checked(new Date(now.getTime()), text)
    rest = text.slice(3)
  } else {
    const m = INSTANT.exec(text)
    if (!m) fail(text, 'expected NOW or yyyy-mm-ddThh:mm:ssZ')
    d = parseInstant(m, text)
    rest = text.slice(m[0].length)
  }
  while (rest !== '') {
    const m = OP.exec(rest)
    if (!m) fail(text, `cannot parse '${rest}'`)
    const unit = UNITS[m[1] ?? m[4]]
    if (unit === undefined) fail(text, `unknown unit '${m[1] ?? m[4]}'`)
    if (m[1] !== undefined) {
      d = round(d, unit)
    } else {
      const amount = Number(m[3]) * (m[2] === '-' ? -1 : 1)
      const ms = MS[unit]
      d = ms !== undefined
        ? new Date(d.getTime() + amount * ms)
        : addMonths(d, unit === 'year' ? amount * 12 : amount)
    }
    checked(d, text)
    rest = rest.slice(m[0].length)
  }
  return d
}
