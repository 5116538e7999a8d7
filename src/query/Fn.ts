/**
 * Typed expressions: arithmetic, text and date functions, casts, `case`, and aggregates, for
 * `Query.select`, `Query.orderBy`, `Query.groupBy`, `Query.having` and `Query.where`. Each constructor
 * returns a `Pred.Term<A>` whose `A` is the TypeScript type of its values (with `null` where SQL gives
 * one), and records what it built (its SQL type and the decoder of its values), so that a projection
 * decodes every output and arithmetic knows when PostgreSQL truncates. Values stay parameters.
 *
 * Numbers: `count` is a `number` (PostgreSQL's int8, decoded only when exact: a value beyond
 * `Number.MAX_SAFE_INTEGER` is a `DecodeError` naming the output, never a rounded number); `sum` keeps
 * its argument's type (`number` for integer and double columns, exact for integers as `count` is;
 * `string` for `bigint` and `numeric` columns, the decimal text PostgreSQL computed); `avg` of numbers
 * is the nearest double to PostgreSQL's numeric result. Like PostgreSQL, `div` and `mod` of two
 * integers truncate toward zero (two `bigint`s, or a `bigint` and an `integer`, too).
 *
 * Decimals: arithmetic with a `numeric` or `bigint` side (a `Decimal` term, or decimal text such as
 * `'1.10'`) follows PostgreSQL's types (`integer op numeric` is numeric, `integer op bigint` bigint)
 * and is decimal text, exact on both interpreters (`Arith`); a `double precision` term beside one is
 * refused (PostgreSQL would answer a double), as is text PostgreSQL would not read as the number type
 * of the term beside it. Column terms carry their column's SQL type (`Column.Sql`), so arithmetic on a
 * `text` column is a compile error.
 *
 * Every constructor is total: given what no expression can be made of (a sum of text, a fraction where
 * PostgreSQL reads an integer), it returns a term that the query refuses with the reason.
 *
 * @since 0.1.0
 */
import * as Expr from '../ast/Expr.js'
import * as Node from '../ast/Node.js'
import { show } from '../error/Show.js'
import * as A from '../schema/Association.js'
import * as Column from '../schema/Column.js'
import type * as Model from '../schema/Model.js'
import * as Invalid from './Invalid.js'
import * as Make from './Make.js'
import * as Subquery from './Subquery.js'
import type * as Pred from './Pred.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The type of the values of a term (`Pred.Term<A>` gives `A`), or of a plain value.
 *
 * @category model
 * @since 0.1.0
 */
export type Value<T> = T extends Expr.Expr ? (T extends { readonly __type?: infer A } ? A : unknown) : T

/**
 * `null` when some of the terms may be NULL (a plain value never is).
 *
 * @category model
 * @since 0.1.0
 */
export type Nulls<Ts extends ReadonlyArray<unknown>> = {
  [K in keyof Ts]: null extends Value<Ts[K]> ? null : never
}[number]

/**
 * `null` when every one of the terms may be NULL.
 *
 * @category model
 * @since 0.1.0
 */
export type AllNull<Ts extends ReadonlyArray<unknown>> = false extends {
  [K in keyof Ts]: null extends Value<Ts[K]> ? true : false
}[number]
  ? never
  : null

/**
 * A term of numbers, or a number.
 *
 * @category model
 * @since 0.1.0
 */
export type Numeric = Pred.Term<number | null> | number

/**
 * A term of `numeric` or `bigint` values, decimal text in JavaScript (their columns, their casts, sums
 * and arithmetic over them): arithmetic takes it, and its result is decimal text too.
 *
 * @category model
 * @since 0.2.0
 */
export type Decimal = Pred.Term<string | null> & Column.Sql<'numeric' | 'bigint'>

/**
 * What arithmetic takes on its left: a term of numbers or a `Decimal` term.
 *
 * @category model
 * @since 0.2.0
 */
export type Arithmetic = Pred.Term<number | null> | Decimal

/**
 * What arithmetic takes on its right: an `Arithmetic` term, a number, or decimal text (`'1.10'`, sent
 * as `cast($n as numeric)`).
 *
 * @category model
 * @since 0.2.0
 */
export type ArithOperand = Arithmetic | number | string

/**
 * The type of `left op right`: decimal text (PostgreSQL's `numeric` or `bigint`, kept exact) when
 * either side is, else a number; `null` when either side may be NULL. Decimal results carry the mark
 * of PostgreSQL's result type (`bigint` when each side is a `bigint` or a number, else `numeric`), so
 * they take arithmetic again and are assigned to a column of that type.
 *
 * @category model
 * @since 0.2.0
 */
export type Arith<L, R> = [Extract<Value<L> | Value<R>, string>] extends [never]
  ? Pred.Term<number | Nulls<[L, R]>>
  : Pred.Term<string | Nulls<[L, R]>> &
      Column.Sql<true extends NumericSide<L> | NumericSide<R> ? 'numeric' : 'bigint'>

// The SQL type mark of a term (`Column.Sql`), `never` for none.
type MarkOf<T> = T extends { readonly __sql?: infer S }
  ? unknown extends S
    ? never
    : Exclude<S, undefined>
  : never

// Whether a side of arithmetic makes it `numeric` (PostgreSQL's `bigint op integer` is a bigint): decimal
// text (a value, cast to numeric), or a term of decimal text that is not marked `bigint` alone.
type NumericSide<T> = T extends string
  ? true
  : [Extract<Value<T>, string>] extends [never]
    ? false
    : [MarkOf<T>] extends [never]
      ? true
      : [MarkOf<T>] extends ['bigint']
        ? false
        : true

/**
 * The type of `round(t)`: decimal text marked `numeric` when `t` is decimal text (a `numeric` or
 * `bigint` term), else a number (a double precision); `null` when `t` may be NULL.
 *
 * @category model
 * @since 0.2.0
 */
export type Rounded<T> = [Extract<Value<T>, string>] extends [never]
  ? Pred.Term<number | Nulls<[T]>>
  : Pred.Term<string | Nulls<[T]>> & Column.Sql<'numeric'>

/**
 * The type of `neg(t)`: the type of `t`, with its SQL type mark (`Column.Sql`).
 *
 * @category model
 * @since 0.2.0
 */
export type Negated<T> = Pred.Term<
  ([Extract<Value<T>, string>] extends [never] ? number : string) | Nulls<[T]>
> &
  Column.SqlOf<T>

/**
 * An order item: a term (ascending), or a direction and a term (`['desc', p.inserted_at]`), with the
 * directions of `preloadOrder` (`asc`, `desc`, `asc_nulls_first`, ...).
 *
 * @category model
 * @since 0.1.0
 */
export type Ordering = Pred.Term<unknown> | readonly [A.Direction, Pred.Term<unknown>]

/**
 * Options of an aggregate: `filter` keeps the rows of the group where the condition holds
 * (`count(*) filter (where ...)`).
 *
 * @category model
 * @since 0.1.0
 */
export interface AggOptions {
  readonly filter?: Pred.Pred
}

/**
 * Options of an aggregate whose result has an order (`arrayAgg`, `stringAgg`).
 *
 * @category model
 * @since 0.1.0
 */
export interface OrderedAggOptions extends AggOptions {
  readonly orderBy?: ReadonlyArray<Ordering>
}

/**
 * The TypeScript type of each type a term may be cast to (`bigint` and `numeric` as text, as their
 * columns are).
 *
 * @category model
 * @since 0.1.0
 */
export interface CastTypes {
  readonly integer: number
  readonly bigint: string
  readonly numeric: string
  readonly double: number
  readonly text: string
  readonly boolean: boolean
  readonly date: Date
  readonly timestamptz: Date
}

/**
 * The SQL type mark (`Column.Sql`) of a cast's result, for the types that have one: a cast to
 * `bigint` takes `bigint` arithmetic and is assigned to a `bigint` column.
 *
 * @category model
 * @since 0.2.0
 */
export interface CastMarks {
  readonly integer: Column.Sql<'integer'>
  readonly bigint: Column.Sql<'bigint'>
  readonly numeric: Column.Sql<'numeric'>
  readonly double: Column.Sql<'double'>
  readonly text: Column.Sql<'text'>
  readonly boolean: {}
  readonly date: {}
  readonly timestamptz: {}
}

/**
 * The type of `sum` and `avg` over values of type `A`: numbers stay numbers, text (`bigint`,
 * `numeric`) stays text; NULL over no rows.
 *
 * @category model
 * @since 0.1.0
 */
export type Summed<A> = [NonNullable<A>] extends [number]
  ? number | null
  : [NonNullable<A>] extends [string]
    ? string | null
    : NonNullable<A> | null

// -------------------------------------------------------------------------------------
// decoders
// -------------------------------------------------------------------------------------

const invalid: typeof Column.invalid = Column.invalid
const maxExact = BigInt(Number.MAX_SAFE_INTEGER)
const wholeText = /^-?\d+$/
// Decimal text as PostgreSQL's `numeric` input reads it (no `NaN` or infinities: a number is given for those).
const decimalValue = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const decimalText = /^-?\d+\.\d+$/
const specials: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }

// The number of whole decimal text (`wholeText`) of at most 15 digits, read digit by digit in one pass
// (no `Number(text)`, which costs more than the loop on the driver's fresh strings): below 2^53, so it
// is exact. `NaN` for any other text (longer text goes through `wholeText` and the safe-integer check).
const shortWhole = (u: string): number => {
  const n = u.length
  const negative = n > 0 && u.charCodeAt(0) === 45 /* - */
  let i = negative ? 1 : 0
  if (i === n || n - i > 15) return NaN
  let v = 0
  for (; i < n; i++) {
    const d = u.charCodeAt(i) - 48 /* 0 */
    if (d < 0 || d > 9) return NaN
    v = v * 10 + d
  }
  return negative ? -v : v
}

// A number of any SQL numeric type, as postgres.js returns it: int2/int4/float as numbers, int8 and
// numeric as decimal text. Whole values must be exact (int8 and numeric go beyond 2^53); a fraction
// (an `avg`) is the nearest double.
const number: Column.FastDecoder<number> = u => {
  if (typeof u === 'number') return u
  if (typeof u === 'string') {
    // a count's text, the common case, read without a regex (one per value decoded)
    const short = shortWhole(u)
    if (short === short) return short
    if (wholeText.test(u)) {
      const n = Number(u)
      return Number.isSafeInteger(n) ? n : invalid
    }
    if (decimalText.test(u)) return Number(u)
    return Object.hasOwn(specials, u) ? (specials[u] as number) : invalid
  }
  if (typeof u === 'bigint') return u >= -maxExact && u <= maxExact ? Number(u) : invalid
  return invalid
}
const expectedNumber =
  'a number (a whole int8 or numeric value within Number.MAX_SAFE_INTEGER: beyond it a JavaScript number is not exact)'

// Decimal text (int8, numeric), kept as text as the `bigint` and `numeric` columns keep it.
const decimal: Column.FastDecoder<string> = u =>
  typeof u === 'string'
    ? u
    : typeof u === 'bigint'
      ? u.toString()
      : typeof u === 'number' && Number.isFinite(u)
        ? String(u)
        : invalid

const text: Column.FastDecoder<string> = u => (typeof u === 'string' ? u : invalid)
const date: Column.FastDecoder<Date> = Column.fastDecoder(Column.DateCodec)

const arrayOf =
  (element: Column.FastDecoder<unknown>): Column.FastDecoder<ReadonlyArray<unknown>> =>
  u => {
    if (!Array.isArray(u)) return invalid
    const out: Array<unknown> = new Array(u.length)
    for (let i = 0; i < u.length; i++) {
      const v: unknown = u[i]
      const d = element(v)
      if (d === invalid) return invalid
      out[i] = d
    }
    return out
  }

const info = (
  sql: Make.SqlType,
  js: Make.JsType,
  decode: Column.FastDecoder<unknown>,
  expected: string,
): Make.TermInfo => Object.freeze({ sql, js, decode, expected, nullable: true })

const numberInfo = (sql: Make.SqlType): Make.TermInfo => info(sql, 'number', number, expectedNumber)
const decimalInfo = (sql: Make.SqlType): Make.TermInfo => info(sql, 'string', decimal, 'decimal text')
const textInfo = info('text', 'string', text, 'text')
const booleanInfo = Make.booleanInfo
const dateInfo = (sql: Make.SqlType): Make.TermInfo => info(sql, 'Date', date, 'a Date')
const unknownInfo = Make.unknownInfo
const countInfo = info('bigint', 'number', number, `a count within Number.MAX_SAFE_INTEGER (int8)`)

// The info of a value of a JavaScript type (a value cast to its type, see `operands`).
const jsInfo = (js: Make.JsType, sql: Make.SqlType): Make.TermInfo =>
  js === 'number'
    ? numberInfo(sql)
    : js === 'string'
      ? sql === 'text' || sql === 'unknown'
        ? textInfo
        : decimalInfo(sql)
      : js === 'boolean'
        ? booleanInfo
        : js === 'Date'
          ? dateInfo(sql)
          : { ...unknownInfo, sql }

const infoOf = Make.infoOf

const isExpr = (u: unknown): u is Expr.Expr => {
  try {
    return Expr.isExpr(u)
  } catch {
    return false
  }
}

// -------------------------------------------------------------------------------------
// operands
// -------------------------------------------------------------------------------------

const refuse = (fn: string, message: string): Expr.Expr => Invalid.pred(`Fn.${fn}: ${message}`)

// A value in an operand's place: a plain value, or a parameter nobody typed (`Pred.value(5)`).
const valueIn = (u: unknown): { readonly value: unknown } | undefined => {
  if (!isExpr(u)) return { value: u }
  return u._tag === 'Param' &&
    Make.recorded(u) === undefined &&
    u.json !== true &&
    !Expr.isPlaceholder(u.value) &&
    Node.refusal(u.value) === undefined
    ? { value: u.value }
    : undefined
}

const jsOf = (v: unknown): Make.JsType =>
  typeof v === 'number'
    ? 'number'
    : typeof v === 'string'
      ? 'string'
      : typeof v === 'boolean'
        ? 'boolean'
        : v instanceof Date
          ? 'Date'
          : 'other'

const castFor: Readonly<Partial<Record<Make.JsType, readonly [Expr.CastType, Make.SqlType]>>> = {
  number: ['double', 'double'],
  string: ['text', 'text'],
  boolean: ['boolean', 'boolean'],
  Date: ['timestamptz', 'timestamptz'],
}

const int4 = 2 ** 31

type Operands = ReadonlyArray<Expr.Expr> | Expr.Expr
const isList = (o: Operands): o is ReadonlyArray<Expr.Expr> => Array.isArray(o)

// The operands of a function whose arguments share one type (arithmetic, coalesce, nullif, case):
// PostgreSQL reads a parameter as the type of the terms beside it, so a value there must be one of
// that type (a fraction next to an integer column is an error there: refused here); with no typed term
// beside them, values are cast to the type of their JavaScript value (a number to double precision),
// as PostgreSQL would otherwise read them as text.
const operands = (fn: string, us: ReadonlyArray<unknown>): Operands => {
  const typed = us.find(u => valueIn(u) === undefined && infoOf(u).sql !== 'unknown')
  const sibling = typed === undefined ? undefined : infoOf(typed).sql
  // With no typed term, the values are cast to the type of the first one's JavaScript value: the others
  // must be of that type (else PostgreSQL fails, 42804), and values of no SQL type are refused.
  if (sibling === undefined) {
    let first: { readonly value: unknown; readonly js: Make.JsType } | undefined
    for (const u of us) {
      const v = valueIn(u)
      if (v === undefined || v.value === null || Array.isArray(v.value)) continue
      const js = jsOf(v.value)
      if (js === 'other' || (js === 'Date' && Number.isNaN((v.value as Date).getTime())))
        return refuse(fn, `expected a number, text, a boolean or a valid Date, got ${show(v.value)}`)
      if (first === undefined) first = { value: v.value, js }
      else if (first.js !== js)
        return refuse(
          fn,
          `${show(v.value)} is not of the type of ${show(first.value)} beside it (${castFor[first.js]?.[0] ?? first.js})`,
        )
    }
  }
  const out: Array<Expr.Expr> = []
  for (const u of us) {
    const v = valueIn(u)
    if (v === undefined) {
      out.push(u as Expr.Expr)
      continue
    }
    const value = v.value
    if (sibling !== undefined) {
      if (
        (sibling === 'integer' || sibling === 'bigint') &&
        typeof value === 'number' &&
        !(sibling === 'integer'
          ? Number.isInteger(value) && value >= -int4 && value < int4
          : Number.isSafeInteger(value))
      )
        return refuse(
          fn,
          `${show(value)} is not ${sibling === 'integer' ? 'a whole number within the range of integer' : 'a safe whole number'}, and PostgreSQL reads it as the ${sibling} of the term beside it (cast the term first: Fn.cast(t, 'double'))`,
        )
      // Text beside a bigint or numeric term is read as one: PostgreSQL fails on text that is not (22P02).
      if (
        (sibling === 'bigint' || sibling === 'numeric') &&
        typeof value === 'string' &&
        !(sibling === 'bigint' ? wholeText : decimalValue).test(value)
      )
        return refuse(
          fn,
          `${show(value)} is not ${sibling === 'bigint' ? 'whole decimal text' : 'decimal text'}, and PostgreSQL reads it as the ${sibling} of the term beside it`,
        )
      // Otherwise a value of the term's type (its decoder accepts it), as a comparison wants; a finite
      // number beside a numeric term is one (checked above beside a bigint).
      const numberBesideDecimal =
        typeof value === 'number' &&
        (sibling === 'bigint' || (sibling === 'numeric' && Number.isFinite(value)))
      const bad = numberBesideDecimal ? undefined : Make.badValue(`Fn.${fn}`, typed, value)
      if (bad !== undefined) return Invalid.pred(bad)
      out.push(isExpr(u) ? u : Expr.param(value))
      continue
    }
    const cast = castFor[jsOf(value)]
    const p = isExpr(u) ? u : Expr.param(value)
    out.push(cast === undefined ? p : Make.typed(Expr.cast(p, cast[0]), jsInfo(jsOf(value), cast[1])))
  }
  return out
}

// The info of the first operand whose type is known (what PostgreSQL resolves the shared type to).
const sharedInfo = (es: ReadonlyArray<Expr.Expr>): Make.TermInfo => {
  for (const e of es) {
    const i = infoOf(e)
    if (i.sql !== 'unknown') return i.nullable ? i : { ...i, nullable: true }
  }
  return unknownInfo
}

const isInteger = (s: Make.SqlType): boolean => s === 'integer' || s === 'bigint'

// Operands whose SQL type is known and not among `allowed` are refused, naming the type.
const expect = (
  fn: string,
  t: unknown,
  allowed: ReadonlyArray<Make.SqlType>,
  what: string,
): Expr.Expr | undefined => {
  if (!isExpr(t)) return refuse(fn, `expected a term (a column or an expression), got ${show(t)}`)
  const s = infoOf(t).sql
  return s === 'unknown' || allowed.includes(s)
    ? undefined
    : refuse(fn, `expected ${what}, got a term of type ${s}`)
}

const numbers: ReadonlyArray<Make.SqlType> = ['integer', 'bigint', 'numeric', 'double']
const texts: ReadonlyArray<Make.SqlType> = ['text']
const dates: ReadonlyArray<Make.SqlType> = ['timestamptz', 'date']
const booleans: ReadonlyArray<Make.SqlType> = ['boolean']

// -------------------------------------------------------------------------------------
// constructors: arithmetic
// -------------------------------------------------------------------------------------

const doubleBesideDecimal = (op: string): Expr.Expr =>
  refuse(
    op,
    "a double precision term beside a numeric or bigint term gives double precision in PostgreSQL, not the exact decimal text: cast one side (Fn.cast(t, 'numeric') for an exact result, Fn.cast(t, 'double') for a number)",
  )

const arith =
  (op: Expr.ArithOp) =>
  <L extends Arithmetic, R extends ArithOperand>(left: L, right: R): Arith<L, R> =>
    Invalid.total(`Fn.${op}`, () => {
      const bad = expect(op, left, numbers, 'a term of numbers')
      if (bad !== undefined) return bad
      const rightBad =
        valueIn(right) === undefined ? expect(op, right, numbers, 'a term of numbers') : undefined
      if (rightBad !== undefined) return rightBad
      // Decimal text is a `numeric` value: a parameter cast to numeric, unless the term beside it is
      // one (PostgreSQL reads the parameter as numeric then; beside an integer it would read an integer).
      const sides: ReadonlyArray<unknown> = [left, right].map((u, k) => {
        const v = valueIn(u)
        if (v === undefined || typeof v.value !== 'string') return u
        if (!decimalValue.test(v.value)) return undefined
        const other = k === 0 ? right : left
        return valueIn(other) === undefined && infoOf(other).sql === 'numeric'
          ? Make.typed(Expr.param(v.value), decimalInfo('numeric'))
          : Make.typed(Expr.cast(Expr.param(v.value), 'numeric'), decimalInfo('numeric'))
      })
      const text = sides.indexOf(undefined)
      if (text >= 0)
        return refuse(
          op,
          `expected a number or decimal text, got ${show(valueIn([left, right][text])?.value)}`,
        )
      const es = operands(op, sides)
      if (!isList(es)) return es
      const [l, r] = es as unknown as readonly [Expr.Expr, Expr.Expr]
      const il = infoOf(l)
      const ir = infoOf(r)
      // A value beside a typed term is read as its type.
      const known = [il.sql, ir.sql].find(x => x !== 'unknown') ?? 'unknown'
      const sl = il.sql === 'unknown' && valueIn(sides[0]) !== undefined ? known : il.sql
      const sr = ir.sql === 'unknown' && valueIn(sides[1]) !== undefined ? known : ir.sql
      if (op === 'mod' && (sl === 'double' || sr === 'double'))
        return refuse(
          op,
          "PostgreSQL has no remainder of double precision numbers (cast them: Fn.cast(t, 'integer'))",
        )
      // Decimal text on either side (a `bigint` or `numeric` term): the result is exact decimal text,
      // which a double precision operand would make a number.
      const decimal = il.js === 'string' || ir.js === 'string'
      if (decimal && (sl === 'double' || sr === 'double')) return doubleBesideDecimal(op)
      const integer = isInteger(sl) && isInteger(sr)
      const sql: Make.SqlType = integer
        ? sl === 'bigint' || sr === 'bigint'
          ? 'bigint'
          : 'integer'
        : sl === 'double' || sr === 'double'
          ? 'double'
          : sl === 'numeric' || sr === 'numeric'
            ? 'numeric'
            : 'unknown'
      return Make.typed(Expr.arith(op, l, r, integer), decimal ? decimalInfo(sql) : numberInfo(sql))
    }) as Arith<L, R>

/**
 * `left + right`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, price: Column.integer, qty: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ total: Fn.add(Fn.mul(i.price, i.qty), 5) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select ("t0"."price" * "t0"."qty") + $1 as "total" from "items" as "t0"', params: [5] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const add = arith('add')
/**
 * `left - right`. Either side may be a plain number (a parameter); of two integer terms the result is an
 * integer, as in PostgreSQL.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, stock: Column.integer, sold: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ left: Fn.sub(i.stock, i.sold) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."stock" - "t0"."sold" as "left" from "items" as "t0"', params: [] }),
 * )
 * const tables = new Map([['items', [{ id: 1, stock: 10, sold: 3 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ left: 7 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const sub = arith('sub')
/**
 * `left * right`. A product of two `integer` columns is an `integer` in PostgreSQL, which raises an
 * error past 2^31 rather than wrapping: cast one side to `bigint` or `double` when it may grow. A
 * product with a `numeric` side is exact decimal text (`2 * 19.99` is `'39.98'`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, price: Column.integer, qty: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ total: Fn.mul(i.price, i.qty) })))
 * const tables = new Map([['items', [{ id: 1, price: 4, qty: 3 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ total: 12 }]))
 * const line = Schema.table('line', 'lines', { id: Column.serial, qty: Column.integer, unit_price: Column.numeric })
 * const L = Schema.modelOrThrow({ line }, {})
 * const money = pipe(Query.from(L, 'line'), Query.select(l => ({ total: Fn.mul(l.qty, l.unit_price) }))) // string
 * const lines = new Map([['lines', [{ id: 1, qty: 2, unit_price: '19.99' }]]])
 * assert.deepStrictEqual(await Memory.all(money)(lines)(), E.right([{ total: '39.98' }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const mul = arith('mul')
/**
 * `left / right`: of two integer terms, the quotient truncated toward zero (`7 / 2` is `3`), as in
 * PostgreSQL; cast one side for an exact quotient (`Fn.div(Fn.cast(t, 'double'), 2)`). A division by
 * zero is an error of the database (and of the memory interpreter).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, qty: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ half: Fn.div(i.qty, 2) })))
 * assert.deepStrictEqual(
 *   await Memory.all(q)(new Map([['items', [{ id: 1, qty: 7 }, { id: 2, qty: -7 }]]]))(),
 *   E.right([{ half: 3 }, { half: -3 }]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const div = arith('div')
/**
 * `left % right`: the remainder has the sign of `left` (`-7 % 3` is `-1`), as in PostgreSQL and in
 * JavaScript, not the floored modulo of some languages; the memory interpreter agrees.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, qty: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ rest: Fn.mod(i.qty, 3) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."qty" % $1 as "rest" from "items" as "t0"', params: [3] }),
 * )
 * const tables = new Map([['items', [{ id: 1, qty: 7 }, { id: 2, qty: -7 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ rest: 1 }, { rest: -1 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const mod = arith('mod')

// -------------------------------------------------------------------------------------
// constructors: functions
// -------------------------------------------------------------------------------------

const call1 =
  (
    fn: Exclude<Expr.FnName, 'dateTrunc' | 'coalesce' | 'nullif' | 'concat' | 'neg'>,
    allowed: ReadonlyArray<Make.SqlType>,
    what: string,
    result: (arg: Make.TermInfo) => Make.TermInfo,
  ) =>
  (t: unknown): Expr.Expr =>
    Invalid.total(`Fn.${fn}`, () => {
      const es = operands(fn, [t])
      if (!isList(es)) return es
      const e = es[0] as Expr.Expr
      const bad = expect(fn, e, allowed, what)
      return bad ?? Make.typed(Expr.call(fn, [e]), result(infoOf(e)))
    })

/**
 * Text in lower case.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * assert.deepStrictEqual(
 *   Query.toSql(pipe(Query.from(M, 'user'), Query.select(u => ({ name: Fn.lower(u.name) })))),
 *   E.right({ text: 'select lower("t0"."name") as "name" from "users" as "t0"', params: [] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const lower: <T extends Pred.Term<string | null>>(
  t: T,
) => Pred.Term<string | Nulls<[T]>> & Column.Sql<'text'> = call1(
  'lower',
  texts,
  'a term of text',
  () => textInfo,
)
/**
 * Text in upper case; NULL stays NULL (the result is nullable exactly when the term is).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.nullable(Column.text) })
 * const M = Schema.modelOrThrow({ user }, {})
 * const q = pipe(Query.from(M, 'user'), Query.select(u => ({ name: Fn.upper(u.name) })))
 * const tables = new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: null }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ name: 'ADA' }, { name: null }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const upper: <T extends Pred.Term<string | null>>(
  t: T,
) => Pred.Term<string | Nulls<[T]>> & Column.Sql<'text'> = call1(
  'upper',
  texts,
  'a term of text',
  () => textInfo,
)
/**
 * Text without leading and trailing spaces. Only the space character: PostgreSQL's one-argument `trim`
 * leaves tabs and newlines, unlike JavaScript's `String.prototype.trim`, and the memory interpreter
 * follows PostgreSQL.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const q = pipe(Query.from(M, 'user'), Query.select(u => ({ name: Fn.trim(u.name) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select trim("t0"."name") as "name" from "users" as "t0"', params: [] }),
 * )
 * const tables = new Map([['users', [{ id: 1, name: '  ada ' }, { id: 2, name: '\tbob' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ name: 'ada' }, { name: '\tbob' }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const trim: <T extends Pred.Term<string | null>>(
  t: T,
) => Pred.Term<string | Nulls<[T]>> & Column.Sql<'text'> = call1(
  'trim',
  texts,
  'a term of text',
  () => textInfo,
)
/**
 * The number of characters of text: code points, as PostgreSQL counts them, not UTF-16 units as
 * JavaScript's `.length` does (an emoji is 1, not 2).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const q = pipe(Query.from(M, 'user'), Query.select(u => ({ n: Fn.length(u.name) })))
 * const tables = new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: 'a\u{1F600}' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ n: 3 }, { n: 2 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const length: <T extends Pred.Term<string | null>>(t: T) => Pred.Term<number | Nulls<[T]>> = call1(
  'length',
  texts,
  'a term of text',
  () => numberInfo('integer'),
)
/**
 * The absolute value, of the term's own type (`abs` of an integer column is an integer, of a
 * `numeric` column numeric text).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const move = Schema.table('move', 'moves', { id: Column.serial, delta: Column.integer })
 * const M = Schema.modelOrThrow({ move }, {})
 * const q = pipe(Query.from(M, 'move'), Query.select(m => ({ size: Fn.abs(m.delta) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select abs("t0"."delta") as "size" from "moves" as "t0"', params: [] }),
 * )
 * const tables = new Map([['moves', [{ id: 1, delta: -4 }, { id: 2, delta: 3 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ size: 4 }, { size: 3 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const abs: <T extends Arithmetic>(
  t: T,
) => Pred.Term<([Extract<Value<T>, string>] extends [never] ? number : string) | Nulls<[T]>> = call1(
  'abs',
  numbers,
  'a term of numbers',
  i => (i.sql === 'unknown' ? numberInfo('unknown') : { ...i, nullable: true }),
)
/**
 * The nearest whole number, or with `digits` the nearest number of that many decimals (negative: to
 * tens, hundreds, ...), following the term's type as PostgreSQL's `round` does:
 *
 * - a `numeric` term: exact decimal text, a half rounded away from zero (`round(2.5)` is `'3'`,
 *   `round(1.5, 2)` is `'1.50'`);
 * - a `bigint` term: the same, computed as `round(cast(t as numeric))` (PostgreSQL's own `round` of a
 *   `bigint` is a double precision one, which loses digits past 2^53);
 * - an `integer` or `double precision` term: a `number`, PostgreSQL's `round(double precision)`,
 *   which rounds a half to the even neighbour (`0.5` to `0`, `1.5` to `2`);
 * - with `digits`, PostgreSQL's `round(numeric, integer)` whatever the term: decimal text. A
 *   `double precision` term takes no digits (PostgreSQL has no such function; a compile error for a
 *   `double` column, else a refusal: cast it, `Fn.cast(t, 'numeric')`). `digits` is a whole number
 *   from -2000 to 2000 (where PostgreSQL versions agree).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const reading = Schema.table('reading', 'readings', { id: Column.serial, value: Column.double, price: Column.numeric })
 * const M = Schema.modelOrThrow({ reading }, {})
 * const q = pipe(
 *   Query.from(M, 'reading'),
 *   Query.select(r => ({ value: Fn.round(r.value), price: Fn.round(r.price), cents: Fn.round(r.price, 1) })),
 * ) // { value: number, price: string, cents: string }
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select round("t0"."value") as "value", round("t0"."price") as "price", round("t0"."price", $1) as "cents" from "readings" as "t0"',
 *     params: [1],
 *   }),
 * )
 * const tables = new Map([['readings', [
 *   { id: 1, value: 0.5, price: '2.45' },
 *   { id: 2, value: 1.5, price: '-2.5' },
 * ]]])
 * assert.deepStrictEqual(
 *   await Memory.all(q)(tables)(),
 *   E.right([{ value: 0, price: '2', cents: '2.5' }, { value: 2, price: '-3', cents: '-2.5' }]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const round: {
  <T extends Arithmetic>(t: T): Rounded<T>
  <T extends Arithmetic & Column.Sql<'integer' | 'bigint' | 'numeric'>>(
    t: T,
    digits: number,
  ): Pred.Term<string | Nulls<[T]>> & Column.Sql<'numeric'>
} = (t: unknown, digits?: unknown): never =>
  Invalid.total('Fn.round', () => {
    const es = operands('round', [t])
    if (!isList(es)) return es
    const e = es[0] as Expr.Expr
    const bad = expect('round', e, numbers, 'a term of numbers')
    if (bad !== undefined) return bad
    const i = infoOf(e)
    const decimal = i.js === 'string' || (i.js !== 'number' && (i.sql === 'numeric' || i.sql === 'bigint'))
    // PostgreSQL's `round` of a bigint is its double precision one: exact as a numeric.
    const arg =
      decimal && i.sql === 'bigint' ? Make.typed(Expr.cast(e, 'numeric'), decimalInfo('numeric')) : e
    if (digits === undefined)
      return Make.typed(
        Expr.call('round', [arg]),
        decimal ? decimalInfo('numeric') : numberInfo(i.sql === 'numeric' ? 'numeric' : 'double'),
      )
    if (typeof digits !== 'number' || !Number.isInteger(digits) || Math.abs(digits) > maxRoundDigits)
      return refuse('round', `expected digits, a whole number from -2000 to 2000, got ${show(digits)}`)
    if (i.sql === 'double')
      return refuse(
        'round',
        "PostgreSQL has no round(double precision, integer): cast the term to numeric first (Fn.cast(t, 'numeric'))",
      )
    return Make.typed(Expr.call('round', [arg, Expr.param(digits)]), decimalInfo('numeric'))
  }) as never

const maxRoundDigits = 2000

/**
 * The negation of a term (the prefix `-`), of the term's own type: a `number` of an `integer` or
 * `double precision` term, exact decimal text of a `numeric` or `bigint` one. As in PostgreSQL, the
 * least `integer` (-2147483648) or `bigint` has no negation: a database error, SQLSTATE 22003 (out
 * of range), on both interpreters; a `numeric` zero has no sign (`-(0.00)` is `'0.00'`), a `double
 * precision` one does (`-0`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const move = Schema.table('move', 'moves', { id: Column.serial, delta: Column.integer, amount: Column.numeric })
 * const M = Schema.modelOrThrow({ move }, {})
 * const q = pipe(Query.from(M, 'move'), Query.select(m => ({ back: Fn.neg(m.delta), refund: Fn.neg(m.amount) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select -("t0"."delta") as "back", -("t0"."amount") as "refund" from "moves" as "t0"', params: [] }),
 * )
 * const tables = new Map([['moves', [{ id: 1, delta: -4, amount: '19.99' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ back: 4, refund: '-19.99' }]))
 *
 * @category constructors
 * @since 0.2.0
 */
export const neg = <T extends Arithmetic>(t: T): Negated<T> =>
  Invalid.total('Fn.neg', () => {
    if (!isExpr(t)) return refuse('neg', `expected a term (a column or an expression), got ${show(t)}`)
    const bad = expect('neg', t, numbers, 'a term of numbers')
    if (bad !== undefined) return bad
    const i = infoOf(t)
    return Make.typed(
      Expr.negate(t, isInteger(i.sql)),
      i.sql === 'unknown' ? numberInfo('unknown') : { ...i, nullable: true },
    )
  }) as Negated<T>

/**
 * Text concatenation (`||`): NULL when any part is.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * assert.deepStrictEqual(
 *   Query.toSql(pipe(Query.from(M, 'user'), Query.select(u => ({ hi: Fn.concat('hi ', u.name) })))),
 *   E.right({ text: 'select $1 || "t0"."name" as "hi" from "users" as "t0"', params: ['hi '] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const concat = <
  F extends Pred.Term<string | null> | string,
  const R extends ReadonlyArray<Pred.Term<string | null> | string>,
>(
  first: F,
  ...rest: R
): Pred.Term<string | Nulls<[F, ...R]>> & Column.Sql<'text'> =>
  Invalid.total('Fn.concat', () => {
    if (!Array.isArray(rest)) return refuse('concat', `expected parts of text, got ${show(rest)}`)
    const parts: ReadonlyArray<unknown> = [first, ...rest]
    for (const p of parts) {
      const bad = valueIn(p) === undefined ? expect('concat', p, texts, 'parts of text') : undefined
      if (bad !== undefined) return bad
      const v = valueIn(p)
      if (v !== undefined && typeof v.value !== 'string')
        return refuse('concat', `expected parts of text, got ${show(v.value)}`)
    }
    // A text value beside a term is text for PostgreSQL (an untyped parameter beside `||`); with no
    // term, the first is cast.
    const typedPart = parts.some(p => valueIn(p) === undefined)
    const es = parts.map((p, k) => {
      const e = isExpr(p) ? p : Expr.param(p)
      return !typedPart && k === 0 ? Make.typed(Expr.cast(e, 'text'), textInfo) : e
    })
    if (es.length === 1) return Make.typed(Expr.cast(es[0] as Expr.Expr, 'text'), textInfo)
    let out = Expr.call('concat', [es[0] as Expr.Expr, es[1] as Expr.Expr])
    for (const e of es.slice(2)) out = Expr.call('concat', [out, e])
    return Make.typed(out, textInfo)
  })

/**
 * The first argument that is not NULL: not NULL itself when some argument never is (a value, or a
 * term of a NOT NULL type).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.nullable(Column.integer) })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.select(p => ({ author: Fn.coalesce(p.author_id, 0) })))
 * // typed { readonly author: number }
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select coalesce("t0"."author_id", $1) as "author" from "posts" as "t0"', params: [0] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const coalesce = <A, const R extends ReadonlyArray<Pred.Operand<NoInfer<A> | null>>>(
  first: Pred.Term<A>,
  ...rest: R
): Pred.Term<NonNullable<A> | AllNull<[Pred.Term<A>, ...R]>> =>
  Invalid.total('Fn.coalesce', () => {
    if (!Array.isArray(rest)) return refuse('coalesce', `expected arguments, got ${show(rest)}`)
    const es = operands('coalesce', [first, ...rest])
    if (!isList(es)) return es
    return Make.typed(Expr.call('coalesce', es), sharedInfo(es))
  })

/**
 * NULL when `a` equals `b`, else `a`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const q = pipe(Query.from(M, 'user'), Query.select(u => ({ name: Fn.nullif(u.name, '') })))   // string | null
 * const tables = new Map([['users', [{ id: 1, name: '' }, { id: 2, name: 'ada' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ name: null }, { name: 'ada' }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const nullif = <A>(a: Pred.Term<A>, b: Pred.Operand<NoInfer<A>>): Pred.Term<A | null> =>
  Invalid.total('Fn.nullif', () => {
    const es = operands('nullif', [a, b])
    if (!isList(es)) return es
    return Make.typed(Expr.call('nullif', es), sharedInfo(es))
  })

/**
 * A timestamp truncated to the start of its `unit` (`'month'`: the first of the month at midnight),
 * in the session's time zone as PostgreSQL computes it (the memory interpreter uses UTC: run the
 * database in UTC for equal results).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, inserted_at: Column.timestamptz })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.select(p => ({ month: Fn.dateTrunc('month', p.inserted_at) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: `select date_trunc('month', "t0"."inserted_at") as "month" from "posts" as "t0"`, params: [] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const dateTrunc = <T extends Pred.Term<Date | null>>(
  unit: Expr.TruncUnit,
  t: T,
): Pred.Term<Date | Nulls<[T]>> =>
  Invalid.total('Fn.dateTrunc', () => {
    if (typeof unit !== 'string' || !Object.hasOwn(truncUnits, unit))
      return refuse('dateTrunc', `expected a unit (${Object.keys(truncUnits).join(', ')}), got ${show(unit)}`)
    const es = operands('dateTrunc', [t])
    if (!isList(es)) return es
    const e = es[0] as Expr.Expr
    return (
      expect('dateTrunc', e, dates, 'a term of timestamps') ??
      Make.typed(Expr.dateTrunc(unit, e), dateInfo('timestamptz'))
    )
  })

const truncUnits: Readonly<Record<Expr.TruncUnit, true>> = {
  year: true,
  quarter: true,
  month: true,
  week: true,
  day: true,
  hour: true,
  minute: true,
  second: true,
}

const castInfos: Readonly<Record<Expr.CastType, Make.TermInfo>> = {
  integer: numberInfo('integer'),
  bigint: info('bigint', 'string', Column.fastDecoder(Column.Int8Codec), 'int8 as decimal text'),
  numeric: decimalInfo('numeric'),
  double: numberInfo('double'),
  text: textInfo,
  boolean: booleanInfo,
  date: dateInfo('date'),
  timestamptz: dateInfo('timestamptz'),
}

/**
 * `cast(t as type)`, for a closed set of types: `integer`, `bigint` (text, as its columns), `numeric`
 * (text), `double`, `text`, `boolean`, `date`, `timestamptz`. A cast PostgreSQL has not (a `bigint`
 * to `boolean`, a date to a number, a JSON or array term to anything but text) is refused before any
 * SQL, naming both types.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, qty: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ half: Fn.div(Fn.cast(i.qty, 'double'), 2) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select cast("t0"."qty" as double precision) / $1 as "half" from "items" as "t0"', params: [2] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const cast = <T extends Pred.Term<unknown>, K extends Expr.CastType>(
  t: T,
  type: K,
): Pred.Term<CastTypes[K] | Nulls<[T]>> & CastMarks[K] =>
  Invalid.total('Fn.cast', () => {
    if (typeof type !== 'string' || !Object.hasOwn(castInfos, type))
      return refuse('cast', `expected a type (${Object.keys(castInfos).join(', ')}), got ${show(type)}`)
    if (!isExpr(t) && valueIn(t) === undefined) return refuse('cast', `expected a term, got ${show(t)}`)
    if (!isExpr(t)) return Make.typed(Expr.cast(Expr.param(t), type), castInfos[type])
    const from = infoOf(t).sql
    if (noCasts[from].includes(type))
      return refuse(
        'cast',
        `PostgreSQL has no cast from ${sqlNames[from]} to ${sqlNames[type]} (42846)${castHint(from, type)}`,
      )
    // `integer` covers `smallint`, which PostgreSQL casts to integer but not to boolean: through
    // integer, both do.
    const e = from === 'integer' && type === 'boolean' ? Expr.cast(t, 'integer') : t
    return Make.typed(Expr.cast(e, type), castInfos[type])
  })

// The casts PostgreSQL refuses before running a statement (42846, "cannot cast type"), by the type of
// the term: test/query/cast.test.ts prepares every pair on PostgreSQL. A term of a type the layer does
// not know is left to PostgreSQL. `json` covers json, which casts only to text, and jsonb, whose casts
// to numbers and booleans succeed or fail by the kind of each JSON value (a number, a string), which
// the memory interpreter cannot tell from the decoded value: both are cast to text only.
const noCasts: Readonly<Record<Make.SqlType, ReadonlyArray<Expr.CastType>>> = {
  integer: ['date', 'timestamptz'],
  bigint: ['boolean', 'date', 'timestamptz'],
  numeric: ['boolean', 'date', 'timestamptz'],
  double: ['boolean', 'date', 'timestamptz'],
  text: [],
  boolean: ['bigint', 'numeric', 'double', 'date', 'timestamptz'],
  timestamptz: ['integer', 'bigint', 'numeric', 'double', 'boolean'],
  date: ['integer', 'bigint', 'numeric', 'double', 'boolean'],
  json: ['integer', 'bigint', 'numeric', 'double', 'boolean', 'date', 'timestamptz'],
  array: ['integer', 'bigint', 'numeric', 'double', 'boolean', 'date', 'timestamptz'],
  unknown: [],
}

// The names of the SQL types in messages (a cast type is one of them).
const sqlNames: Readonly<Record<Make.SqlType, string>> = {
  integer: 'integer',
  bigint: 'bigint',
  numeric: 'numeric',
  double: 'double precision',
  text: 'text',
  boolean: 'boolean',
  timestamptz: 'timestamp with time zone',
  date: 'date',
  json: 'json',
  array: 'an array',
  unknown: 'an unknown type',
}

// What to write instead.
const castHint = (from: Make.SqlType, to: Expr.CastType): string =>
  to === 'boolean' && (from === 'bigint' || from === 'numeric' || from === 'double')
    ? ': compare it with zero instead'
    : from === 'boolean' && to !== 'date' && to !== 'timestamptz'
      ? ': cast it to integer first'
      : from === 'json' || from === 'array'
        ? ': cast it to text first'
        : ''

/**
 * `case when c1 then v1 ... else otherwise end`: the value of the first branch whose condition holds,
 * else `otherwise` (NULL when omitted). Values and terms of one type.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Pred, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, qty: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(
 *   Query.from(M, 'item'),
 *   Query.select(i => ({ size: Fn.case_([[Pred.gt(i.qty, 10), 'big']], 'small') })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select case when "t0"."qty" > $1 then cast($2 as text) else cast($3 as text) end as "size" from "items" as "t0"',
 *     params: [10, 'big', 'small'],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export function case_<A>(whens: ReadonlyArray<readonly [Pred.Pred, Pred.Operand<A>]>): Pred.Term<A | null>
export function case_<A>(
  whens: ReadonlyArray<readonly [Pred.Pred, Pred.Operand<A>]>,
  otherwise: Pred.Operand<NoInfer<A>>,
): Pred.Term<A>
export function case_(
  whens: ReadonlyArray<readonly [unknown, unknown]>,
  ...rest: ReadonlyArray<unknown>
): Expr.Expr {
  return Invalid.total('Fn.case_', () => {
    if (!Array.isArray(whens) || whens.length === 0)
      return refuse('case_', `expected a list of [condition, value] branches, got ${show(whens)}`)
    const pairs = whens as ReadonlyArray<unknown>
    if (!pairs.every(w => Array.isArray(w) && w.length === 2))
      return refuse('case_', `expected [condition, value] branches, got ${show(whens)}`)
    const values = [...pairs.map(w => (w as readonly [unknown, unknown])[1]), ...rest.slice(0, 1)]
    const es = operands('case_', values)
    if (!isList(es)) return es
    const vs = es
    const node = Expr.case_(
      pairs.map((w, i) => ({ when: (w as readonly [Expr.Expr, unknown])[0], then: vs[i] as Expr.Expr })),
      rest.length > 0 ? { _tag: 'Some', value: vs[vs.length - 1] as Expr.Expr } : { _tag: 'None' },
    )
    return Make.typed(node, sharedInfo(vs))
  })
}

/**
 * The one output of a query's row as a term (a scalar subquery): NULL when the query returns no row; more
 * than one row is PostgreSQL's error 21000 (a `DbError` when it runs, in memory alike). It stands in a
 * projection, a condition or an order, may refer to the rows around it (a correlated subquery, built
 * inside the callback), and is decoded as the query's output. Its errors are the errors of the query
 * that holds it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, {})
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.select(p => ({
 *     id: p.id,
 *     author: Fn.scalar(
 *       pipe(Query.from(M, 'user'), Query.where(u => Pred.eq(u.id, p.author_id)), Query.select(u => ({ name: u.name }))),
 *     ),
 *   })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."id", (select "s1_0"."name" from "users" as "s1_0" where "s1_0"."id" = "t0"."author_id") ' +
 *       'as "author" from "posts" as "t0"',
 *     params: [],
 *   }),
 * )
 * const tables = new Map([
 *   ['users', [{ id: 1, name: 'ann' }]],
 *   ['posts', [{ id: 1, author_id: 1 }, { id: 2, author_id: 9 }]],
 * ])
 * // typed ReadonlyArray<{ readonly id: number; readonly author: string | null }>
 * assert.deepStrictEqual(
 *   await Memory.all(q)(tables)(),
 *   E.right([{ id: 1, author: 'ann' }, { id: 2, author: null }]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const scalar = <R>(
  query: Make.Query<Model.AnyModel, string, unknown, Make.Joins, R> & Subquery.OneOutput<R>,
): Pred.Term<Subquery.OutputOf<R> | null> =>
  Invalid.total('Fn.scalar', () => {
    const s = Subquery.embed('Fn.scalar', query, 1)
    if (typeof s === 'string') return Invalid.pred(s)
    const info = Subquery.outputInfo(s.select)
    return Subquery.carry(Make.typed(Expr.scalar(s.select), { ...info, nullable: true }), s.errors)
  })

/**
 * A typed SQL fragment: a tagged template whose columns interpolate as columns and anything else as a
 * parameter, typed and decoded as `type` says (a `Column` such as `Column.integer`, or an io-ts codec),
 * NULL included. The text is yours: Quiver only checks that it came from a tagged template.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.select(p => ({ words: Fn.fragment(Column.integer)`array_length(regexp_split_to_array(${p.title}, ${' '}), 1)` })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select (array_length(regexp_split_to_array("t0"."title", $1), 1)) as "words" from "posts" as "t0"',
 *     params: [' '],
 *   }),
 * )
 * // typed ReadonlyArray<{ readonly words: number | null }>
 *
 * @category constructors
 * @since 0.2.0
 */
export const fragment =
  <A>(type: Column.Column<A> | Column.Codec<A>) =>
  (strings: TemplateStringsArray, ...args: ReadonlyArray<unknown>): Pred.Term<A | null> =>
    Invalid.total('Fn.fragment', () => {
      const col: unknown = Column.isColumn(type)
        ? type
        : Column.isCodecLike(type)
          ? Column.fromInput(type as Column.ColumnInput)
          : undefined
      if (col === undefined || !Column.isColumn(col))
        return Invalid.pred(`Fn.fragment: expected a Column or an io-ts codec as the type, got ${show(type)}`)
      if (!Node.isTemplate(strings, args.length))
        return Invalid.pred(
          `Fn.fragment: expected a tagged template (Fn.fragment(type)\`...\`), got ${show(strings)}`,
        )
      return Make.typed(Expr.fragment([...strings], args.map(Expr.operand)), {
        ...Make.columnInfo(col),
        nullable: true,
      })
    })

// -------------------------------------------------------------------------------------
// constructors: aggregates
// -------------------------------------------------------------------------------------

// Options from untyped code: anything but an object is no option; a filter that is not a condition
// is refused by the AST (`Expr.agg`), an order that cannot be read by `orderTerms`.
const aggOptions = (
  fn: string,
  o: unknown,
  ordered: boolean,
): { readonly filter?: Expr.Expr; readonly orderBy?: ReadonlyArray<Expr.OrderTerm> } | Expr.Expr => {
  if (o === undefined) return {}
  if (typeof o !== 'object' || o === null)
    return refuse(fn, `expected options such as { filter: predicate }, got ${show(o)}`)
  const { filter, orderBy } = o as { readonly filter?: unknown; readonly orderBy?: unknown }
  if (orderBy !== undefined && !ordered)
    return refuse(fn, 'takes no orderBy (only arrayAgg and stringAgg do)')
  const terms = orderBy === undefined ? [] : orderTerms(fn, orderBy)
  if (isExpr(terms)) return terms
  return {
    ...(filter === undefined ? {} : { filter: filter as Expr.Expr }),
    ...(terms.length > 0 ? { orderBy: terms } : {}),
  }
}

// Order items as order terms (a term ascending, or `[direction, term]`), or a refused term.
const orderTerms = (fn: string, items: unknown): ReadonlyArray<Expr.OrderTerm> | Expr.Expr => {
  if (!Array.isArray(items)) return refuse(fn, `expected a list of order items, got ${show(items)}`)
  const out: Array<Expr.OrderTerm> = []
  for (const item of items as ReadonlyArray<unknown>) {
    const [dir, t]: readonly [unknown, unknown] = Array.isArray(item) ? [item[0], item[1]] : ['asc', item]
    const d = A.direction(dir)
    if (d === undefined || !isExpr(t))
      return refuse(
        fn,
        `expected a term or [direction, term] (directions: ${A.directionNames.join(', ')}), got ${show(item)}`,
      )
    out.push({ expr: t, ...d })
  }
  return out
}

const aggregate = (
  fn: Expr.AggFn,
  name: string,
  args: ReadonlyArray<unknown>,
  options: unknown,
  result: (args: ReadonlyArray<Make.TermInfo>) => Make.TermInfo,
  extra: { readonly distinct?: boolean; readonly ordered?: boolean } = {},
): Expr.Expr =>
  Invalid.total(`Fn.${name}`, () => {
    const o = aggOptions(name, options, extra.ordered === true)
    if (isExpr(o)) return o
    const es = args.length === 0 ? [] : operands(name, args)
    if (!isList(es)) return es
    const exprs: ReadonlyArray<Expr.Expr> = es
    return Make.typed(
      Expr.agg(fn, exprs, { ...o, ...(extra.distinct === true ? { distinct: true } : {}) }),
      result(exprs.map(infoOf)),
    )
  })

/**
 * The number of rows (`count(*)`), or of rows where `t` is not NULL (`count(t)`); 0 over no rows. A
 * `number`: PostgreSQL's int8, exact below `Number.MAX_SAFE_INTEGER` and a `DecodeError` beyond.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, public: Column.boolean })
 * const M = Schema.modelOrThrow({ comment }, {})
 * const q = pipe(
 *   Query.from(M, 'comment'),
 *   Query.select(c => ({ all: Fn.count(), open: Fn.count({ filter: Pred.eq(c.public, true) }) })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select count(*) as "all", count(*) filter (where "t0"."public" = $1) as "open" from "comments" as "t0"',
 *     params: [true],
 *   }),
 * )
 * const tables = new Map([['comments', [{ id: 1, public: true }, { id: 2, public: false }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ all: 2, open: 1 }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export function count(options?: AggOptions): Pred.Term<number>
export function count(t: Pred.Term<unknown>, options?: AggOptions): Pred.Term<number>
export function count(...args: ReadonlyArray<unknown>): Expr.Expr {
  return isExpr(args[0])
    ? aggregate('count', 'count', [args[0]], args[1], () => countInfo)
    : aggregate('count', 'count', [], args[0], () => countInfo)
}

/**
 * The number of distinct non-NULL values of `t` (`count(distinct t)`): how many authors wrote, rather
 * than how many posts they wrote.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.select(p => ({ posts: Fn.count(), authors: Fn.countDistinct(p.author_id) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select count(*) as "posts", count(distinct "t0"."author_id") as "authors" from "posts" as "t0"',
 *     params: [],
 *   }),
 * )
 * const tables = new Map([['posts', [{ id: 1, author_id: 7 }, { id: 2, author_id: 7 }, { id: 3, author_id: 8 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ posts: 3, authors: 2 }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const countDistinct = (t: Pred.Term<unknown>, options?: AggOptions): Pred.Term<number> =>
  aggregate('count', 'countDistinct', [t], options, () => countInfo, { distinct: true })

// PostgreSQL's result types: sum of integers is int8, of int8 numeric; avg of integers and numeric is
// numeric; of doubles double. The JavaScript type stays the argument's (see the module doc).
const summed =
  (avg: boolean) =>
  ([i]: ReadonlyArray<Make.TermInfo>): Make.TermInfo => {
    const a = i ?? unknownInfo
    const sql: Make.SqlType =
      a.sql === 'double'
        ? 'double'
        : a.sql === 'integer' && !avg
          ? 'bigint'
          : a.sql === 'unknown'
            ? 'unknown'
            : 'numeric'
    return a.js === 'string' ? decimalInfo(sql) : numberInfo(sql)
  }

const numericAggregate =
  (fn: 'sum' | 'avg') =>
  <A extends number | string | null>(t: Pred.Term<A>, options?: AggOptions): Pred.Term<Summed<A>> =>
    Invalid.total(`Fn.${fn}`, () => {
      const bad = expect(fn, t, numbers, 'a term of numbers')
      return bad ?? aggregate(fn, fn, [t], options, summed(fn === 'avg'))
    })

/**
 * The sum of the non-NULL values of `t`, NULL over none. Numbers stay numbers (a sum of integers is
 * int8, decoded only when exact, as `count`), `bigint` and `numeric` columns stay decimal text.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, qty: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ total: Fn.sum(i.qty) })))
 * const tables = new Map([['items', [{ id: 1, qty: 2 }, { id: 2, qty: 5 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ total: 7 }]))
 * assert.deepStrictEqual(await Memory.all(q)(new Map([['items', []]]))(), E.right([{ total: null }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const sum = numericAggregate('sum')
/**
 * The mean of the non-NULL values of `t`, NULL over none. Of numbers, the nearest double to
 * PostgreSQL's numeric mean (`avg` of 1, 2 and 2 is `1.6666666666666667`); of `bigint` and `numeric`
 * columns, its decimal text (`'1.6666666666666667'`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, qty: Column.integer, price: Column.numeric })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ qty: Fn.avg(i.qty), price: Fn.avg(i.price) })))
 * const tables = new Map([['items', [{ id: 1, qty: 1, price: '1' }, { id: 2, qty: 2, price: '2' }, { id: 3, qty: 2, price: '2' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ qty: 1.6666666666666667, price: '1.6666666666666667' }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const avg = numericAggregate('avg')

const extremum =
  (fn: 'min' | 'max') =>
  <T extends Pred.Term<unknown>>(
    t: T,
    options?: AggOptions,
  ): Pred.Term<NonNullable<Value<T>> | null> & Column.SqlOf<T> =>
    aggregate(fn, fn, [t], options, ([i]) => ({
      ...(i ?? unknownInfo),
      nullable: true,
    })) as Pred.Term<NonNullable<Value<T>> | null> & Column.SqlOf<T>

/**
 * The least non-NULL value of `t`, NULL over none; of the term's own type (a column's codec decodes it).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, inserted_at: Column.timestamptz })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.select(p => ({ first: Fn.min(p.inserted_at), last: Fn.max(p.inserted_at) })))
 * const d = (day: number) => new Date(Date.UTC(2026, 0, day))
 * const tables = new Map([['posts', [{ id: 1, inserted_at: d(2) }, { id: 2, inserted_at: d(1) }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ first: d(1), last: d(2) }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const min = extremum('min')
/**
 * The greatest non-NULL value of `t`, NULL over none (so the result is nullable even of a NOT NULL
 * column: an empty table has no greatest value).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const item = Schema.table('item', 'items', { id: Column.serial, price: Column.integer })
 * const M = Schema.modelOrThrow({ item }, {})
 * const q = pipe(Query.from(M, 'item'), Query.select(i => ({ top: Fn.max(i.price) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select max("t0"."price") as "top" from "items" as "t0"', params: [] }),
 * )
 * assert.deepStrictEqual(
 *   await Memory.all(q)(new Map([['items', [{ id: 1, price: 3 }, { id: 2, price: 9 }]]]))(),
 *   E.right([{ top: 9 }]),
 * )
 * assert.deepStrictEqual(await Memory.all(q)(new Map([['items', []]]))(), E.right([{ top: null }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const max = extremum('max')

const logical =
  (fn: 'boolAnd' | 'boolOr') =>
  (t: Pred.Term<boolean | null>, options?: AggOptions): Pred.Term<boolean | null> =>
    Invalid.total(
      `Fn.${fn}`,
      () => expect(fn, t, booleans, 'a condition') ?? aggregate(fn, fn, [t], options, () => booleanInfo),
    )

/**
 * Whether `t` holds for every row (NULLs skipped), NULL over none.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const task = Schema.table('task', 'tasks', { id: Column.serial, done: Column.boolean })
 * const M = Schema.modelOrThrow({ task }, {})
 * const q = pipe(Query.from(M, 'task'), Query.select(t => ({ all: Fn.boolAnd(t.done), some: Fn.boolOr(t.done) })))
 * const tables = new Map([['tasks', [{ id: 1, done: true }, { id: 2, done: false }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ all: false, some: true }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const boolAnd = logical('boolAnd')
/**
 * Whether `t` holds for some row (NULLs skipped), NULL over none: `bool_or`, the aggregate form of
 * `Pred.or`, for "has any open task" per group.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const task = Schema.table('task', 'tasks', { id: Column.serial, done: Column.nullable(Column.boolean) })
 * const M = Schema.modelOrThrow({ task }, {})
 * const q = pipe(Query.from(M, 'task'), Query.select(t => ({ any: Fn.boolOr(t.done) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select bool_or("t0"."done") as "any" from "tasks" as "t0"', params: [] }),
 * )
 * const tables = new Map([['tasks', [{ id: 1, done: false }, { id: 2, done: null }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ any: false }]))
 * assert.deepStrictEqual(await Memory.all(q)(new Map([['tasks', []]]))(), E.right([{ any: null }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const boolOr = logical('boolOr')

/**
 * The non-NULL values of `t` as an array, in `orderBy` order; NULL when there are none. NULLs are left
 * out (a `filter (where t is not null)` of its own): postgres.js cannot read a NULL element of an
 * array (it reads one as `NaN`, `'NULL'`, `false` or an invalid Date, by the element's type).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const q = pipe(Query.from(M, 'tag'), Query.select(t => ({ names: Fn.arrayAgg(t.name, { orderBy: [['desc', t.name]] }) })))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select array_agg("t0"."name" order by "t0"."name" desc) filter (where not ("t0"."name" is null)) as "names" from "tags" as "t0"',
 *     params: [],
 *   }),
 * )
 *
 * @category aggregates
 * @since 0.1.0
 */
export const arrayAgg = <A>(
  t: Pred.Term<A>,
  options?: OrderedAggOptions,
): Pred.Term<ReadonlyArray<NonNullable<A>> | null> =>
  Invalid.total('Fn.arrayAgg', () => {
    if (!isExpr(t)) return refuse('arrayAgg', `expected a term, got ${show(t)}`)
    if (infoOf(t).sql === 'array') return refuse('arrayAgg', 'an array of arrays is not supported')
    const o = aggOptions('arrayAgg', options, true)
    if (isExpr(o)) return o
    const present = Expr.not(Expr.isNull(t))
    const i = infoOf(t)
    return Make.typed(
      Expr.agg('arrayAgg', [t], {
        ...o,
        filter: o.filter === undefined ? present : Expr.and([o.filter, present]),
      }),
      info('array', 'other', arrayOf(i.decode), `an array of ${i.expected}`),
    )
  })

/**
 * The non-NULL values of `t` joined with `separator`, in `orderBy` order; NULL over none.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const q = pipe(Query.from(M, 'tag'), Query.select(t => ({ names: Fn.stringAgg(t.name, ', ', { orderBy: [t.name] }) })))
 * const tables = new Map([['tags', [{ id: 1, name: 'sql' }, { id: 2, name: 'elixir' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ names: 'elixir, sql' }]))
 *
 * @category aggregates
 * @since 0.1.0
 */
export const stringAgg = (
  t: Pred.Term<string | null>,
  separator: Pred.Operand<string>,
  options?: OrderedAggOptions,
): Pred.Term<string | null> =>
  Invalid.total('Fn.stringAgg', () => {
    const bad = expect('stringAgg', t, texts, 'a term of text')
    if (bad !== undefined) return bad
    const sep = valueIn(separator)
    if (sep !== undefined && typeof sep.value !== 'string')
      return refuse('stringAgg', `expected a separator of text, got ${show(sep.value)}`)
    const o = aggOptions('stringAgg', options, true)
    if (isExpr(o)) return o
    return Make.typed(
      Expr.agg('stringAgg', [t, isExpr(separator) ? separator : Expr.param(separator)], o),
      textInfo,
    )
  })
