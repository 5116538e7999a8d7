/**
 * PostgreSQL's numbers over their postgres.js representations, for the memory interpreter: `integer`
 * (and `smallint`) and `double precision` arrive as JavaScript numbers, `bigint` and `numeric` as
 * their decimal text. Arithmetic, `abs`, `round`, `sum`, `avg` and the casts to number types answer in
 * the representation postgres.js gives for the result type PostgreSQL would pick, computed with
 * PostgreSQL's rules:
 *
 * - `integer` arithmetic (both operands numbers, `Arith.integer`) is exact, truncates `/` and `%`
 *   toward zero and fails outside int4 with 22003; `bigint` arithmetic (an operand is integer text or a
 *   JavaScript bigint) is exact over `BigInt`, fails outside int8, and answers text.
 * - `numeric` arithmetic is exact decimal arithmetic over `BigInt` digits with PostgreSQL's display
 *   scales: `+ -` the larger scale, `*` the sum, `%` the larger, `/` PostgreSQL's `select_div_scale`
 *   (at least 16 significant digits), rounded half away from zero; `NaN` and `±Infinity` as PostgreSQL
 *   defines them. `avg` of integers and numerics is `numeric` division of the sum by the count.
 * - `double precision` arithmetic is JavaScript's (both are IEEE doubles) with PostgreSQL's checks:
 *   an overflow to infinity or an underflow to zero from finite operands is 22003, `%` does not exist
 *   (42883).
 * - Division by zero is 22012 for every type (`NaN / 0` is `NaN`, as in PostgreSQL).
 *
 * The memory interpreter has no column types, so the type is read from the values and the AST: a
 * number with `Arith.integer` is an `integer`; text is `bigint` when `integer` says so and `numeric`
 * otherwise; a number without `integer` is a `double precision`, except beside numeric text, where an
 * integral number is taken as an `integer` (`int4 * numeric` is numeric) and a parameter takes the
 * other operand's type (PostgreSQL types an untyped parameter by the other side). A whole-valued
 * `double precision` beside numeric text therefore answers numeric text here where PostgreSQL answers
 * a number: the value is equal, its representation is not. A `smallint` is computed as an `integer`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as DbError from '../../error/DbError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A finite `numeric`: `digits / 10^scale`, `scale` being the display scale (the digits after the point
 * PostgreSQL prints, trailing zeros included), or one of `NaN`, `Infinity`, `-Infinity`.
 *
 * @category model
 * @since 0.1.0
 */
export type Decimal =
  | { readonly _tag: 'Finite'; readonly digits: bigint; readonly scale: number }
  | { readonly _tag: 'Special'; readonly value: number }

/**
 * The arithmetic operators (`Expr.ArithOp`).
 *
 * @category model
 * @since 0.1.0
 */
export type Op = 'add' | 'sub' | 'mul' | 'div' | 'mod'

/**
 * A number or numeric text as postgres.js returns it, or the error PostgreSQL raises.
 *
 * @category model
 * @since 0.1.0
 */
export type Result = E.Either<DbError.DbError, number | string>

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

const INT4_MIN = -2147483648
const INT4_MAX = 2147483647
const INT8_MIN = -(2n ** 63n)
const INT8_MAX = 2n ** 63n - 1n
// PostgreSQL's numeric limits: the display scale of a division and the digits around the point.
const MIN_SIG_DIGITS = 16
const MAX_DISPLAY_SCALE = 1000
const MAX_WEIGHT_DIGITS = 131072

const outOfRange = (type: string): DbError.DbError =>
  DbError.make('DataException', `${type} out of range`, '22003')
const divisionByZero = (): DbError.DbError => DbError.make('DataException', 'division by zero', '22012')
const overflow = (): DbError.DbError => DbError.make('DataException', 'value out of range: overflow', '22003')
const underflow = (): DbError.DbError =>
  DbError.make('DataException', 'value out of range: underflow', '22003')

const isError = (r: Decimal | DbError.DbError): r is DbError.DbError => r._tag === 'DbError'

// An answer computed here is a number or text (never an object), or the error: told apart by type.
const done = (r: number | string | DbError.DbError): Result =>
  typeof r === 'object' ? E.left(r) : E.right(r)

const symbols: Readonly<Record<Op, string>> = { add: '+', sub: '-', mul: '*', div: '/', mod: '%' }

const pow10 = (n: number): bigint => 10n ** BigInt(n)
const absBig = (n: bigint): bigint => (n < 0n ? -n : n)

const finite = (digits: bigint, scale: number): Decimal => ({ _tag: 'Finite', digits, scale })
const special = (value: number): Decimal => ({ _tag: 'Special', value })

// Rounds `n / d` (d > 0 or d < 0) half away from zero, as PostgreSQL rounds numerics.
const divRound = (n: bigint, d: bigint): bigint => {
  const q = n / d
  const r = n % d
  if (r === 0n) return q
  return 2n * absBig(r) >= absBig(d) ? (n < 0n !== d < 0n ? q - 1n : q + 1n) : q
}

const rescale = (x: Extract<Decimal, { _tag: 'Finite' }>, scale: number): bigint =>
  x.digits * pow10(scale - x.scale)

// The weight (position of the first non-zero base-10000 digit, 0 for the units group) and that digit
// of a numeric, as PostgreSQL stores it: `select_div_scale` reads them.
const weightAndFirst = (x: Extract<Decimal, { _tag: 'Finite' }>): readonly [number, number] => {
  if (x.digits === 0n) return [0, 0]
  const a = absBig(x.digits)
  const e10 = a.toString().length - x.scale - 1
  const weight = Math.floor(e10 / 4)
  const shift = x.scale + 4 * weight
  const first = shift >= 0 ? a / pow10(shift) : a * pow10(-shift)
  return [weight, Number(first)]
}

// PostgreSQL's `select_div_scale`: at least 16 significant digits, never fewer than either operand's
// display scale.
const divScale = (
  x: Extract<Decimal, { _tag: 'Finite' }>,
  y: Extract<Decimal, { _tag: 'Finite' }>,
): number => {
  const [w1, f1] = weightAndFirst(x)
  const [w2, f2] = weightAndFirst(y)
  const qweight = w1 - w2 - (f1 <= f2 ? 1 : 0)
  const rscale = Math.max(MIN_SIG_DIGITS - qweight * 4, x.scale, y.scale, 0)
  return Math.min(rscale, MAX_DISPLAY_SCALE)
}

const sign = (x: Decimal): number =>
  x._tag === 'Special' ? Math.sign(x.value) : x.digits > 0n ? 1 : x.digits < 0n ? -1 : 0

const toFloat = (x: Decimal): number => (x._tag === 'Special' ? x.value : Number(format(x)))

// A special result computed as a double, back as a numeric (only NaN and the infinities reach here).
const fromFloat = (n: number): Decimal =>
  Number.isFinite(n) ? finite(BigInt(Math.trunc(n)), 0) : special(Number.isNaN(n) ? NaN : n)

const numericOp = (op: Op, x: Decimal, y: Decimal): Decimal | DbError.DbError => {
  if (x._tag === 'Special' || y._tag === 'Special') {
    if (Number.isNaN(toFloat(x)) || Number.isNaN(toFloat(y))) return special(NaN)
    if (op === 'div') {
      if (x._tag === 'Special') {
        if (y._tag === 'Special') return special(NaN)
        const s = sign(y)
        return s === 0 ? divisionByZero() : special(x.value * s)
      }
      return finite(0n, 0)
    }
    if (op === 'mod') {
      if (x._tag === 'Special') return sign(y) === 0 ? divisionByZero() : special(NaN)
      return x
    }
    // A finite operand counts by its sign only: as a double it may overflow to an infinity of its own
    // (`'-Infinity' + 2e323` is -Infinity, not NaN).
    const a = x._tag === 'Special' ? x.value : sign(x)
    const b = y._tag === 'Special' ? y.value : sign(y)
    if (op === 'mul') return fromFloat(a * b)
    return fromFloat(
      x._tag === 'Special' && y._tag === 'Special'
        ? op === 'add'
          ? a + b
          : a - b
        : x._tag === 'Special'
          ? a
          : op === 'add'
            ? b
            : -b,
    )
  }
  const scale = Math.max(x.scale, y.scale)
  switch (op) {
    case 'add':
      return finite(rescale(x, scale) + rescale(y, scale), scale)
    case 'sub':
      return finite(rescale(x, scale) - rescale(y, scale), scale)
    case 'mul':
      return finite(x.digits * y.digits, x.scale + y.scale)
    case 'div': {
      if (y.digits === 0n) return divisionByZero()
      const r = divScale(x, y)
      // x / y = (xd / 10^xs) / (yd / 10^ys); scaled by 10^r.
      return finite(divRound(x.digits * pow10(r + y.scale), y.digits * pow10(x.scale)), r)
    }
    case 'mod':
      if (y.digits === 0n) return divisionByZero()
      return finite(rescale(x, scale) % rescale(y, scale), scale)
  }
}

const int4Op = (op: Op, a: number, b: number): number | DbError.DbError => {
  if ((op === 'div' || op === 'mod') && b === 0) return divisionByZero()
  const r =
    op === 'add'
      ? a + b
      : op === 'sub'
        ? a - b
        : op === 'mul'
          ? a * b
          : op === 'div'
            ? Math.trunc(a / b)
            : a % b
  // `INT4_MIN % -1` is 0 in PostgreSQL (it special-cases it); JavaScript gives -0.
  const z = r === 0 ? 0 : r
  return z < INT4_MIN || z > INT4_MAX ? outOfRange('integer') : z
}

const int8Op = (op: Op, a: bigint, b: bigint): string | DbError.DbError => {
  if ((op === 'div' || op === 'mod') && b === 0n) return divisionByZero()
  const r = op === 'add' ? a + b : op === 'sub' ? a - b : op === 'mul' ? a * b : op === 'div' ? a / b : a % b
  return r < INT8_MIN || r > INT8_MAX ? outOfRange('bigint') : r.toString()
}

const floatOp = (op: Op, a: number, b: number): number | DbError.DbError => {
  if (op === 'mod')
    return DbError.make(
      'UndefinedFunction',
      'operator does not exist: double precision % double precision',
      '42883',
    )
  if (op === 'div') {
    if (b === 0 && !Number.isNaN(a)) return divisionByZero()
    const r = a / b
    if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(a)) return overflow()
    if (r === 0 && a !== 0 && Number.isFinite(b)) return underflow()
    return r
  }
  const r = op === 'add' ? a + b : op === 'sub' ? a - b : a * b
  if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(a) && Number.isFinite(b)) return overflow()
  if (op === 'mul' && r === 0 && a !== 0 && b !== 0) return underflow()
  return r
}

// What PostgreSQL prints for a numeric that no integer type prints.
const numericOutput = /^(-?\d+\.\d+|NaN|-?Infinity)$/
const integerText = /^\s*[+-]?\d+\s*$/
const numericText = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/
const specials: Readonly<Record<string, number>> = {
  nan: NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
}

// What an operand of arithmetic is: PostgreSQL's number types as postgres.js represents them.
type Operand =
  | { readonly _tag: 'Int'; readonly value: number }
  | { readonly _tag: 'Big'; readonly value: bigint }
  | { readonly _tag: 'Float'; readonly value: number }
  | { readonly _tag: 'Dec'; readonly value: Decimal }

const isIntegral = (v: unknown): boolean =>
  typeof v === 'bigint' ||
  (typeof v === 'number' && Number.isInteger(v)) ||
  (typeof v === 'string' && integerText.test(v))

const typeName = (v: unknown): string =>
  typeof v === 'number'
    ? Number.isInteger(v)
      ? 'integer'
      : 'double precision'
    : typeof v === 'string'
      ? 'text'
      : typeof v === 'boolean'
        ? 'boolean'
        : v instanceof Date
          ? 'timestamp with time zone'
          : typeof v === 'bigint'
            ? 'bigint'
            : 'jsonb'

const noOperator = (op: Op, a: unknown, b: unknown): DbError.DbError =>
  DbError.make(
    'UndefinedFunction',
    `operator does not exist: ${typeName(a)} ${symbols[op]} ${typeName(b)}`,
    '42883',
  )

// Round half to even, as `rint` (PostgreSQL's `round(double precision)` and float-to-integer casts).
const rint = (n: number): number => {
  if (!Number.isFinite(n) || Number.isInteger(n)) return n
  const r = Math.round(n)
  return Math.abs(n % 1) === 0.5 ? 2 * Math.round(n / 2) : r
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A numeric from text as PostgreSQL's `numeric` input reads it (blanks around, a sign, digits with a
 * point, an exponent; `NaN`, `Infinity`, `inf` in any case), or `null` for text it refuses.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parse = (s: string): Decimal | null => {
  const m = numericText.exec(s)
  if (m === null) {
    const k = s.trim().toLowerCase()
    return Object.hasOwn(specials, k) ? special(specials[k] as number) : null
  }
  const [, sg = '', whole = '', frac = '', exp = '0'] = m
  if (whole === '' && frac === '') return null
  const e = Number(exp)
  if (!Number.isSafeInteger(e) || Math.abs(e) > MAX_WEIGHT_DIGITS) return null
  const mantissa = BigInt(`${whole}${frac}` || '0') * (sg === '-' ? -1n : 1n)
  const scale = frac.length - e
  return scale >= 0 ? finite(mantissa, scale) : finite(mantissa * pow10(-scale), 0)
}

/**
 * A JavaScript number as a numeric: an integer exactly, any other double as PostgreSQL converts a
 * `double precision` (15 significant digits).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromNumber = (n: number): Decimal => {
  if (!Number.isFinite(n)) return special(n)
  if (Number.isSafeInteger(n)) return finite(BigInt(n), 0)
  // `%.15g`: fifteen significant digits, trailing zeros dropped.
  const [mantissa = '', exp] = n.toPrecision(15).split('e')
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa
  return parse(exp === undefined ? trimmed : `${trimmed}e${exp}`) ?? special(NaN)
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * A numeric as PostgreSQL prints it (and postgres.js returns it): exactly `scale` digits after the
 * point, no negative zero.
 *
 * @category destructors
 * @since 0.1.0
 */
export const format = (x: Decimal): string => {
  if (x._tag === 'Special') return Number.isNaN(x.value) ? 'NaN' : x.value > 0 ? 'Infinity' : '-Infinity'
  const a = absBig(x.digits).toString()
  const body =
    x.scale === 0
      ? a
      : `${a.padStart(x.scale + 1, '0').slice(0, -x.scale)}.${a.padStart(x.scale + 1, '0').slice(-x.scale)}`
  return x.digits < 0n ? `-${body}` : body
}

/**
 * A double as PostgreSQL prints a `double precision` (the shortest text that reads back as the same
 * double; exponent notation below 1e-4 and from 1e15, with at least two exponent digits).
 *
 * @category destructors
 * @since 0.1.0
 */
export const formatFloat = (n: number): string => {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  if (Object.is(n, -0)) return '-0'
  const [mantissa = '', e = '0'] = n.toExponential().split('e')
  const exp = Number(e)
  if (exp < -4 || exp >= 15)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  return String(n)
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value is a number of some PostgreSQL number type as postgres.js represents it: a number,
 * a bigint, or text `numeric` input accepts.
 *
 * @category utils
 * @since 0.1.0
 */
export const isNumber = (v: unknown): boolean =>
  typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && parse(v) !== null)

/**
 * `left op right` for two non-null values (see the module doc for how their types are read).
 * `params` says which operands are parameters, whose type PostgreSQL takes from the other operand.
 *
 * @category utils
 * @since 0.1.0
 */
export const arith = (
  op: Op,
  integer: boolean,
  a: unknown,
  b: unknown,
  params: readonly [boolean, boolean] = [false, false],
): Result => {
  if (!isNumber(a) || !isNumber(b)) return E.left(noOperator(op, a, b))
  if (integer && isIntegral(a) && isIntegral(b)) {
    if (isInt4(a) && isInt4(b)) return done(int4Op(op, a, b))
    return done(int8Op(op, toBig(a), toBig(b)))
  }
  const x = operand(a, params[0] && !params[1] ? b : undefined)
  const y = operand(b, params[1] && !params[0] ? a : undefined)
  if (x._tag === 'Float' || y._tag === 'Float' || (x._tag === 'Int' && y._tag === 'Int'))
    return done(floatOp(op, toNumber(x), toNumber(y)))
  const r = numericOp(op, toDecimal(x), toDecimal(y))
  return isError(r) ? E.left(r) : E.right(format(r))
}

const isInt4 = (v: unknown): v is number => typeof v === 'number' && v >= INT4_MIN && v <= INT4_MAX

// An integral value (a number, a bigint, integer text) as a bigint.
const toBig = (v: unknown): bigint =>
  typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v.trim() : (v as number))

// An operand's type from its value; a parameter's from the other operand's (`other`).
const operand = (v: unknown, other: unknown): Operand => {
  if (typeof v === 'number') {
    // A parameter beside numeric text is a numeric: postgres.js sends the number's text, exactly.
    if (other !== undefined)
      return typeof other === 'string'
        ? { _tag: 'Dec', value: parse(String(v)) ?? special(NaN) }
        : { _tag: 'Float', value: v }
    return Number.isInteger(v) ? { _tag: 'Int', value: v } : { _tag: 'Float', value: v }
  }
  if (typeof v === 'bigint') return { _tag: 'Big', value: v }
  const d = parse(v as string) as Decimal
  return typeof other === 'number' && !Number.isInteger(other)
    ? { _tag: 'Float', value: toFloat(d) }
    : { _tag: 'Dec', value: d }
}

const toNumber = (x: Operand): number => (x._tag === 'Dec' ? toFloat(x.value) : Number(x.value))

const toDecimal = (x: Operand): Decimal =>
  x._tag === 'Dec' ? x.value : x._tag === 'Big' ? finite(x.value, 0) : fromNumber(x.value)

const unknownFunction = (fn: string, v: unknown): DbError.DbError =>
  DbError.make('UndefinedFunction', `function ${fn}(${typeName(v)}) does not exist`, '42883')

/**
 * `abs` of a non-null value, in the representation of its type.
 *
 * @category utils
 * @since 0.1.0
 */
export const abs = (v: unknown): Result => {
  if (typeof v === 'number') return E.right(Math.abs(v))
  if (typeof v === 'bigint') return E.right((v < 0n ? -v : v).toString())
  const d = typeof v === 'string' ? parse(v) : null
  if (d === null) return E.left(unknownFunction('abs', v))
  return E.right(
    format(d._tag === 'Special' ? special(Math.abs(d.value)) : finite(absBig(d.digits), d.scale)),
  )
}

/**
 * `abs` of a value of an integer type: an `integer` (a number) or a `bigint` (text), out of range
 * (the least value's absolute value) 22003.
 *
 * @category utils
 * @since 0.1.0
 */
export const absInteger = (v: unknown): Result => {
  if (typeof v === 'number' && isInt4(v))
    return v === INT4_MIN ? E.left(outOfRange('integer')) : E.right(Math.abs(v))
  if ((typeof v === 'string' && integerText.test(v)) || typeof v === 'bigint') {
    const n = toBig(v)
    const a = n < 0n ? -n : n
    return a > INT8_MAX ? E.left(outOfRange('bigint')) : E.right(a.toString())
  }
  return abs(v)
}

/**
 * `round` of a non-null value: a number is a `double precision` (PostgreSQL has no `round(integer)`
 * and picks that one), rounded half to even; text is a `numeric`, rounded half away from zero to no
 * decimals.
 *
 * @category utils
 * @since 0.1.0
 */
export const round = (v: unknown): Result => {
  if (typeof v === 'number') return E.right(rint(v))
  if (typeof v === 'bigint') return E.right(Number(v))
  const d = typeof v === 'string' ? parse(v) : null
  if (d === null) return E.left(unknownFunction('round', v))
  return E.right(format(d._tag === 'Special' ? d : finite(divRound(d.digits, pow10(d.scale)), 0)))
}

// PostgreSQL 15 bounds the digits of `round(numeric, integer)` to this many either way (later versions
// allow more; `Fn.round` takes no more than this, where every version agrees).
const MAX_ROUND_DIGITS = 2000

/**
 * `round(v, digits)` of non-null values: PostgreSQL's `round(numeric, integer)`, the only `round` with
 * digits. An integer (a whole number, or `bigint` text) or a numeric is rounded half away from zero to
 * `digits` decimals (trailing zeros kept: `round(1.5, 2)` is `'1.50'`; to tens, hundreds, ... when
 * negative, with no decimals), as numeric text; `NaN` and the infinities stay as they are. A
 * `double precision` (`float`, or a number with a fraction) has no such function (42883).
 *
 * @category utils
 * @since 0.2.0
 */
export const roundTo = (v: unknown, digits: unknown, float = false): Result => {
  if (typeof digits !== 'number' || !Number.isInteger(digits)) return E.left(unknownFunction('round', digits))
  const n = Math.max(-MAX_ROUND_DIGITS, Math.min(MAX_ROUND_DIGITS, digits))
  if (typeof v === 'number' && (float || !Number.isInteger(v)))
    return E.left(
      DbError.make('UndefinedFunction', 'function round(double precision, integer) does not exist', '42883'),
    )
  const d =
    typeof v === 'number' || typeof v === 'bigint'
      ? finite(BigInt(v), 0)
      : typeof v === 'string'
        ? parse(v)
        : null
  if (d === null) return E.left(unknownFunction('round', v))
  if (d._tag === 'Special') return E.right(format(d))
  if (n >= d.scale) return E.right(format(finite(d.digits * pow10(n - d.scale), n)))
  const q = divRound(d.digits, pow10(d.scale - n))
  return E.right(format(n >= 0 ? finite(q, n) : finite(q * pow10(-n), 0)))
}

/**
 * The prefix `-` of a non-null value, in the representation of its type: of an integer type
 * (`integer`: a whole number within int4; `bigint`: integer text or a JavaScript bigint) exact, the
 * least value out of range (22003, as `abs`); of a `numeric` (other text) exact, with no negative
 * zero (`-(0.00)` is `'0.00'`); of a `double precision` (other numbers) JavaScript's, `-0` included.
 *
 * @category utils
 * @since 0.2.0
 */
export const negate = (v: unknown, integer: boolean): Result => {
  if (typeof v === 'number') {
    if (!integer || !Number.isInteger(v)) return E.right(-v)
    if (isInt4(v)) return v === INT4_MIN ? E.left(outOfRange('integer')) : E.right(v === 0 ? 0 : -v)
    return E.left(outOfRange('integer'))
  }
  if ((integer && typeof v === 'string' && integerText.test(v)) || typeof v === 'bigint') {
    const n = -toBig(v)
    return n > INT8_MAX ? E.left(outOfRange('bigint')) : E.right(n.toString())
  }
  const d = typeof v === 'string' ? parse(v) : null
  if (d === null) return E.left(unknownFunction('-', v))
  return E.right(format(d._tag === 'Special' ? special(-d.value) : finite(-d.digits, d.scale)))
}

/**
 * `sum` of non-null values (at least one): integers (numbers) sum to a `bigint` (text), doubles to a
 * double, text (`bigint`, `numeric`) to a `numeric` (text). Numbers are doubles when `float` says so
 * (the argument's type is known), else when one of them is not a whole int4.
 *
 * @category utils
 * @since 0.1.0
 */
export const sum = (vs: ReadonlyArray<unknown>, float = false): Result => {
  const bad = vs.find(v => !isNumber(v))
  if (bad !== undefined) return E.left(unknownFunction('sum', bad))
  if (vs.every(v => typeof v === 'number')) {
    const ns = vs as ReadonlyArray<number>
    if (!float && ns.every(isInt4) && ns.every(n => Number.isInteger(n)))
      return E.right(ns.reduce((acc, n) => acc + BigInt(n), 0n).toString())
    return done(floatSum(ns))
  }
  return E.right(format(decimalSum(vs)))
}

// `sum(double precision)`: the first value, then `+` (PostgreSQL's `float8pl`, whose overflow check
// it makes) with each next one.
const floatSum = (ns: ReadonlyArray<number>): number | DbError.DbError => {
  let acc = ns[0] as number
  for (let k = 1; k < ns.length; k++) {
    const n = ns[k] as number
    const next = acc + n
    if (isInf(next) && !isInf(acc) && !isInf(n)) return overflow()
    acc = next
  }
  return acc
}

const isInf = (n: number): boolean => n === Infinity || n === -Infinity

// PostgreSQL's `float8_accum` (Youngs-Cramer: the count, the sum and the sum of squared deviations,
// the last kept for the overflow check it makes), then `float8_avg`: the sum over the count.
const floatAvg = (ns: ReadonlyArray<number>): number | DbError.DbError => {
  let n = 0
  let sx = 0
  let sxx = 0
  for (const v of ns) {
    const before = sx
    n += 1
    sx += v
    if (n > 1) {
      const tmp = v * n - sx
      sxx += (tmp * tmp) / (n * (n - 1))
      if (isInf(sx) || isInf(sxx)) {
        if (!isInf(before) && !isInf(v)) return overflow()
        sxx = NaN
      }
    } else if (isInf(v) || Number.isNaN(v)) sxx = NaN
  }
  return sx / n
}

const decimalSum = (vs: ReadonlyArray<unknown>): Decimal => {
  let acc: Decimal = finite(0n, 0)
  for (const v of vs) {
    const d =
      typeof v === 'number'
        ? fromNumber(v)
        : typeof v === 'bigint'
          ? finite(v, 0)
          : (parse(v as string) as Decimal)
    acc = numericOp('add', acc, d) as Decimal
  }
  return acc
}

/**
 * `avg` of non-null values (at least one): doubles average to a double, integers and numerics to a
 * `numeric` (text), their sum divided by their count with PostgreSQL's division scale. Numbers are
 * doubles as `sum` decides.
 *
 * @category utils
 * @since 0.1.0
 */
export const avg = (vs: ReadonlyArray<unknown>, float = false): Result => {
  const bad = vs.find(v => !isNumber(v))
  if (bad !== undefined) return E.left(unknownFunction('avg', bad))
  const ns = vs as ReadonlyArray<number>
  if (ns.every(v => typeof v === 'number') && (float || !ns.every(n => Number.isInteger(n) && isInt4(n))))
    return done(floatAvg(ns))
  const r = numericOp('div', decimalSum(vs), finite(BigInt(vs.length), 0))
  return isError(r) ? E.left(r) : E.right(format(r))
}

/**
 * A cast of a number or text to `integer` (a number) or `bigint` (text): doubles rounded half to even,
 * numeric text (text as PostgreSQL prints a numeric with a fraction, or `NaN` or `±Infinity`; any
 * text when `numeric` says the value is one) rounded half away from zero (`NaN` and the infinities 0A000), other text read as PostgreSQL
 * reads an integer (22P02 when it is not one); out of range is 22003.
 *
 * @category utils
 * @since 0.1.0
 */
export const toInteger = (
  v: number | bigint | string,
  type: 'integer' | 'bigint',
  numeric = false,
): Result => {
  const [lo, hi] = type === 'integer' ? [BigInt(INT4_MIN), BigInt(INT4_MAX)] : [INT8_MIN, INT8_MAX]
  const out = (n: bigint): Result =>
    n < lo || n > hi ? E.left(outOfRange(type)) : E.right(type === 'integer' ? Number(n) : n.toString())
  if (typeof v === 'number') return Number.isFinite(v) ? out(BigInt(rint(v))) : E.left(outOfRange(type))
  if (typeof v === 'bigint') return out(v)
  const d = numeric || numericOutput.test(v) ? parse(v) : null
  if (d !== null)
    return d._tag === 'Special'
      ? E.left(
          DbError.make(
            'Unknown',
            `cannot convert ${Number.isNaN(d.value) ? 'NaN' : 'infinity'} to ${type}`,
            '0A000',
          ),
        )
      : out(divRound(d.digits, pow10(d.scale)))
  if (!integerText.test(v))
    return E.left(DbError.make('DataException', `invalid input syntax for type ${type}: "${v}"`, '22P02'))
  const n = BigInt(v.trim())
  return n < lo || n > hi
    ? E.left(DbError.make('DataException', `value "${v}" is out of range for type ${type}`, '22003'))
    : out(n)
}

/**
 * A cast of a number or text to `numeric` (text): doubles with 15 significant digits, text as
 * `numeric` input reads it (22P02 when it cannot).
 *
 * @category utils
 * @since 0.1.0
 */
export const toNumeric = (v: number | bigint | string): Result => {
  if (typeof v === 'number') return E.right(format(fromNumber(v)))
  if (typeof v === 'bigint') return E.right(v.toString())
  const d = parse(v)
  return d === null
    ? E.left(DbError.make('DataException', `invalid input syntax for type numeric: "${v}"`, '22P02'))
    : E.right(format(d))
}

// The C library's `strtod`, which PostgreSQL's `float8in` calls, also reads hexadecimal (`0x1F`,
// `0x1.8p1`).
const hexText = /^\s*([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?\s*$/

const fromHex = (m: RegExpExecArray): number => {
  const [, sg = '', whole = '', frac = '', exp = '0'] = m
  const digits = `${whole}${frac}` || '0'
  const n = Number(BigInt(`0x${digits}`)) * 2 ** (Number(exp) - 4 * frac.length)
  return sg === '-' ? -n : n
}

const floatText = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/

/**
 * A cast of a number or text to `double precision`: text as PostgreSQL's `float8in` reads it, out of
 * range (an overflow, or an underflow to zero) 22003, not a number 22P02.
 *
 * @category utils
 * @since 0.1.0
 */
export const toDouble = (v: number | bigint | string): Result => {
  if (typeof v === 'number') return E.right(v)
  if (typeof v === 'bigint') return E.right(Number(v))
  const k = v.trim().toLowerCase()
  if (Object.hasOwn(specials, k)) return E.right(specials[k] as number)
  const hex = hexText.exec(v)
  if (hex !== null) return E.right(fromHex(hex))
  const m = floatText.exec(v)
  if (m === null)
    return E.left(
      DbError.make('DataException', `invalid input syntax for type double precision: "${v}"`, '22P02'),
    )
  const n = Number(v.trim())
  return !Number.isFinite(n) || (n === 0 && /[1-9]/.test(m[1] ?? ''))
    ? E.left(DbError.make('DataException', `"${v}" is out of range for type double precision`, '22003'))
    : E.right(n)
}

/**
 * One text per numeric value, whatever its display scale: `'1.0'`, `'1.00'` and `'1'` give the same
 * key (as PostgreSQL's numeric equality and hashing take them), `'-0.0'` that of `'0'`. Text that is
 * no numeric is its own key.
 *
 * @category utils
 * @since 0.2.0
 */
export const key = (s: string): string => {
  const x = parse(s)
  if (x === null) return `t${s}`
  if (x._tag === 'Special') return format(x)
  let digits = x.digits
  let scale = x.scale
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n
    scale -= 1
  }
  return format(finite(digits, scale))
}

// NaN above +Infinity above every finite value above -Infinity, as PostgreSQL orders numerics.
const rank = (x: Decimal): number =>
  x._tag === 'Finite' ? 0 : Number.isNaN(x.value) ? 2 : x.value > 0 ? 1 : -1

/**
 * Compares two texts as `numeric` values (PostgreSQL's numeric order: by value, `NaN` above every
 * other value), or `null` when one of them is not numeric text.
 *
 * @category utils
 * @since 0.1.0
 */
export const compare = (a: string, b: string): number | null => {
  const x = parse(a)
  const y = parse(b)
  if (x === null || y === null) return null
  const rx = rank(x)
  const ry = rank(y)
  if (rx !== 0 || ry !== 0 || x._tag !== 'Finite' || y._tag !== 'Finite') return rx - ry
  const scale = Math.max(x.scale, y.scale)
  const d = rescale(x, scale) - rescale(y, scale)
  return d < 0n ? -1 : d > 0n ? 1 : 0
}
