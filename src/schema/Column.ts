/**
 * Columns: an io-ts codec (what the value is in TypeScript) paired with the PostgreSQL type (what it is
 * in the database). The codec decodes rows from either interpreter; the SQL type drives DDL and tells
 * the lateral preload strategy which values must cross JSON as text to keep their representation.
 *
 * A plain io-ts codec is accepted wherever a column is, with no SQL type (then `ddl` asks for one).
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as Brand from './Brand.js'
import * as Timestamp from './Timestamp.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The part of an io-ts codec a column uses. Written with method syntax so that `Column<number>` is a
 * `Column<unknown>` (any `t.Type<A, O, unknown>` is one of these).
 *
 * @category model
 * @since 0.1.0
 */
export interface Codec<A> {
  readonly name: string
  is(u: unknown): u is A
  decode(u: unknown): t.Validation<A>
  encode(a: A): unknown
}

/**
 * A column of a table: the codec its values decode with, the PostgreSQL type it has in DDL, and the
 * facts the library needs about it (whether it may be NULL, whether the database fills it on insert,
 * how its values cross JSON). Built by the constructors of this module.
 *
 * @category model
 * @since 0.1.0
 */
export interface Column<A> {
  readonly _tag: 'Column'
  readonly codec: Codec<A>
  /** The PostgreSQL type, `null` for a bare io-ts codec. */
  readonly sqlType: string | null
  readonly nullable: boolean
  /** The database supplies a value when an insert omits it (identity, serial, default). */
  readonly generated: boolean
  /** How the value crosses a JSON boundary in the lateral strategy: as itself, or as text. */
  readonly json: 'native' | 'text'
}

/**
 * The type-level mark of a column the database fills when an insert omits it (`serial`, `generated`):
 * inserts may leave it out.
 *
 * @category model
 * @since 0.1.0
 */
export interface Generated {
  readonly generated: true
}

/**
 * The type-level mark of a column's SQL type, for the few places where the decoded type does not say
 * enough: a `numeric`, a `bigint` and a `text` column all decode to `string`, but only the first two
 * take arithmetic (`Fn.mul(i.qty, i.unit_price)`), and a `double precision` beside a `numeric` is
 * refused there. A phantom: no value carries it; terms of a column carry their column's mark.
 *
 * @category model
 * @since 0.2.0
 */
export interface Sql<S extends SqlName> {
  readonly __sql?: S
}

/**
 * The SQL types a column constructor marks (`Sql`).
 *
 * @category model
 * @since 0.2.0
 */
export type SqlName = 'integer' | 'bigint' | 'numeric' | 'double' | 'text' | 'uuid'

/**
 * The `Sql` mark of a column, or `{}` for a column or codec with none (a custom column, an io-ts codec).
 *
 * @category model
 * @since 0.2.0
 */
export type SqlOf<C> = C extends { readonly __sql?: infer S }
  ? unknown extends S
    ? {}
    : [Exclude<S, undefined>] extends [SqlName]
      ? Sql<Exclude<S, undefined>>
      : {}
  : {}

/**
 * What a table definition accepts for a column.
 *
 * @category model
 * @since 0.1.0
 */
// t.Mixed is io-ts' own name for "some codec"; the row type is recovered with t.TypeOf.
export type ColumnInput = Column<unknown> | t.Mixed

/**
 * The TypeScript type of a column's values.
 *
 * @category model
 * @since 0.1.0
 */
export type TypeOf<C> = C extends Column<infer A> ? A : C extends t.Mixed ? t.TypeOf<C> : never

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const isDate = (u: unknown): u is Date => u instanceof Date && !Number.isNaN(u.getTime())

/**
 * What a fast decoder returns for a value its codec rejects.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.fastDecoder(Column.integer.codec)(1.5), Column.invalid)
 *
 * @category codecs
 * @since 0.1.0
 */
export const invalid: unique symbol = Symbol('Column.invalid')

/**
 * A codec's decoding as a plain function: the decoded value, or `invalid`. No `Either` is built per
 * value.
 *
 * @category codecs
 * @since 0.1.0
 */
export type FastDecoder<A> = (u: unknown) => A | typeof invalid

// The built-in codecs' decoders, written out (same acceptance as `decode`); `fastDecoder` derives
// the others from `is` / `decode`.
const fast = new WeakMap<object, FastDecoder<unknown>>()

/**
 * A `Date` that also accepts the ISO text PostgreSQL writes in JSON, so nested values decode to the
 * same `Date` top-level rows do.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column } from 'quiver-sql'
 * const d = Column.DateCodec.decode('2024-05-01T12:00:00+00:00')
 * assert.deepStrictEqual(d, E.right(new Date('2024-05-01T12:00:00Z')))
 * assert.ok(E.isLeft(Column.DateCodec.decode('not a date')))
 *
 * @category codecs
 * @since 0.1.0
 */
export const DateCodec: t.Type<Date, Date, unknown> = new t.Type<Date, Date, unknown>(
  'Date',
  isDate,
  (u, c) => {
    if (isDate(u)) return t.success(u)
    if (typeof u === 'string') {
      const d = Timestamp.parse(u)
      return isDate(d) ? t.success(d) : t.failure(u, c)
    }
    return t.failure(u, c)
  },
  d => d,
)

/**
 * A 64-bit integer kept as its decimal text (postgres.js returns int8 as a string so no precision is
 * lost); numbers are accepted and turned into text.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column } from 'quiver-sql'
 * assert.deepStrictEqual(Column.Int8Codec.decode('9007199254740993'), E.right('9007199254740993'))
 * assert.deepStrictEqual(Column.Int8Codec.decode(42), E.right('42'))
 * assert.ok(E.isLeft(Column.Int8Codec.decode(1.5)))
 *
 * @category codecs
 * @since 0.1.0
 */
export const Int8Codec: t.Type<string, string, unknown> = new t.Type<string, string, unknown>(
  'Int8',
  (u): u is string => typeof u === 'string' && /^-?\d+$/.test(u),
  (u, c) =>
    typeof u === 'string' && /^-?\d+$/.test(u)
      ? t.success(u)
      : typeof u === 'number' && Number.isSafeInteger(u)
        ? t.success(String(u))
        : typeof u === 'bigint'
          ? t.success(u.toString())
          : t.failure(u, c),
  s => s,
)

// PostgreSQL's `numeric` input (numeric_in) as every version from 14 reads it: blanks around (C's
// isspace: no other Unicode space), a sign, ASCII digits with a point, an exponent; `NaN` without a
// sign, `Infinity` / `inf` with one, in any case. What only some versions read is left out: blanks
// between the `e` and its digits (up to 15, whose strtol skips them), `_` between digits and `0x` /
// `0o` / `0b` integers (from 16), so that no server refuses what the codec accepted.
const numericLiteral =
  /^[ \t\n\r\v\f]*(?:([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?|([+-]?)(?:inf|infinity)|(nan))[ \t\n\r\v\f]*$/i
// What PostgreSQL prints for a numeric (and postgres.js returns): no blanks, no plus, no leading zero,
// no negative zero, the value's scale of digits after the point.
const numericOutput = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?|NaN|-?Infinity)$/
const negativeZero = /^-0(?:\.0*)?$/
const isNumericOutput = (u: unknown): u is string =>
  typeof u === 'string' && numericOutput.test(u) && !(u.charCodeAt(0) === 45 && negativeZero.test(u))
// numeric's limits: 131072 digits before the point, 16383 after, an exponent within INT_MAX / 2 (the
// exponent of a zero at the bound: refused up to 15, read from 18; refused here).
const maxWeight = 131071
const maxScale = 16383
const maxExponent = 1073741823

// Text as PostgreSQL's `numeric` input reads it, printed as PostgreSQL prints the value; `invalid` for
// text it refuses (22P02), or whose value is beyond numeric's limits (22003).
const numericText = (s: string): string | typeof invalid => {
  const m = numericLiteral.exec(s)
  if (m === null) return invalid
  const [, sign = '', whole = '', frac = '', exp, infSign, nan] = m
  if (nan !== undefined) return 'NaN'
  if (infSign !== undefined) return infSign === '-' ? '-Infinity' : 'Infinity'
  if (whole === '' && frac === '') return invalid
  const e = exp === undefined ? 0 : Number(exp)
  if (!(Math.abs(e) < maxExponent)) return invalid
  const scale = Math.max(0, frac.length - e)
  if (scale > maxScale) return invalid
  const digits = whole + frac
  const first = digits.search(/[1-9]/)
  if (first === -1) return scale === 0 ? '0' : `0.${'0'.repeat(scale)}`
  // the point sits after `point` digits of `digits`; the first non-zero digit is worth 10^(point - first - 1)
  const point = whole.length + e
  if (point - first - 1 > maxWeight) return invalid
  const int =
    point <= first ? '0' : digits.slice(first, point) + '0'.repeat(Math.max(0, point - digits.length))
  const fraction =
    point >= digits.length ? '' : point <= 0 ? '0'.repeat(-point) + digits : digits.slice(Math.max(point, 0))
  return `${sign === '-' ? '-' : ''}${int}${fraction === '' ? '' : `.${fraction}`}`
}

/**
 * A `numeric` value as decimal text: accepts what PostgreSQL's `numeric` input reads (blanks around, a
 * sign, a point, an exponent, `NaN`, `Infinity`, `inf`) and decodes it to the text PostgreSQL prints
 * for it, so a value written reads back the same from PostgreSQL and from the memory interpreter; text
 * PostgreSQL would refuse (`'abc'`, `'1,5'`, `'0x1A'`) or cannot hold (`'1e131072'`) is rejected.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column } from 'quiver-sql'
 * assert.deepStrictEqual(Column.NumericCodec.decode(' 1.50e1 '), E.right('15.0'))
 * assert.deepStrictEqual(Column.NumericCodec.decode('-inf'), E.right('-Infinity'))
 * assert.ok(E.isLeft(Column.NumericCodec.decode('abc')))
 *
 * @category codecs
 * @since 0.2.0
 */
export const NumericCodec: t.Type<string, string, unknown> = new t.Type<string, string, unknown>(
  'Numeric',
  isNumericOutput,
  (u, c) => {
    if (isNumericOutput(u)) return t.success(u)
    const d = typeof u === 'string' ? numericText(u) : invalid
    return d === invalid ? t.failure(u, c) : t.success(d)
  },
  s => s,
)

const IntCodec: t.Type<number, number, unknown> = new t.Type<number, number, unknown>(
  'Integer',
  (u): u is number => typeof u === 'number' && Number.isInteger(u),
  (u, c) => (typeof u === 'number' && Number.isInteger(u) ? t.success(u) : t.failure(u, c)),
  n => n,
)

const int8 = /^-?\d+$/
fast.set(DateCodec, u => {
  if (u instanceof Date) return Number.isNaN(u.getTime()) ? invalid : u
  if (typeof u !== 'string') return invalid
  const d = Timestamp.parse(u)
  return Number.isNaN(d.getTime()) ? invalid : d
})
fast.set(Int8Codec, u =>
  typeof u === 'string'
    ? int8.test(u)
      ? u
      : invalid
    : typeof u === 'number' && Number.isSafeInteger(u)
      ? String(u)
      : typeof u === 'bigint'
        ? u.toString()
        : invalid,
)
fast.set(NumericCodec, u => (isNumericOutput(u) ? u : typeof u === 'string' ? numericText(u) : invalid))
fast.set(IntCodec, u => (typeof u === 'number' && Number.isInteger(u) ? u : invalid))
fast.set(t.string, u => (typeof u === 'string' ? u : invalid))
fast.set(t.number, u => (typeof u === 'number' ? u : invalid))
fast.set(t.boolean, u => (typeof u === 'boolean' ? u : invalid))

/**
 * The fast decoder of a codec (cached per codec): the built-in codecs' own, else `is`, then `decode`.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * const decode = Column.fastDecoder(Column.bigint.codec)
 * assert.strictEqual(decode(7), '7')
 * assert.strictEqual(decode('seven'), Column.invalid)
 *
 * @category codecs
 * @since 0.1.0
 */
export const fastDecoder = <A>(codec: Codec<A>): FastDecoder<A> => {
  if (!isCodecLike(codec)) return rejectAll
  const hit = fast.get(codec)
  if (hit !== undefined) return hit as FastDecoder<A>
  // A codec is user code: one that throws rejects the value.
  const f: FastDecoder<A> = u => {
    try {
      if (codec.is(u)) return u
      const d = codec.decode(u)
      return d._tag === 'Right' ? d.right : invalid
    } catch {
      return invalid
    }
  }
  fast.set(codec, f)
  return f
}

const rejectAll: FastDecoder<never> = () => invalid

// What `nonNull` gives for a value that is no codec: one that accepts nothing.
const noCodec: Codec<never> = {
  name: 'never',
  is: (_u): _u is never => false,
  decode: u => t.failure(u, []),
  encode: a => a,
}

// The codec each `orNull` codec wraps.
const wrapped = new WeakMap<object, Codec<unknown>>()

/**
 * The codec a nullable column's codec wraps (itself for any other codec): two columns whose codecs
 * have the same base decode every non-null value alike.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * const maybe = Column.nullable(Column.text)
 * assert.strictEqual(Column.nonNull(maybe.codec), Column.text.codec)
 * assert.strictEqual(Column.nonNull(Column.text.codec), Column.text.codec)
 *
 * @category codecs
 * @since 0.1.0
 */
export const nonNull = (codec: Codec<unknown>): Codec<unknown> => {
  if (!isCodecLike(codec)) return noCodec
  let c = codec
  for (let w = wrapped.get(c); w !== undefined; w = wrapped.get(c)) c = w
  return c
}

const orNull = <A>(codec: Codec<A>): Codec<A | null> => {
  const c: Codec<A | null> = {
    name: `${codec.name} | null`,
    is: (u): u is A | null => u === null || codec.is(u),
    decode: u => (u === null ? t.success(null) : codec.decode(u)),
    encode: a => (a === null ? null : codec.encode(a)),
  }
  const inner = fast.get(codec)
  if (inner !== undefined) fast.set(c, u => (u === null ? null : inner(u)))
  wrapped.set(c, codec)
  return c
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A column from any io-ts codec and its PostgreSQL type.
 *
 * @example
 * import * as t from 'io-ts'
 * import { Column } from 'quiver-sql'
 * const email = Column.custom(t.string, 'citext')
 *
 * @category constructors
 * @since 0.1.0
 */
export const custom = <A>(
  codec: Codec<A>,
  sqlType: string,
  options: { readonly generated?: boolean; readonly json?: 'native' | 'text' } = {},
): Column<A> => {
  // Options from untyped input may be anything: read defensively, anything unexpected is the default.
  const read = (k: 'generated' | 'json'): unknown => {
    try {
      return typeof options === 'object' && options !== null ? options[k] : undefined
    } catch {
      return undefined
    }
  }
  return Brand.make({
    _tag: 'Column' as const,
    codec,
    sqlType,
    nullable: false,
    generated: read('generated') === true,
    json: read('json') === 'text' ? ('text' as const) : ('native' as const),
  })
}

/**
 * A 32-bit `integer`, decoded as a `number` that must be whole.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.integer.sqlType, 'integer')
 * assert.strictEqual(Column.integer.codec.is(3), true)
 * assert.strictEqual(Column.integer.codec.is(3.5), false)
 *
 * @category constructors
 * @since 0.1.0
 */
export const integer: Column<number> & Sql<'integer'> = custom(IntCodec, 'integer')
/**
 * `integer generated by default as identity`: omitted on insert, the database numbers it.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.serial.generated, true)
 * assert.strictEqual(Column.baseType(Column.serial.sqlType), 'integer')
 *
 * @category constructors
 * @since 0.1.0
 */
export const serial: Column<number> & Generated & Sql<'integer'> = custom(
  IntCodec,
  'integer generated by default as identity',
  {
    generated: true,
  },
) as Column<number> & Generated & Sql<'integer'>
/**
 * A 64-bit `bigint`, kept as its decimal text so that no digit is lost (see `Int8Codec`).
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.bigint.sqlType, 'bigint')
 * assert.strictEqual(Column.bigint.codec.is('9223372036854775807'), true)
 *
 * @category constructors
 * @since 0.1.0
 */
export const bigint: Column<string> & Sql<'bigint'> = custom(Int8Codec, 'bigint', { json: 'text' })
/**
 * `bigint generated by default as identity`: a `bigint` key the database numbers when an insert omits
 * it.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.bigserial.generated, true)
 * assert.strictEqual(Column.baseType(Column.bigserial.sqlType), 'bigint')
 *
 * @category constructors
 * @since 0.1.0
 */
export const bigserial: Column<string> & Generated & Sql<'bigint'> = custom(
  Int8Codec,
  'bigint generated by default as identity',
  { generated: true, json: 'text' },
) as Column<string> & Generated & Sql<'bigint'>
/**
 * A `double precision` float, decoded as a `number`.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.double.sqlType, 'double precision')
 * assert.strictEqual(Column.double.codec.is(0.5), true)
 *
 * @category constructors
 * @since 0.1.0
 */
export const double: Column<number> & Sql<'double'> = custom(t.number, 'double precision')
/**
 * Arbitrary precision, kept as text (as postgres.js returns it).
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.numeric.sqlType, 'numeric')
 * assert.strictEqual(Column.numeric.codec.is('12.50'), true)
 * assert.strictEqual(Column.numeric.json, 'text')
 *
 * @category constructors
 * @since 0.1.0
 */
export const numeric: Column<string> & Sql<'numeric'> = custom(NumericCodec, 'numeric', { json: 'text' })
/**
 * A `text` column, decoded as a `string`.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.text.sqlType, 'text')
 * assert.strictEqual(Column.text.nullable, false)
 *
 * @category constructors
 * @since 0.1.0
 */
export const text: Column<string> & Sql<'text'> = custom(t.string, 'text')
/**
 * A `uuid` column, decoded as its text form (the database checks the format).
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.uuid.sqlType, 'uuid')
 * assert.strictEqual(Column.uuid.codec.is('5f0c2f5e-6b1d-4c3e-9a5b-2d0f1e3c4b5a'), true)
 *
 * @category constructors
 * @since 0.1.0
 */
export const uuid: Column<string> & Sql<'uuid'> = custom(t.string, 'uuid')
/**
 * A `boolean` column.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.boolean.sqlType, 'boolean')
 * assert.strictEqual(Column.boolean.codec.is(false), true)
 *
 * @category constructors
 * @since 0.1.0
 */
export const boolean: Column<boolean> = custom(t.boolean, 'boolean')
/**
 * A `timestamptz` column, decoded as a `Date` (also from the ISO text of nested JSON rows; see
 * `DateCodec`).
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.timestamptz.sqlType, 'timestamptz')
 * assert.strictEqual(Column.timestamptz.codec.is(new Date(0)), true)
 *
 * @category constructors
 * @since 0.1.0
 */
export const timestamptz: Column<Date> = custom(DateCodec, 'timestamptz')

/**
 * A `jsonb` column holding values of the given codec.
 *
 * @example
 * import * as t from 'io-ts'
 * import { Column } from 'quiver-sql'
 * const settings = Column.json(t.type({ theme: t.string }))
 * assert.strictEqual(settings.sqlType, 'jsonb')
 * assert.strictEqual(settings.codec.is({ theme: 'dark' }), true)
 *
 * @category constructors
 * @since 0.1.0
 */
export const json = <A>(codec: Codec<A>): Column<A> => custom(codec, 'jsonb')

/**
 * The same column, allowing NULL (`A | null`).
 *
 * @example
 * import { Column } from 'quiver-sql'
 * const parent_id = Column.nullable(Column.integer)
 *
 * @category combinators
 * @since 0.1.0
 */
export const nullable = <A, C extends Column<A>>(column: C & Column<A>): Column<A | null> & SqlOf<C> => {
  const c = fromInput(column as ColumnInput) as Column<A>
  const out: Column<A | null> = Brand.make({
    ...c,
    codec: isCodecLike(c.codec) ? orNull(c.codec) : c.codec,
    nullable: true,
  })
  // The mark is a phantom: the column's value has none to carry.
  return out as Column<A | null> & SqlOf<C>
}

/**
 * The same column with a database default: an insert may omit it.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * const created = Column.generated(Column.custom(Column.DateCodec, 'timestamptz default now()'))
 * assert.strictEqual(created.generated, true)
 *
 * @category combinators
 * @since 0.1.0
 */
export const generated = <A, C extends Column<A>>(column: C & Column<A>): Column<A> & Generated & SqlOf<C> =>
  Brand.make({ ...(fromInput(column as ColumnInput) as Column<A>), generated: true as const }) as Column<A> &
    Generated &
    SqlOf<C>

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The plain type of a column's SQL type, as a referencing column or a cast spells it: without an
 * identity or default clause, serials as their integer types. `'integer generated by default as
 * identity'` -> `'integer'`.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.baseType('integer generated by default as identity'), 'integer')
 * assert.strictEqual(Column.baseType('timestamptz default now()'), 'timestamptz')
 * assert.strictEqual(Column.baseType('bigserial'), 'bigint')
 * assert.strictEqual(Column.baseType(null), null)
 *
 * @category utils
 * @since 0.1.0
 */
export const baseType = (sqlType: string | null): string | null =>
  typeof sqlType !== 'string'
    ? null
    : sqlType
        .replace(/\s+generated\s+.*$/i, '')
        .replace(/\s+default\s+.*$/i, '')
        .trim()
        .replace(/^serial$/i, 'integer')
        .replace(/^bigserial$/i, 'bigint')
        .replace(/^smallserial$/i, 'smallint')

/**
 * The JSON type of a column (`Column.json`, or `Column.custom(codec, 'json')`), else undefined: its
 * values travel as JSON whatever their JavaScript type (see `Expr.Param.json`).
 *
 * @example
 * import * as t from 'io-ts'
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.jsonType(Column.json(t.unknown)), 'jsonb')
 * assert.strictEqual(Column.jsonType(Column.custom(t.unknown, 'json')), 'json')
 * assert.strictEqual(Column.jsonType(Column.text), undefined)
 *
 * @category utils
 * @since 0.1.0
 */
export const jsonType = (column: Column<unknown> | undefined): 'json' | 'jsonb' | undefined => {
  // Only a column built here has a type to read; anything else (a proxy from untyped input) has none.
  if (!isColumn(column)) return undefined
  const lower = baseType(column.sqlType)?.toLowerCase()
  return lower === 'json' || lower === 'jsonb' ? lower : undefined
}

/**
 * Whether a value was built by a `Column` constructor (an object shaped like a column is not one).
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.isColumn(Column.text), true)
 * assert.strictEqual(Column.isColumn({ ...Column.text }), false)
 *
 * @category utils
 * @since 0.1.0
 */
export const isColumn = (u: unknown): u is Column<unknown> => Brand.is(u, 'Column')

/**
 * Whether a value is an io-ts codec of the io-ts copy this library uses (an instance of its `t.Type`).
 * See `isCodecLike` for codecs of any copy.
 *
 * @example
 * import * as t from 'io-ts'
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.isCodec(t.string), true)
 * assert.strictEqual(Column.isCodec(Column.text), false)
 *
 * @category utils
 * @since 0.1.0
 */
export const isCodec = (u: unknown): u is t.Mixed => {
  try {
    return u instanceof t.Type
  } catch {
    return false
  }
}

/**
 * Whether a value can serve as a column's codec: an io-ts codec, from this copy of io-ts or another
 * (so checked by what a column calls on it: `is`, `decode`, `encode`).
 *
 * @example
 * import * as t from 'io-ts'
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.isCodecLike(t.number), true)
 * assert.strictEqual(Column.isCodecLike(Column.integer.codec), true)
 * assert.strictEqual(Column.isCodecLike({ is: () => true }), false)
 *
 * @category utils
 * @since 0.1.0
 */
export const isCodecLike = (u: unknown): u is Codec<unknown> => {
  if ((typeof u !== 'object' && typeof u !== 'function') || u === null) return false
  try {
    return (
      typeof (u as Partial<Codec<unknown>>).is === 'function' &&
      typeof (u as Partial<Codec<unknown>>).decode === 'function' &&
      typeof (u as Partial<Codec<unknown>>).encode === 'function'
    )
  } catch {
    return false
  }
}

/**
 * A bare codec as a column without a SQL type; nullability read from whether it accepts null.
 *
 * @example
 * import * as t from 'io-ts'
 * import { Column } from 'quiver-sql'
 * const c = Column.fromInput(t.union([t.string, t.null]))
 * assert.strictEqual(c.sqlType, null)
 * assert.strictEqual(c.nullable, true)
 * assert.strictEqual(Column.fromInput(Column.text), Column.text)
 *
 * @category utils
 * @since 0.1.0
 */
export const fromInput = (input: ColumnInput): Column<unknown> =>
  isColumn(input)
    ? input
    : Brand.make({
        _tag: 'Column' as const,
        // Anything but a codec is kept as given: `table` reports the column as no codec.
        codec: input,
        sqlType: null,
        nullable: isCodecLike(input) && fastDecoder(input)(null) !== invalid,
        generated: false,
        json: 'native' as const,
      })

/**
 * Whether a column's parts are usable: a codec and a SQL type (text) or none. A column built from
 * untyped input by `custom`, `nullable` or `generated` may hold anything; `table` checks this.
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.isUsable(Column.text), true)
 * // A SQL type must be text: this one came from untyped input.
 * assert.strictEqual(Column.isUsable(Column.custom(Column.text.codec, 42 as never)), false)
 *
 * @category utils
 * @since 0.1.0
 */
export const isUsable = (column: Column<unknown>): boolean =>
  isColumn(column) &&
  isCodecLike(column.codec) &&
  (column.sqlType === null || (typeof column.sqlType === 'string' && column.sqlType !== ''))

/**
 * The SQL types the query layer tells apart (the type of a column, of a term): each decides how values
 * are compared, decoded and written. `integer` covers `smallint` and `integer`; `unknown` is a type the
 * layer does not know (a custom column, a fragment).
 *
 * @category model
 * @since 0.2.0
 */
export type SqlType =
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'double'
  | 'text'
  | 'boolean'
  | 'timestamptz'
  | 'date'
  | 'json'
  | 'array'
  | 'unknown'

/**
 * The `SqlType` of a column's declared SQL type (`Column.baseType` first: serials are their integers).
 *
 * @example
 * import { Column } from 'quiver-sql'
 * assert.strictEqual(Column.sqlTypeOf('bigserial'), 'bigint')
 * assert.strictEqual(Column.sqlTypeOf('numeric(10, 2)'), 'numeric')
 * assert.strictEqual(Column.sqlTypeOf('double precision'), 'double')
 * assert.strictEqual(Column.sqlTypeOf('point'), 'unknown')
 *
 * @category utils
 * @since 0.2.0
 */
export const sqlTypeOf = (sqlType: string | null): SqlType => {
  const base = baseType(sqlType)?.toLowerCase().replace(/\s+/g, ' ')
  if (base === undefined) return 'unknown'
  if (base.endsWith('[]')) return 'array'
  const head = base.replace(/\s*\(.*$/, '')
  return Object.hasOwn(sqlTypes, head) ? (sqlTypes[head] as SqlType) : 'unknown'
}

const sqlTypes: Readonly<Record<string, SqlType>> = {
  smallint: 'integer',
  int2: 'integer',
  integer: 'integer',
  int: 'integer',
  int4: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  numeric: 'numeric',
  decimal: 'numeric',
  real: 'double',
  float4: 'double',
  'double precision': 'double',
  float8: 'double',
  float: 'double',
  text: 'text',
  varchar: 'text',
  'character varying': 'text',
  char: 'text',
  character: 'text',
  citext: 'text',
  boolean: 'boolean',
  bool: 'boolean',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  date: 'date',
  json: 'json',
  jsonb: 'json',
}
