/**
 * Values as PostgreSQL sees them, shared by both memory evaluators (selects and write statements):
 * how two values compare, and what a JavaScript value becomes when postgres.js sends it as a parameter.
 *
 * - Order: numbers by value with `NaN` equal to itself and above every number (PostgreSQL's float
 *   order, so `x > 1` holds for `NaN` and `NaN = NaN` is true), text by code point (the `C` and
 *   `C.UTF-8` collations), dates by instant, `false < true`.
 * - Parameters: text cannot hold U+0000, so a string with a NUL byte is refused as PostgreSQL refuses
 *   it (22021, and 22P05 inside JSON). A lone UTF-16 surrogate cannot be encoded in UTF-8: postgres.js
 *   sends U+FFFD in its place, so text holding one is stored and compared as U+FFFD; inside a JSON value
 *   postgres.js sends the `\ud800` escape, which PostgreSQL refuses (22P02). Both interpreters therefore
 *   store the same text, or both fail with the same kind of error.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { CastType, TruncUnit } from '../../ast/Expr.js'
import * as DbError from '../../error/DbError.js'
import * as Numeric from './Numeric.js'

// -------------------------------------------------------------------------------------
// utils: order
// -------------------------------------------------------------------------------------

// Code point order (the order of the C and C.UTF-8 collations), not JavaScript's UTF-16 order: at the
// first differing code unit, surrogates (supplementary planes) must sort above U+E000..U+FFFF.
const fixup = (c: number): number => (c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c)

/**
 * Compares two strings by Unicode code point.
 *
 * @category utils
 * @since 0.1.0
 */
export const compareText = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : fixup(x) - fixup(y)
  }
  return a.length - b.length
}

/**
 * Compares two numbers as PostgreSQL compares `double precision`: `NaN` equals `NaN` and is above
 * every other value, `Infinity` included.
 *
 * @category utils
 * @since 0.1.0
 */
export const compareNumbers = (a: number, b: number): number =>
  a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1

const isNumeric = (s: string): boolean => /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(s)

// A JSON array or object (a `json`/`jsonb` column's value as the driver gives it): the one kind of
// value that is an object but neither a date nor a byte array.
const isJsonContainer = (u: unknown): u is object =>
  typeof u === 'object' && u !== null && !(u instanceof Date) && !ArrayBuffer.isView(u)

// jsonb's total order: object > array > boolean > number > string > null; containers first by size
// (pairs, elements), then member by member: an object's pairs are walked in jsonb's storage order
// (shorter keys first, then bytewise) and their keys compared as text. Equality is structural, as `=`
// on jsonb is.
const jsonRank = (u: unknown): number =>
  u === null || u === undefined
    ? 0
    : typeof u === 'string'
      ? 1
      : typeof u === 'number'
        ? 2
        : typeof u === 'boolean'
          ? 3
          : Array.isArray(u)
            ? 4
            : 5

const storageOrder = (x: string, y: string): number => x.length - y.length || compareText(x, y)

/**
 * Compares two JSON values in jsonb's total order (scalars of different kinds included).
 *
 * @category utils
 * @since 0.1.0
 */
export const compareJson = (a: unknown, b: unknown): number => {
  const ra = jsonRank(a)
  const rb = jsonRank(b)
  if (ra !== rb) return ra - rb
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return a.length - b.length
    for (let i = 0; i < a.length; i++) {
      const c = compareJson(a[i], b[i])
      if (c !== 0) return c
    }
    return 0
  }
  if (ra === 5) {
    const x = a as Readonly<Record<string, unknown>>
    const y = b as Readonly<Record<string, unknown>>
    const kx = Object.keys(x)
      .filter(k => x[k] !== undefined)
      .sort(storageOrder)
    const ky = Object.keys(y)
      .filter(k => y[k] !== undefined)
      .sort(storageOrder)
    if (kx.length !== ky.length) return kx.length - ky.length
    for (let i = 0; i < kx.length; i++) {
      const k = compareText(kx[i] as string, ky[i] as string)
      if (k !== 0) return k
      const c = compareJson(x[kx[i] as string], y[ky[i] as string])
      if (c !== 0) return c
    }
    return 0
  }
  return ra === 0 ? 0 : (compare(a, b) ?? 0)
}

/**
 * Compares two non-null values as PostgreSQL compares them (see the module doc), or `null` when
 * PostgreSQL has no operator for the pair. A number against numeric text (an int8 or numeric value as
 * postgres.js returns it) compares as numbers.
 *
 * @category utils
 * @since 0.1.0
 */
export const compare = (a: unknown, b: unknown): number | null => {
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b)
  if (isJsonContainer(a) || isJsonContainer(b)) return compareJson(a, b)
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b)
  if (a instanceof Date && b instanceof Date) return compareNumbers(a.getTime(), b.getTime())
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  if (
    (typeof a === 'number' || typeof a === 'bigint' || typeof a === 'string') &&
    (typeof b === 'number' || typeof b === 'bigint' || typeof b === 'string') &&
    (typeof a === 'number' || isNumeric(String(a))) &&
    (typeof b === 'number' || isNumeric(String(b)))
  )
    return compareNumbers(Number(a), Number(b))
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a.getTime() : new Date(String(a)).getTime()
    const y = b instanceof Date ? b.getTime() : new Date(String(b)).getTime()
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y
  }
  return null
}

/**
 * A hashable key with PostgreSQL equality for a non-null value: dates by instant, JSON containers by
 * structure, numbers by value
 * (`Map` and `Set` already treat `NaN` as equal to itself and `-0` as `0`, as PostgreSQL does).
 *
 * @category utils
 * @since 0.1.0
 */
export const keyOf = (v: unknown): unknown =>
  v instanceof Date ? `\u0000d${v.getTime()}` : isJsonContainer(v) ? `\u0000j${canonicalJson(v)}` : v

/**
 * The kind of a non-null value, for code that must know whether two values compare by identity: within
 * one of the kinds `number`, `string`, `boolean`, `bigint`, `date` and `json`, two values `compare` calls
 * equal have equal `keyOf` keys, and any two compare without error. `other` is everything else (a byte
 * array, a symbol, a function); values of different kinds may compare equal (a number and numeric text)
 * or not at all (text and a boolean).
 *
 * @category utils
 * @since 0.1.0
 */
export const kindOf = (v: unknown): Kind => {
  const t = typeof v
  return t === 'number' || t === 'string' || t === 'boolean' || t === 'bigint'
    ? t
    : v instanceof Date
      ? 'date'
      : isJsonContainer(v)
        ? 'json'
        : 'other'
}

/**
 * See `kindOf`.
 *
 * @category utils
 * @since 0.1.0
 */
export type Kind = 'number' | 'string' | 'boolean' | 'bigint' | 'date' | 'json' | 'other'

// One text per jsonb value: equal values (structurally, keys in any order) give the same text.
const canonicalJson = (u: unknown): string =>
  Array.isArray(u)
    ? `[${u.map(canonicalJson).join(',')}]`
    : isJsonContainer(u)
      ? `{${Object.entries(u)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => storageOrder(x, y))
          .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
          .join(',')}}`
      : typeof u === 'number' || typeof u === 'boolean' || typeof u === 'string'
        ? JSON.stringify(u)
        : 'null'

// -------------------------------------------------------------------------------------
// utils: parameters
// -------------------------------------------------------------------------------------

const hasNul = (s: string): boolean => s.includes('\u0000')

// Whether a string holds a surrogate that is not half of a pair (no `isWellFormed` before ES2024).
const loneSurrogate = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdfff) continue
    const d = s.charCodeAt(i + 1)
    if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) i++
    else return true
  }
  return false
}

const wellFormed = (s: string): string => {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdfff) out += s[i] as string
    else {
      const d = s.charCodeAt(i + 1)
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        out += s.slice(i, i + 2)
        i++
      } else out += '\ufffd'
    }
  }
  return out
}

const nulInText = (): DbError.DbError =>
  DbError.make('DataException', 'invalid byte sequence for encoding "UTF8": 0x00', '22021')
const nulInJson = (): DbError.DbError =>
  DbError.make('DataException', 'unsupported Unicode escape sequence', '22P05')
const surrogateInJson = (): DbError.DbError =>
  DbError.make('DataException', 'invalid input syntax for type json (a lone surrogate)', '22P02')

const isPlainData = (u: object): boolean => {
  const proto = Object.getPrototypeOf(u) as unknown
  return Array.isArray(u) || proto === Object.prototype || proto === null
}

// A JSON value's strings (keys included) are checked without recursion: nesting is the user's.
const checkJson = (root: object): DbError.DbError | null => {
  const stack: Array<unknown> = [root]
  const seen = new Set<object>()
  for (let u = stack.pop(); stack.length > 0 || u !== undefined; u = stack.pop()) {
    if (typeof u === 'string') {
      if (hasNul(u)) return nulInJson()
      if (loneSurrogate(u)) return surrogateInJson()
    } else if (typeof u === 'object' && u !== null && !seen.has(u) && isPlainData(u)) {
      seen.add(u)
      for (const [k, v] of Object.entries(u)) stack.push(k, v)
    }
  }
  return null
}

/**
 * What a value becomes once postgres.js has sent it as a parameter (see the module doc): the same
 * value, text with each lone surrogate replaced by U+FFFD, or the error PostgreSQL raises for it.
 * An array (a list parameter) is taken element by element; a plain object is JSON.
 *
 * @category utils
 * @since 0.1.0
 */
export const parameter = (u: unknown): E.Either<DbError.DbError, unknown> => {
  if (typeof u === 'string') {
    if (hasNul(u)) return E.left(nulInText())
    return E.right(loneSurrogate(u) ? wellFormed(u) : u)
  }
  if (typeof u !== 'object' || u === null || u instanceof Date) return E.right(u)
  if (Array.isArray(u) && u.every(x => typeof x !== 'object' || x === null || x instanceof Date)) {
    let changed = false
    const out: Array<unknown> = []
    for (const x of u as ReadonlyArray<unknown>) {
      const p = parameter(x)
      if (E.isLeft(p)) return p
      if (p.right !== x) changed = true
      out.push(p.right)
    }
    return E.right(changed ? out : u)
  }
  const bad = checkJson(u)
  return bad === null ? E.right(u) : E.left(bad)
}

/**
 * What a JSON parameter (`Expr.Param.json`) becomes once sent: its JSON text read back (Dates inside as
 * ISO strings, `undefined` members dropped, `NaN` as null), with the JSON null (and `undefined`) as SQL
 * NULL; or the error PostgreSQL or the PostgreSQL interpreter raises for it.
 *
 * @category utils
 * @since 0.1.0
 */
export const jsonParameter = (u: unknown): E.Either<DbError.DbError, unknown> => {
  if (u === undefined) return E.right(null)
  let text: string | undefined
  try {
    text = JSON.stringify(u)
  } catch {
    text = undefined
  }
  if (text === undefined)
    return E.left(DbError.make('DataException', 'a JSON parameter has no JSON form', 'QUIVER_PARAM'))
  const v: unknown = JSON.parse(text)
  if (typeof v === 'string') {
    if (hasNul(v)) return E.left(nulInJson())
    return loneSurrogate(v) ? E.left(surrogateInJson()) : E.right(v)
  }
  const bad = typeof v === 'object' && v !== null ? checkJson(v) : null
  return bad === null ? E.right(v) : E.left(bad)
}

// -------------------------------------------------------------------------------------
// utils: keys
// -------------------------------------------------------------------------------------

/**
 * One key for a list of values, equal for lists that DISTINCT and GROUP BY take as one: NULLs equal
 * each other, dates by instant, JSON by its text, anything else by type and value. Text at a position
 * `numeric` marks (a `numeric` or `bigint` expression, `Eval.isNumeric`) is keyed by its numeric value,
 * as PostgreSQL's numeric equality takes it: `'1.0'` and `'1.00'` are one key there, two elsewhere.
 *
 * @category utils
 * @since 0.1.0
 */
export const rowKey = (vs: ReadonlyArray<unknown>, numeric: ReadonlyArray<boolean> = []): string =>
  vs
    .map((v, i) =>
      v === null || v === undefined
        ? 'n'
        : v instanceof Date
          ? `d${v.getTime()}`
          : typeof v === 'string'
            ? numeric[i] === true
              ? `m${Numeric.key(v)}`
              : `s${JSON.stringify(v)}`
            : typeof v === 'object'
              ? `o${JSON.stringify(v)}`
              : `${typeof v}${String(v)}`,
    )
    .join(',')

// -------------------------------------------------------------------------------------
// utils: text
// -------------------------------------------------------------------------------------

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

// A `timestamptz` as PostgreSQL prints it in the session time zone, UTC: `2024-01-02 03:04:05.6+00`.
const timestampText = (d: Date): string => {
  const y = d.getUTCFullYear()
  const ms = d.getUTCMilliseconds()
  const fraction = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`
  const date = `${pad(y > 0 ? y : 1 - y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  return `${date} ${time}${fraction}+00${y > 0 ? '' : ' BC'}`
}

// A JSON value as `jsonb` prints it: `{"a": 1, "b": [1, 2]}`, keys in jsonb's storage order.
const jsonText = (u: unknown): string =>
  Array.isArray(u)
    ? `[${u.map(jsonText).join(', ')}]`
    : isJsonContainer(u)
      ? `{${Object.entries(u)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => storageOrder(x, y))
          .map(([k, v]) => `${JSON.stringify(k)}: ${jsonText(v)}`)
          .join(', ')}}`
      : typeof u === 'number' || typeof u === 'boolean' || typeof u === 'string'
        ? JSON.stringify(u)
        : 'null'

/**
 * A non-null value as text, as PostgreSQL's output function prints it (`cast(v as text)`, the
 * operands of `||`): a number as a `double precision` prints (an integer as an `integer` prints: the
 * two agree below 1e15), a boolean as `true`/`false`, a date as a `timestamptz` in UTC
 * (`2024-01-02 03:04:05+00`: a `date` column's value, a Date at midnight, prints as a `date` does on
 * PostgreSQL, `2024-01-02`, only there), a JSON container as `jsonb` prints it, bytes as `\x` hex.
 *
 * @category utils
 * @since 0.1.0
 */
export const toText = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? Numeric.formatFloat(v)
      : typeof v === 'boolean'
        ? String(v)
        : typeof v === 'bigint'
          ? v.toString()
          : v instanceof Date
            ? timestampText(v)
            : v instanceof Uint8Array
              ? `\\x${Array.from(v, b => b.toString(16).padStart(2, '0')).join('')}`
              : jsonText(v)

// Simple case mappings (one code point to one) where JavaScript's full mapping is longer: the C
// library's `towupper`/`towlower`, which PostgreSQL's `upper`/`lower` use under `C.UTF-8`, give these.
const simpleUpper: ReadonlyMap<number, number> = new Map([
  ...[0x1f80, 0x1f90, 0x1fa0].flatMap(base =>
    Array.from({ length: 8 }, (_, i) => [base + i, base + i + 8] as const),
  ),
  [0x1fb3, 0x1fbc],
  [0x1fc3, 0x1fcc],
  [0x1ff3, 0x1ffc],
])
const simpleLower: ReadonlyMap<number, number> = new Map([[0x130, 0x69]])

const cases = { upper: new Map<number, string>(), lower: new Map<number, string>() }

const mapCase = (c: number, to: 'upper' | 'lower'): string => {
  const cache = cases[to]
  const hit = cache.get(c)
  if (hit !== undefined) return hit
  const s = String.fromCodePoint(c)
  const full = to === 'upper' ? s.toUpperCase() : s.toLowerCase()
  const simple = (to === 'upper' ? simpleUpper : simpleLower).get(c)
  const out = simple !== undefined ? String.fromCodePoint(simple) : [...full].length === 1 ? full : s
  cache.set(c, out)
  return out
}

const caseOf = (s: string, to: 'upper' | 'lower'): string => {
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    out += c < 0x80 ? (to === 'upper' ? ch.toUpperCase() : ch.toLowerCase()) : mapCase(c, to)
  }
  return out
}

/**
 * `upper` as PostgreSQL computes it under `C.UTF-8`: code point by code point, each to its simple
 * upper case (`ß` stays `ß`; `ᾀ` becomes `ᾈ`), with JavaScript's Unicode tables (the C library's may be
 * of an older Unicode version: letters added since map here and not there).
 *
 * @category utils
 * @since 0.1.0
 */
export const upper = (s: string): string => caseOf(s, 'upper')

/**
 * `lower`, as `upper` (`İ` becomes `i`).
 *
 * @category utils
 * @since 0.1.0
 */
export const lower = (s: string): string => caseOf(s, 'lower')

/**
 * A code point lowered as `lower` lowers it (for `ILIKE`).
 *
 * @category utils
 * @since 0.1.0
 */
export const lowerCodePoint = (c: number): number =>
  c < 0x80 ? (c >= 0x41 && c <= 0x5a ? c + 0x20 : c) : (mapCase(c, 'lower').codePointAt(0) as number)

/**
 * `length` of text: its code points.
 *
 * @category utils
 * @since 0.1.0
 */
export const length = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/**
 * `trim`: spaces (U+0020 only, as PostgreSQL's default) removed from both ends.
 *
 * @category utils
 * @since 0.1.0
 */
export const trim = (s: string): string => {
  let i = 0
  let j = s.length
  while (i < j && s.charCodeAt(i) === 0x20) i++
  while (j > i && s.charCodeAt(j - 1) === 0x20) j--
  return s.slice(i, j)
}

// -------------------------------------------------------------------------------------
// utils: dates
// -------------------------------------------------------------------------------------

const DAY = 86_400_000

const truncs: Readonly<Record<TruncUnit, (d: Date) => number>> = {
  year: d => Date.UTC(d.getUTCFullYear(), 0, 1),
  quarter: d => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (d.getUTCMonth() % 3), 1),
  month: d => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
  // ISO weeks start on Monday.
  week: d => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * DAY,
  day: d => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
  hour: d => Math.floor(d.getTime() / 3_600_000) * 3_600_000,
  minute: d => Math.floor(d.getTime() / 60_000) * 60_000,
  second: d => Math.floor(d.getTime() / 1000) * 1000,
}

/**
 * `date_trunc(unit, d)` of a `timestamptz` in the session time zone, taken to be UTC (the test
 * server's `TimeZone` is `Etc/UTC`; a session in another zone truncates days, weeks, months, quarters
 * and years at its own midnight).
 *
 * @category utils
 * @since 0.1.0
 */
export const dateTrunc = (unit: TruncUnit, d: Date): Date => {
  const t = d.getTime()
  return Number.isNaN(t) ? d : new Date(truncs[unit](d))
}

// `YYYY-MM-DD`, then optionally a time and a zone: the ISO forms of PostgreSQL's date/time input.
const dateTimeText =
  /^\s*(\d{4,})-(\d{1,2})-(\d{1,2})(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?\s*$/i

const badDateTime = (type: string, s: string): DbError.DbError =>
  DbError.make('DataException', `invalid input syntax for type ${type}: "${s}"`, '22007')

const fieldOutOfRange = (s: string): DbError.DbError =>
  DbError.make('DataException', `date/time field value out of range: "${s}"`, '22008')

// A date or timestamp in ISO form: the instant (no zone is UTC) and the calendar day, or an error.
const readDateTime = (
  s: string,
  type: string,
): E.Either<DbError.DbError, { readonly instant: number; readonly day: number }> => {
  const m = dateTimeText.exec(s)
  if (m === null) return E.left(badDateTime(type, s))
  const [, y = '', mo = '', d = '', h = '0', mi = '0', se = '0', frac = '', zone] = m
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, se].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const dayMs = Date.UTC(year, month - 1, day)
  const check = new Date(dayMs)
  if (
    month < 1 ||
    month > 12 ||
    check.getUTCDate() !== day ||
    hour > 24 ||
    minute > 59 ||
    second > 60 ||
    (hour === 24 && (minute > 0 || second > 0))
  )
    return E.left(fieldOutOfRange(s))
  let offset = 0
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)
    if (z === null) return E.left(badDateTime(type, s))
    offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? '0')) * 60_000
  }
  const ms = Math.round(Number(`0.${frac || '0'}`) * 1000)
  // Date.UTC reads years 0..99 as 1900..1999: the year is set again.
  check.setUTCFullYear(year)
  return E.right({
    instant: check.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset,
    day: check.getTime(),
  })
}

// -------------------------------------------------------------------------------------
// utils: casts
// -------------------------------------------------------------------------------------

const typeNames: Readonly<Record<CastType, string>> = {
  integer: 'integer',
  bigint: 'bigint',
  numeric: 'numeric',
  double: 'double precision',
  text: 'text',
  boolean: 'boolean',
  date: 'date',
  timestamptz: 'timestamp with time zone',
}

const sourceName = (v: unknown): string =>
  typeof v === 'number'
    ? Number.isInteger(v)
      ? 'integer'
      : 'double precision'
    : typeof v === 'boolean'
      ? 'boolean'
      : v instanceof Date
        ? 'timestamp with time zone'
        : typeof v === 'string'
          ? 'text'
          : typeof v === 'bigint'
            ? 'bigint'
            : 'jsonb'

const cannotCast = (v: unknown, type: CastType): E.Either<DbError.DbError, never> =>
  E.left(DbError.make('Unknown', `cannot cast type ${sourceName(v)} to ${typeNames[type]}`, '42846'))

const isNumberLike = (v: unknown): v is number | bigint | string =>
  typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string'

// PostgreSQL's `boolin`: blanks around, then a unique prefix of true/false/yes/no, on/off, or 1/0.
const readBoolean = (s: string): boolean | null => {
  const t = s.trim().toLowerCase()
  if (t === '') return null
  if (t === '1') return true
  if (t === '0') return false
  if ('true'.startsWith(t) || 'yes'.startsWith(t)) return true
  if ('false'.startsWith(t) || 'no'.startsWith(t)) return false
  if (t.length >= 2 && 'on'.startsWith(t)) return true
  if (t.length >= 2 && 'off'.startsWith(t)) return false
  return null
}

const casts: Readonly<
  Record<CastType, (v: unknown, numeric?: boolean) => E.Either<DbError.DbError, unknown>>
> = {
  integer: (v, numeric) =>
    typeof v === 'boolean'
      ? E.right(v ? 1 : 0)
      : isNumberLike(v)
        ? Numeric.toInteger(v, 'integer', numeric)
        : cannotCast(v, 'integer'),
  bigint: (v, numeric) =>
    isNumberLike(v) ? Numeric.toInteger(v, 'bigint', numeric) : cannotCast(v, 'bigint'),
  numeric: v => (isNumberLike(v) ? Numeric.toNumeric(v) : cannotCast(v, 'numeric')),
  double: v => (isNumberLike(v) ? Numeric.toDouble(v) : cannotCast(v, 'double')),
  text: v => E.right(toText(v)),
  boolean: v => {
    if (typeof v === 'boolean') return E.right(v)
    if (typeof v === 'number' && Number.isInteger(v)) return E.right(v !== 0)
    if (typeof v !== 'string') return cannotCast(v, 'boolean')
    const b = readBoolean(v)
    return b === null
      ? E.left(DbError.make('DataException', `invalid input syntax for type boolean: "${v}"`, '22P02'))
      : E.right(b)
  },
  date: v => {
    if (v instanceof Date) return E.right(new Date(truncs.day(v)))
    if (typeof v !== 'string') return cannotCast(v, 'date')
    return E.map((x: { readonly day: number }) => new Date(x.day))(readDateTime(v, 'date'))
  },
  timestamptz: v => {
    if (v instanceof Date) return E.right(v)
    if (typeof v !== 'string') return cannotCast(v, 'timestamptz')
    return E.map((x: { readonly instant: number }) => new Date(x.instant))(
      readDateTime(v, 'timestamp with time zone'),
    )
  },
}

// Text read by the target type's input function.
const inputs: Readonly<Record<CastType, (s: string) => E.Either<DbError.DbError, unknown>>> = {
  integer: s => (/^-?\d+\.\d+$/.test(s) ? badInput('integer', s) : Numeric.toInteger(s, 'integer')),
  bigint: s => (/^-?\d+\.\d+$/.test(s) ? badInput('bigint', s) : Numeric.toInteger(s, 'bigint')),
  numeric: s => Numeric.toNumeric(s),
  double: s => Numeric.toDouble(s),
  text: s => E.right(s),
  boolean: s => casts.boolean(s),
  date: s => casts.date(s),
  timestamptz: s => casts.timestamptz(s),
}

const badInput = (type: string, s: string): E.Either<DbError.DbError, never> =>
  E.left(DbError.make('DataException', `invalid input syntax for type ${type}: "${s}"`, '22P02'))

// postgres.js's serializer for a Date parameter: `new Date(x).toISOString()`, which throws for a value
// no Date reads (the PostgreSQL interpreter reports the throw as an unclassified DbError).
const asDate = (v: number | string): E.Either<DbError.DbError, Date> => {
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? E.left(DbError.make('Unknown', 'Invalid time value')) : E.right(d)
}

// An untyped parameter (a number or text) cast to a type: PostgreSQL gives the parameter that type,
// postgres.js then serializes the value with that type's serializer, and PostgreSQL reads the text
// with the type's input function.
const sent: Readonly<Record<CastType, (v: number | string) => E.Either<DbError.DbError, unknown>>> = {
  integer: v => inputs.integer(String(v)),
  bigint: v => inputs.bigint(String(v)),
  numeric: v => inputs.numeric(String(v)),
  double: v => inputs.double(String(v)),
  text: v => inputs.text(String(v)),
  // postgres.js sends a boolean parameter as `x === true ? 't' : 'f'`: a number or text is false.
  boolean: () => E.right(false),
  date: v => E.chain(casts.date)(asDate(v)),
  timestamptz: v => E.chain(casts.timestamptz)(asDate(v)),
}

/**
 * A value given as a parameter and cast to a type. postgres.js sends a boolean, a Date or a bigint
 * typed, and those are cast as values are; a number or text goes untyped, so PostgreSQL types the
 * parameter as the cast's target and postgres.js serializes it for that type: its text (`String(n)`
 * for a number) read by the type's input function (`'12.5'` and `12.5` are not integers), a Date
 * parsed by JavaScript for `date` and `timestamptz`, and `false` for `boolean` (postgres.js sends
 * anything but `true` as `'f'`).
 *
 * @category utils
 * @since 0.1.0
 */
export const castParameter = (v: unknown, type: CastType): E.Either<DbError.DbError, unknown> =>
  typeof v === 'number' || typeof v === 'string' ? sent[type](v) : cast(v, type)

/**
 * `cast(v as type)` of a non-null value, in the representation postgres.js gives for the target type
 * (`integer` and `double` a number, `bigint` and `numeric` text, `date` and `timestamptz` a Date), or
 * the error PostgreSQL raises: 22P02 for text a number or boolean input refuses, 22007/22008 for a
 * date, 22003 out of range, 42846 for a pair of types with no cast. The source type is read from the
 * value (see `Numeric` for numbers and text; text in the form of a `numeric` with a fraction is taken
 * as one, and rounds where PostgreSQL's text-to-integer refuses it) or, with `numeric`, from the
 * expression (text from an expression of a numeric type is a `numeric`). Dates and times are read in ISO
 * form only (PostgreSQL also reads other orders and month names).
 *
 * @category utils
 * @since 0.1.0
 */
export const cast = (v: unknown, type: CastType, numeric = false): E.Either<DbError.DbError, unknown> =>
  casts[type](v, numeric)
