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
import * as DbError from '../../error/DbError.js'

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
