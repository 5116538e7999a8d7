/**
 * The expression evaluator of the memory interpreter: the one meaning of an `Expr` over bound rows. The
 * select evaluator (`Read`) and the write statements (`Write`) both compile their expressions here, so
 * a `where` picks the same rows whether a select reads them or an update or a delete changes them.
 *
 * Semantics follow PostgreSQL: three-valued logic (a comparison with NULL is unknown, WHERE keeps only
 * true, `NOT unknown` is unknown, `x = any('{}')` is false even for a NULL `x`), `= any(list)`, LIKE /
 * ILIKE with `%`, `_` and backslash escapes (`Like`), values compared as `Value.compare` says (text by
 * code point, the order of the `C` and `C.UTF-8` collations; jsonb in its own order when either side is
 * JSON), parameters as postgres.js sends them (`Value.parameter`).
 *
 * Arithmetic, `abs`, `round`, `sum`, `avg` and casts compute with PostgreSQL's rules for the type it
 * would give the result, answering in postgres.js's representation of that type (`Numeric`: an
 * `integer` or `double precision` a number, a `bigint` or `numeric` text). Types are read from the
 * values and from the expression's shape, the AST carrying of a column's type only whether it is JSON
 * or decimal text (`ColumnRef.json`, `ColumnRef.decimal`): an expression of a known numeric type (a
 * `numeric` or `bigint` column, arithmetic, `count`, `sum`, a cast to `numeric`, ...; `isNumeric`)
 * compares and orders its text by value, where text from any other column compares as text. `lower`/`upper` map each
 * code point to its simple case (`Value.upper`), `length` counts code points, `date_trunc` truncates
 * in UTC (the session time zone of the servers this is checked against), `||` is NULL with a NULL
 * side, `coalesce` and `case` evaluate lazily, and a strict function evaluates every argument before
 * it answers NULL for a NULL one (an error in any argument is raised, as PostgreSQL raises it).
 *
 * Aggregates read the rows of their group from the environment a grouped select evaluates its outputs
 * in (`group`); elsewhere (WHERE, ON, GROUP BY, inside another aggregate) an aggregate fails the
 * compilation with 42803, as PostgreSQL refuses it. Over no rows `count` is `'0'` and the others NULL;
 * NULL inputs are skipped (`array_agg` keeps them), `distinct` keeps one of each value and sorts them
 * (as PostgreSQL's sort-based DISTINCT does), `filter` and the aggregate's own ORDER BY apply first.
 *
 * An expression is compiled once (`compile`) into a function of the bound rows. What is known before a
 * row is read fails the compilation, as PostgreSQL fails a statement before it runs, whatever the
 * tables hold: a binding not in scope (42P01), a parameter PostgreSQL refuses (text with NUL, 22021), a
 * placeholder with no value, a plan reference no plan runner resolved, a fragment (SQL text:
 * `Unsupported`), a misplaced aggregate (42803), a subquery value of more than one column (42601).
 * What depends on the rows is a `Failed` value the compiled function returns in place of a value: a
 * column the row does not have (42703), two values no operator compares (42883), a LIKE pattern whose
 * escape is reached at its end (22025), a number out of range (22003), a division by zero (22012),
 * text a cast cannot read (22P02, 22007, 22008), a scalar subquery with more than one row (21000).
 * Nothing throws.
 *
 * Subqueries (`exists`, scalar subqueries, `in (select ...)`) are the select evaluator's, carried by
 * the context (`Ctx.exists`, `Ctx.subquery`): this module knows expressions only, and `Read` imports
 * it, not the other way round.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import {
  isExpr,
  isPlaceholder,
  type AggFn,
  type Bind,
  type CompareOp,
  type Call,
  type CastType,
  type Expr,
  type FnName,
  type OrderTerm,
  type Select,
} from '../../ast/Expr.js'
import { isRef } from '../../ast/Write.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import { show } from '../../error/Show.js'
import * as Prepared from '../../query/Prepared.js'
import type { RawRow } from '../../run/Interpreter.js'
import { like } from './Like.js'
import * as Numeric from './Numeric.js'
import * as Value from './Value.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * In-memory tables: source table name -> rows, each row as postgres.js returns it.
 *
 * @category model
 * @since 0.1.0
 */
export type Tables = ReadonlyMap<string, ReadonlyArray<RawRow>>

/**
 * What evaluating an expression can fail with: a `QueryError` (`Unsupported` for a fragment,
 * `InvalidArgument` for a placeholder with no value or an unresolved plan reference) or the `DbError`
 * PostgreSQL would raise.
 *
 * @category model
 * @since 0.1.0
 */
export type EvalError = QueryError.QueryError | DbError.DbError

/**
 * Bound rows by alias; a `null` row is the missing side of a left join.
 *
 * @category model
 * @since 0.1.0
 */
export type Env = Readonly<Record<string, RawRow | null>>

/**
 * An evaluation that failed on the rows it was given, returned in place of a value. Only `fail` makes
 * one, and `isFailed` recognises it by identity: no value of a row or a parameter is one.
 *
 * @category model
 * @since 0.1.0
 */
export interface Failed {
  readonly _tag: 'Failed'
  readonly error: EvalError
}

/**
 * A compiled expression: its value for some bound rows (SQL NULL as `null`, a truth value as a
 * boolean or `null` for unknown), or a `Failed`.
 *
 * @category model
 * @since 0.1.0
 */
export type Eval = (env: Env) => unknown

/**
 * What an expression is compiled in.
 *
 * @category model
 * @since 0.1.0
 */
export interface Ctx {
  readonly tables: Tables
  /** The aliases that are bound when the expression runs (enclosing selects' included). */
  readonly scope: ReadonlySet<string>
  /** The values of a prepared query's placeholders in this run. */
  readonly bind: Bind | undefined
  /** The select evaluator: whether a subquery has a row, for the bound rows of its enclosing selects. */
  readonly exists: (ctx: Ctx, s: Select) => E.Either<EvalError, Eval>
  /** The select evaluator: a subquery's rows, for the bound rows of its enclosing selects. */
  readonly subquery: (
    ctx: Ctx,
    s: Select,
  ) => E.Either<EvalError, (env: Env) => ReadonlyArray<RawRow> | Failed>
  /**
   * Where an aggregate is an error, PostgreSQL's message saying so (42803: in WHERE, in a join's ON,
   * in GROUP BY, inside another aggregate); `null` in the clauses of a grouped select that are
   * evaluated per group (outputs, HAVING, ORDER BY).
   */
  readonly refuseAggregates: string | null
}

/**
 * An ORDER BY term's direction: `sign` 1 ascending, -1 descending; `nulls` +1 when NULL sorts after
 * every value, -1 before.
 *
 * @category model
 * @since 0.1.0
 */
export interface Direction {
  readonly sign: number
  readonly nulls: number
  /** The term's values are numbers, text ones `numeric` or `bigint` (see `isNumeric`). */
  readonly numeric: boolean
  /**
   * The term's values are SQL arrays (`array_agg`): they order element by element, where JavaScript
   * arrays of unknown origin (a JSON column's) order as jsonb's, by length first.
   */
  readonly array?: boolean
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

// The failures `fail` made: `isFailed` asks this set, so nothing else (a proxy included) passes for one.
const failures = new WeakSet<object>()

const isNull = (u: unknown): u is null | undefined => u === null || u === undefined

const noOperator = (a: unknown, b: unknown): Failed =>
  fail(
    DbError.make(
      'UndefinedFunction',
      `operator does not exist: ${typeof a} compared with ${typeof b} (${show(a)}, ${show(b)})`,
      '42883',
    ),
  )

// A parameter's value as it reaches PostgreSQL: a placeholder takes its bound value; a JSON parameter
// travels as its JSON text.
const parameter = (ctx: Ctx, u: unknown, json: boolean): E.Either<EvalError, unknown> => {
  let v = u === undefined ? null : u
  if (isRef(v))
    return E.left(QueryError.make('InvalidArgument', `unresolved reference to statement ${v.step} of a plan`))
  if (isPlaceholder(v)) {
    if (ctx.bind === undefined || !ctx.bind.has(v)) return E.left(Prepared.unbound(v))
    v = ctx.bind.get(v) ?? null
  }
  return json ? Value.jsonParameter(v) : Value.parameter(v)
}

// A comparison with a JSON operand compares in jsonb's order, scalars of different kinds included.
const isJson = (e: Expr): boolean =>
  isExpr(e) && ((e._tag === 'Param' && e.json === true) || (e._tag === 'ColumnRef' && e.json !== undefined))

const holds: Readonly<Record<CompareOp, (c: number) => boolean>> = {
  eq: c => c === 0,
  neq: c => c !== 0,
  lt: c => c < 0,
  lte: c => c <= 0,
  gt: c => c > 0,
  gte: c => c >= 0,
}

const constant =
  (v: unknown): Eval =>
  () =>
    v

const one = (ctx: Ctx, e: Expr, f: (x: Eval) => Eval): E.Either<EvalError, Eval> => {
  const x = compile(ctx, e)
  return E.isLeft(x) ? x : E.right(f(x.right))
}

const two = (ctx: Ctx, a: Expr, b: Expr, f: (x: Eval, y: Eval) => Eval): E.Either<EvalError, Eval> => {
  const x = compile(ctx, a)
  if (E.isLeft(x)) return x
  const y = compile(ctx, b)
  return E.isLeft(y) ? y : E.right(f(x.right, y.right))
}

// And and Or: `decides` ends the walk (false for and, true for or), its opposite goes on, unknown
// wins over the opposite, and any other value counts as false (as WHERE reads it).
const logic =
  (decides: boolean) =>
  (xs: ReadonlyArray<Eval>): Eval =>
  env => {
    let unknown = false
    for (let i = 0; i < xs.length; i++) {
      const v = (xs[i] as Eval)(env)
      if (v === decides) return decides
      if (v === !decides) continue
      if (isNull(v)) unknown = true
      else if (isFailed(v)) return v
      else if (!decides) return false
    }
    return unknown ? null : !decides
  }

// The rows of each group of a grouped select, by the environment its outputs are evaluated in (see
// `group`): an aggregate reads its group here.
const groups = new WeakMap<Env, ReadonlyArray<Env>>()

const groupingError = (message: string): DbError.DbError => DbError.make('Unknown', message, '42803')

// A result of `Numeric` or `Value`: its value, or a failure.
const fromEither = (r: E.Either<EvalError, unknown>): unknown => (E.isLeft(r) ? fail(r.left) : r.right)

const isParam = (e: Expr): boolean => isExpr(e) && e._tag === 'Param'

// PostgreSQL types a parameter by the expression beside it (in a comparison, `nullif`, `coalesce`, the
// branches of a `case`) and reads it as that type before any row: beside an expression of an integer
// type, text or a number that is no whole number fails the statement (22P02), where comparing by value
// would answer.
const integerParams = (ctx: Ctx, es: ReadonlyArray<Expr>): E.Either<EvalError, null> => {
  if (!es.some(isInteger)) return E.right(null)
  for (const e of es) {
    if (!isExpr(e) || e._tag !== 'Param' || e.json === true) continue
    const v = parameter(ctx, e.value, false)
    if (E.isLeft(v)) return v
    const x = v.right
    if ((typeof x === 'number' && !Number.isInteger(x)) || (typeof x === 'string' && !wholeText.test(x)))
      return E.left(
        DbError.make('DataException', `invalid input syntax for type integer: "${String(x)}"`, '22P02'),
      )
  }
  return E.right(null)
}

const wholeText = /^\s*[+-]?\d+\s*$/

const noFunction = (fn: string, v: unknown): Failed =>
  fail(DbError.make('UndefinedFunction', `function ${fn}(${typeof v}) does not exist (${show(v)})`, '42883'))

// Both operands are evaluated (PostgreSQL evaluates a strict function's arguments before it sees a
// NULL among them, so an error in either is raised), then a NULL makes the answer NULL.
const strict2 =
  (f: (a: unknown, b: unknown) => unknown) =>
  (x: Eval, y: Eval): Eval =>
  env => {
    const a = x(env)
    if (isFailed(a)) return a
    const b = y(env)
    if (isFailed(b)) return b
    return isNull(a) || isNull(b) ? null : f(a, b)
  }

const strict1 =
  (f: (a: unknown) => unknown) =>
  (x: Eval): Eval =>
  env => {
    const a = x(env)
    return isNull(a) ? null : isFailed(a) ? a : f(a)
  }

const text =
  (fn: string, f: (s: string) => unknown) =>
  (a: unknown): unknown =>
    typeof a === 'string' ? f(a) : noFunction(fn, a)

// The scalar functions: each compiled from its compiled arguments (their number is `Check`'s).
const functions: Readonly<Record<FnName, (xs: ReadonlyArray<Eval>, e: Call) => Eval>> = {
  lower: xs => strict1(text('lower', Value.lower))(xs[0] as Eval),
  upper: xs => strict1(text('upper', Value.upper))(xs[0] as Eval),
  length: xs => strict1(text('length', Value.length))(xs[0] as Eval),
  trim: xs => strict1(text('btrim', Value.trim))(xs[0] as Eval),
  // `abs` of an integer fails for the least one (22003). A whole number of unknown type is taken as an
  // `integer`; text as a `bigint` only from an integer expression, else as a `numeric`.
  abs: (xs, e) => {
    const arg = e.args[0] as Expr
    const integer = isInteger(arg) || isBigintColumn(arg)
    const float = isFloat(arg)
    return strict1(a =>
      fromEither(integer || (!float && typeof a === 'number') ? Numeric.absInteger(a) : Numeric.abs(a)),
    )(xs[0] as Eval)
  },
  // `round` of an integer type is `round(double precision)`: an integer expression's text (a bigint)
  // becomes a number. With digits it is `round(numeric, integer)`, which a double does not take.
  round: (xs, e) => {
    const arg = e.args[0] as Expr
    if (xs.length > 1) {
      const float = isFloat(arg)
      return strict2((a, n) => fromEither(Numeric.roundTo(a, n, float)))(xs[0] as Eval, xs[1] as Eval)
    }
    const integer = isInteger(arg) || isBigintColumn(arg)
    return strict1(a => (integer && typeof a === 'string' ? Number(a) : fromEither(Numeric.round(a))))(
      xs[0] as Eval,
    )
  },
  // The prefix minus, of the type `Call.integer` says (22003 for the least integer or bigint).
  neg: (xs, e) => strict1(a => fromEither(Numeric.negate(a, e.integer === true)))(xs[0] as Eval),
  // Lazy, as PostgreSQL's: the arguments after the first non-NULL one are not evaluated.
  coalesce: xs => env => {
    for (const x of xs) {
      const v = x(env)
      if (!isNull(v)) return v
    }
    return null
  },
  nullif: (xs, e) => env => {
    const a = (xs[0] as Eval)(env)
    if (isFailed(a)) return a
    const b = (xs[1] as Eval)(env)
    if (isFailed(b)) return b
    if (isNull(a)) return null
    if (isNull(b)) return a
    const c = compareAs(e.args.some(isNumeric), a, b)
    return isFailed(c) ? c : c === 0 ? null : a
  },
  concat: xs =>
    strict2((a, b) =>
      isTextual(a) && isTextual(b) && (typeof a === 'string' || typeof b === 'string')
        ? Value.toText(a) + Value.toText(b)
        : fail(
            DbError.make('UndefinedFunction', `operator does not exist: ${show(a)} || ${show(b)}`, '42883'),
          ),
    )(xs[0] as Eval, xs[1] as Eval),
  dateTrunc: (xs, e) =>
    strict1(a => (a instanceof Date ? Value.dateTrunc(e.unit ?? 'day', a) : noFunction('date_trunc', a)))(
      xs[0] as Eval,
    ),
}

// A value `||` concatenates as text: not a JSON container or an array (`||` of those is another
// operator). One side must be text: PostgreSQL has `text || anynonarray` and its mirror, no
// `integer || integer`.
const isTextual = (v: unknown): boolean => typeof v !== 'object' || v instanceof Date

// The aggregates: each folds the argument lists of its group's rows (after FILTER, DISTINCT and the
// aggregate's ORDER BY) into its value.
const folds: Readonly<
  Record<AggFn, (rows: ReadonlyArray<ReadonlyArray<unknown>>, numeric: boolean, float: boolean) => unknown>
> = {
  count: rows => String(rows.filter(r => r.length === 0 || !isNull(r[0])).length),
  sum: (rows, _, float) => numbers(rows, vs => fromEither(Numeric.sum(vs, float))),
  avg: (rows, _, float) => numbers(rows, vs => fromEither(Numeric.avg(vs, float))),
  min: (rows, numeric) => extreme('min', rows, -1, numeric),
  max: (rows, numeric) => extreme('max', rows, 1, numeric),
  boolAnd: rows => booleans('bool_and', rows, vs => vs.every(v => v)),
  boolOr: rows => booleans('bool_or', rows, vs => vs.some(v => v)),
  arrayAgg: rows => (rows.length === 0 ? null : rows.map(r => r[0] ?? null)),
  stringAgg: rows => {
    let out: string | null = null
    for (const [v, sep] of rows) {
      if (isNull(v)) continue
      if (typeof v !== 'string') return noFunction('string_agg', v)
      if (!isNull(sep) && typeof sep !== 'string') return noFunction('string_agg', sep)
      // The separator of a value goes before it; the first value's is dropped.
      out = out === null ? v : out + (isNull(sep) ? '' : sep) + v
    }
    return out
  },
}

const present = (rows: ReadonlyArray<ReadonlyArray<unknown>>): ReadonlyArray<unknown> =>
  rows.map(r => r[0]).filter(v => !isNull(v))

const numbers = (rows: ReadonlyArray<ReadonlyArray<unknown>>, f: (vs: ReadonlyArray<unknown>) => unknown) => {
  const vs = present(rows)
  return vs.length === 0 ? null : f(vs)
}

const booleans = (
  fn: string,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  f: (vs: ReadonlyArray<boolean>) => boolean,
): unknown => {
  const vs = present(rows)
  const bad = vs.find(v => typeof v !== 'boolean')
  return bad !== undefined ? noFunction(fn, bad) : vs.length === 0 ? null : f(vs as ReadonlyArray<boolean>)
}

// `min` (-1) or `max` (+1) of the values in order; PostgreSQL has neither for booleans.
const extreme = (
  fn: string,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  want: number,
  numeric: boolean,
): unknown => {
  let best: unknown = null
  for (const v of present(rows)) {
    if (typeof v === 'boolean') return noFunction(fn, v)
    if (best === null) {
      best = v
      continue
    }
    const c = compareAs(numeric, v, best)
    if (isFailed(c)) return c
    // A tie takes the later value, as PostgreSQL's `smaller`/`larger` functions do (`0.000` and
    // `0.0000` are equal numerics, printed apart).
    if (c * want >= 0) best = v
  }
  return best
}

// The one column of a subquery used as a value (42601 for any other number of columns).
const oneColumn = (s: Select): E.Either<EvalError, string> =>
  s.columns.length === 1
    ? E.right((s.columns[0] as { readonly name: string }).name)
    : E.left(DbError.make('SyntaxError', 'subquery must return only one column', '42601'))

type Handlers = {
  readonly [K in Expr['_tag']]: (
    ctx: Ctx,
    e: Extract<Expr, { readonly _tag: K }>,
  ) => E.Either<EvalError, Eval>
}

const handlers: Handlers = {
  ColumnRef: (ctx, e) => {
    if (!ctx.scope.has(e.alias))
      return E.left(
        DbError.make('UndefinedTable', `missing FROM-clause entry for table "${e.alias}"`, '42P01'),
      )
    const { alias, column } = e
    return E.right(env => {
      const row = env[alias]
      if (row === null || row === undefined) return null
      const v = row[column]
      return v === undefined
        ? fail(DbError.make('UndefinedColumn', `column ${alias}.${column} does not exist`, '42703'))
        : v
    })
  },
  Param: (ctx, e) => E.map(constant)(parameter(ctx, e.value, e.json === true)),
  Bool: (_, e) => E.right(constant(e.value)),
  Compare: (ctx, e) => {
    const ok = holds[e.op]
    const json = isJson(e.left) || isJson(e.right)
    const numeric = isNumeric(e.left) || isNumeric(e.right)
    const typed = integerParams(ctx, [e.left, e.right])
    if (E.isLeft(typed)) return typed
    return two(ctx, e.left, e.right, (l, r) => env => {
      const a = l(env)
      if (isNull(a) || isFailed(a)) return a ?? null
      const b = r(env)
      if (isNull(b) || isFailed(b)) return b ?? null
      if (json) return ok(Value.compareJson(a, b))
      const c = compareAs(numeric, a, b)
      return typeof c === 'number' ? ok(c) : c
    })
  },
  // Pair by pair, each pair's members evaluated before it is compared (PostgreSQL's row comparison
  // steps; `=` and `<>` are the `and` / `or` of the pairs' comparisons, which stop at a false / true one).
  RowCompare: (ctx, e) => {
    const ok = holds[e.op]
    const pairs = e.left.map((l, i) => [l, e.right[i] as Expr] as const)
    for (const [l, r] of pairs) {
      const typed = integerParams(ctx, [l, r])
      if (E.isLeft(typed)) return typed
    }
    const ls = compileAll(ctx, e.left)
    if (E.isLeft(ls)) return ls
    const rs = compileAll(ctx, e.right)
    if (E.isLeft(rs)) return rs
    const kinds = pairs.map(([l, r]) => ({
      json: isJson(l) || isJson(r),
      numeric: isNumeric(l) || isNumeric(r),
    }))
    const n = pairs.length
    const logic = e.op === 'eq' || e.op === 'neq'
    return E.right(env => {
      let unknown = false
      for (let i = 0; i < n; i++) {
        const a = (ls.right[i] as Eval)(env)
        if (isFailed(a)) return a
        const b = (rs.right[i] as Eval)(env)
        if (isFailed(b)) return b
        if (isNull(a) || isNull(b)) {
          if (!logic) return null
          unknown = true
          continue
        }
        const k = kinds[i] as { readonly json: boolean; readonly numeric: boolean }
        const c = k.json ? Value.compareJson(a, b) : compareAs(k.numeric, a, b)
        if (typeof c !== 'number') return c
        if (logic) {
          if (ok(c) === (e.op === 'neq')) return e.op === 'neq'
        } else if (c !== 0) return ok(c)
      }
      return logic ? (unknown ? null : e.op === 'eq') : ok(0)
    })
  },
  InList: (ctx, e) =>
    pipe(
      listValues(ctx, e),
      E.chain(values => {
        const json = e.json === true
        const numeric = isNumeric(e.expr)
        const hasNull = values.some(isNull)
        const present = values.filter(v => !isNull(v))
        const keys = new Set(present.map(Value.keyOf))
        return one(ctx, e.expr, x => env => {
          const v = x(env)
          // `null = any('{}')` is false: no element to be unknown about.
          if (isNull(v)) return values.length === 0 ? false : null
          if (isFailed(v)) return v
          if (keys.has(Value.keyOf(v))) return true
          for (const w of present) {
            const c = json ? Value.compareJson(v, w) : compareAs(numeric, v, w)
            if (c === 0) return true
            if (isFailed(c)) return c
          }
          return hasNull ? null : false
        })
      }),
    ),
  IsNull: (ctx, e) =>
    one(ctx, e.expr, x => env => {
      const v = x(env)
      return isFailed(v) ? v : isNull(v)
    }),
  Not: (ctx, e) =>
    one(ctx, e.expr, x => env => {
      const v = x(env)
      return isNull(v) ? null : isFailed(v) ? v : v !== true
    }),
  NotTrue: (ctx, e) =>
    one(ctx, e.expr, x => env => {
      const v = x(env)
      return isFailed(v) ? v : v !== true
    }),
  And: (ctx, e) => E.map(logic(false))(compileAll(ctx, e.exprs)),
  Or: (ctx, e) => E.map(logic(true))(compileAll(ctx, e.exprs)),
  Like: (ctx, e) => {
    const ci = e.caseInsensitive
    return two(ctx, e.expr, e.pattern, (x, p) => env => {
      const s = x(env)
      if (isNull(s) || isFailed(s)) return s ?? null
      const pattern = p(env)
      if (isNull(pattern) || isFailed(pattern)) return pattern ?? null
      const r = like(String(s), String(pattern), ci)
      return E.isRight(r) ? r.right : fail(r.left)
    })
  },
  Fragment: () =>
    E.left(
      QueryError.make(
        'Unsupported',
        'a SQL fragment cannot be evaluated by the memory interpreter (it is PostgreSQL text)',
      ),
    ),
  Exists: (ctx, e) => ctx.exists(ctx, e.select),
  Arith: (ctx, e) => {
    const params = [isParam(e.left), isParam(e.right)] as const
    return two(
      ctx,
      e.left,
      e.right,
      strict2((a, b) => fromEither(Numeric.arith(e.op, e.integer, a, b, params))),
    )
  },
  Call: (ctx, e) =>
    pipe(
      e.fn === 'nullif' || e.fn === 'coalesce' ? integerParams(ctx, e.args) : E.right(null),
      E.chain(() => compileAll(ctx, e.args)),
      E.map((xs: ReadonlyArray<Eval>) => functions[e.fn](xs, e)),
    ),
  Cast: (ctx, e) => {
    const numeric = isNumeric(e.expr)
    const cast = isParam(e.expr)
      ? Value.castParameter
      : (v: unknown, type: CastType) => Value.cast(v, type, numeric)
    return one(
      ctx,
      e.expr,
      strict1(v => fromEither(cast(v, e.type))),
    )
  },
  Case: (ctx, e) =>
    pipe(
      integerParams(ctx, [
        ...e.whens.map(w => w.then),
        ...(e.otherwise._tag === 'Some' ? [e.otherwise.value] : []),
      ]),
      E.chain((): E.Either<EvalError, {}> => E.Do),
      E.apS(
        'whens',
        compileAll(
          ctx,
          e.whens.map(w => w.when),
        ),
      ),
      E.apS(
        'thens',
        compileAll(
          ctx,
          e.whens.map(w => w.then),
        ),
      ),
      E.apS(
        'otherwise',
        e.otherwise._tag === 'Some' ? compile(ctx, e.otherwise.value) : E.right(constant(null)),
      ),
      E.map(({ whens, thens, otherwise }): Eval => env => {
        for (let i = 0; i < whens.length; i++) {
          const c = (whens[i] as Eval)(env)
          if (isFailed(c)) return c
          if (c === true) return (thens[i] as Eval)(env)
        }
        return otherwise(env)
      }),
    ),
  Agg: (ctx, e) => {
    if (ctx.refuseAggregates !== null) return E.left(groupingError(ctx.refuseAggregates))
    if (e.distinct && e.orderBy.some(t => !e.args.some(a => sameExpr(a, t.expr))))
      return E.left(
        DbError.make(
          'Unknown',
          'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list',
          '42P10',
        ),
      )
    const nested = { ...ctx, refuseAggregates: 'aggregate function calls cannot be nested' }
    const fold = folds[e.fn]
    const numeric = e.args.length > 0 && isNumeric(e.args[0] as Expr)
    const float = e.args.length > 0 && isFloat(e.args[0] as Expr)
    const dirs = e.orderBy.map(direction)
    // DISTINCT sorts by the arguments (PostgreSQL's way to find duplicates), so without an ORDER BY
    // the values come in ascending order.
    const distinctDirs = e.args.map(a => ({ sign: 1, nulls: 1, numeric: isNumeric(a) }))
    const argNumeric = e.args.map(isNumeric)
    return pipe(
      E.Do,
      E.apS('args', compileAll(nested, e.args)),
      E.apS(
        'filter',
        e.filter._tag === 'Some'
          ? compile(
              { ...ctx, refuseAggregates: 'aggregate functions are not allowed in FILTER' },
              e.filter.value,
            )
          : E.right(null),
      ),
      E.apS(
        'order',
        compileAll(
          nested,
          e.orderBy.map(t => t.expr),
        ),
      ),
      E.map(({ args, filter, order }): Eval => env => {
        const members = groups.get(env)
        if (members === undefined) return fail(groupingError('aggregate functions are not allowed here'))
        let items: Array<{ readonly args: ReadonlyArray<unknown>; readonly keys: ReadonlyArray<unknown> }> =
          []
        for (const m of members) {
          if (filter !== null) {
            const keep = filter(m)
            if (isFailed(keep)) return keep
            if (keep !== true) continue
          }
          const vs = evalAll(args, m)
          if (isFailed(vs)) return vs
          const keys = evalAll(order, m)
          if (isFailed(keys)) return keys
          items.push({ args: vs, keys })
        }
        if (e.distinct) {
          if (dirs.length === 0) {
            const failed = sortBy(items, x => x.args, distinctDirs)
            if (failed !== null) return failed
          }
          const seen = new Set<string>()
          items = items.filter(x => {
            const k = Value.rowKey(x.args, argNumeric)
            if (seen.has(k)) return false
            seen.add(k)
            return true
          })
        }
        if (dirs.length > 0) {
          const failed = sortBy(items, x => x.keys, dirs)
          if (failed !== null) return failed
        }
        return fold(
          items.map(x => x.args),
          numeric,
          float,
        )
      }),
    )
  },
  Scalar: (ctx, e) =>
    pipe(
      oneColumn(e.select),
      E.chain(name =>
        E.map((run: (env: Env) => ReadonlyArray<RawRow> | Failed): Eval => env => {
          const rows = run(env)
          if (isFailed(rows)) return rows
          if (rows.length > 1)
            return fail(
              DbError.make(
                'Unknown',
                'more than one row returned by a subquery used as an expression',
                '21000',
              ),
            )
          return rows.length === 0 ? null : ((rows[0] as RawRow)[name] ?? null)
        })(ctx.subquery(ctx, e.select)),
      ),
    ),
  InSelect: (ctx, e) => {
    const numeric =
      isNumeric(e.expr) ||
      (e.select.columns.length === 1 && isNumeric((e.select.columns[0] as { readonly expr: Expr }).expr))
    return pipe(
      oneColumn(e.select),
      E.chain(name =>
        pipe(
          E.Do,
          E.apS('x', compile(ctx, e.expr)),
          E.apS('run', ctx.subquery(ctx, e.select)),
          E.map(({ x, run }): Eval => env => {
            const v = x(env)
            if (isFailed(v)) return v
            const rows = run(env)
            if (isFailed(rows)) return rows
            if (rows.length === 0) return false
            if (isNull(v)) return null
            return memberOf(
              numeric,
              v,
              rows.map(r => r[name]),
            )
          }),
        ),
      ),
    )
  },
  // `expr = any(array)`: a NULL array is unknown, an empty one false; else as `InSelect` over its
  // elements.
  InArray: (ctx, e) => {
    const numeric = isNumeric(e.expr)
    return two(ctx, e.expr, e.array, (x, y) => env => {
      const v = x(env)
      if (isFailed(v)) return v
      const a = y(env)
      if (isFailed(a) || isNull(a)) return a ?? null
      if (!Array.isArray(a))
        return fail(DbError.make('Unknown', 'op ANY/ALL (array) requires array on right side', '42809'))
      if (a.length === 0) return false
      if (isNull(v)) return null
      return memberOf(numeric, v, a as ReadonlyArray<unknown>)
    })
  },
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A failure to return in place of a value (see `Failed`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fail = (error: EvalError): Failed => {
  const f: Failed = Object.freeze({ _tag: 'Failed', error })
  failures.add(f)
  return f
}

/**
 * The environment a group of a grouped select is evaluated in: the bound rows of `first` (a row of the
 * group, whose grouped expressions are the group's), with the group's rows for its aggregates.
 *
 * @category constructors
 * @since 0.1.0
 */
export const group = (first: Env, members: ReadonlyArray<Env>): Env => {
  const g = Object.create(first) as Env
  groups.set(g, members)
  return g
}

/**
 * The direction of an ORDER BY term (NULLS LAST ascending and NULLS FIRST descending unless told).
 *
 * @category constructors
 * @since 0.1.0
 */
export const direction = (t: OrderTerm): Direction => ({
  sign: t.dir === 'asc' ? 1 : -1,
  nulls: t.nulls === 'default' ? (t.dir === 'asc' ? 1 : -1) : t.nulls === 'last' ? 1 : -1,
  numeric: isNumeric(t.expr),
  array: isExpr(t.expr) && t.expr._tag === 'Agg' && t.expr.fn === 'arrayAgg',
})

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Compiles an expression in a context. Only a node built by the AST companions (of a known kind) is
 * evaluated as one; any other value in an expression's place, whatever its shape, is a parameter
 * holding it, as the SQL compiler makes it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as Expr from '../../ast/Expr.js'
 * import { compile } from './Eval.js'
 * const ctx = {
 *   tables: new Map(),
 *   scope: new Set(['t']),
 *   bind: undefined,
 *   exists: () => E.right(() => false),
 *   subquery: () => E.right(() => []),
 *   refuseAggregates: 'aggregate functions are not allowed here',
 * }
 * const e = Expr.compare('lt', Expr.column('t', 'name'), Expr.param('\u{1F600}'))
 * const f = compile(ctx, e)
 * // Text compares by code point: U+FFFF is below U+1F600, though its UTF-16 unit is above.
 * assert.strictEqual(E.isRight(f) && f.right({ t: { name: '\uffff' } }), true)
 *
 * @category destructors
 * @since 0.1.0
 */
export const compile = (ctx: Ctx, e: Expr): E.Either<EvalError, Eval> =>
  isExpr(e)
    ? (handlers[e._tag] as (ctx: Ctx, e: Expr) => E.Either<EvalError, Eval>)(ctx, e)
    : E.map(constant)(parameter(ctx, e, false))

/**
 * Compiles expressions in a context, or gives the first error.
 *
 * @category destructors
 * @since 0.1.0
 */
export const compileAll = (ctx: Ctx, es: ReadonlyArray<Expr>): E.Either<EvalError, ReadonlyArray<Eval>> => {
  const out: Array<Eval> = []
  for (const e of es) {
    const c = compile(ctx, e)
    if (E.isLeft(c)) return c
    out.push(c.right)
  }
  return E.right(out)
}

/**
 * The values of compiled expressions for some bound rows, or the first failure.
 *
 * @category destructors
 * @since 0.1.0
 */
export const evalAll = (fs: ReadonlyArray<Eval>, env: Env): ReadonlyArray<unknown> | Failed => {
  const out: Array<unknown> = []
  for (const f of fs) {
    const v = f(env)
    if (isFailed(v)) return v
    out.push(v)
  }
  return out
}

/**
 * A result as an `Either`: a `Failed` is its error.
 *
 * @category destructors
 * @since 0.1.0
 */
export const settle = <A>(r: A | Failed): E.Either<EvalError, A> =>
  isFailed(r) ? E.left(r.error) : E.right(r)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a result is a `Failed` (by identity: a value shaped like one is a value).
 *
 * @category utils
 * @since 0.1.0
 */
export const isFailed = (u: unknown): u is Failed => typeof u === 'object' && u !== null && failures.has(u)

/**
 * Compares two non-null values as `Value.compare` does, or fails as PostgreSQL fails a pair it has no
 * operator for (42883): comparisons and ORDER BY share it.
 *
 * @category utils
 * @since 0.1.0
 */
export const compareOrFail = (a: unknown, b: unknown): number | Failed => {
  const c = Value.compare(a, b)
  return c === null ? noOperator(a, b) : c
}

// Two SQL arrays: element by element (a NULL element after every value), then the shorter first, as
// PostgreSQL compares arrays.
const compareArrays = (a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): number | Failed => {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i]
    const y = b[i]
    if (isNull(x) && isNull(y)) continue
    if (isNull(x)) return 1
    if (isNull(y)) return -1
    const c = compareOrFail(x, y)
    if (c !== 0) return c
  }
  return a.length - b.length
}

// `v IN (values)` for a non-NULL `v` and at least one value, in three-valued logic: true on an equal
// value, else unknown when a NULL was met, else false (`InSelect` over a subquery's rows, `InArray`
// over an array's elements).
const memberOf = (numeric: boolean, v: unknown, values: ReadonlyArray<unknown>): boolean | null | Failed => {
  let unknown = false
  for (const w of values) {
    if (isNull(w)) {
      unknown = true
      continue
    }
    const c = compareAs(numeric, v, w)
    if (isFailed(c)) return c
    if (c === 0) return true
  }
  return unknown ? null : false
}

/**
 * Compares two non-null values as `compareOrFail` does, or, when `numeric` (an expression whose text
 * values are `numeric` or `bigint`, see `isNumeric`), two texts by their numeric value.
 *
 * @category utils
 * @since 0.1.0
 */
export const compareAs = (numeric: boolean, a: unknown, b: unknown): number | Failed => {
  if (numeric && typeof a === 'string' && typeof b === 'string') {
    const c = Numeric.compare(a, b)
    if (c !== null) return c
  }
  return compareOrFail(a, b)
}

// Which expressions give numbers, as JavaScript numbers or as `numeric`/`bigint` text, whatever their
// operands' types: text from one of them compares by value. A column is one when the query layer marked
// it `numeric` or `bigint` from its table (`ColumnRef.decimal`); else its text compares as text.
const numericKinds: { readonly [K in Expr['_tag']]: (e: Extract<Expr, { readonly _tag: K }>) => boolean } = {
  ColumnRef: e => e.decimal !== undefined,
  Param: () => false,
  Bool: () => false,
  Compare: () => false,
  RowCompare: () => false,
  InList: () => false,
  IsNull: () => false,
  Not: () => false,
  NotTrue: () => false,
  And: () => false,
  Or: () => false,
  Like: () => false,
  Fragment: () => false,
  Exists: () => false,
  InSelect: () => false,
  InArray: () => false,
  Arith: () => true,
  Call: e =>
    e.fn === 'abs' || e.fn === 'round' || e.fn === 'neg'
      ? true
      : e.fn === 'coalesce'
        ? e.args.some(isNumeric)
        : e.fn === 'nullif'
          ? e.args.length > 0 && isNumeric(e.args[0] as Expr)
          : false,
  Cast: e => e.type === 'bigint' || e.type === 'numeric',
  Case: e =>
    e.whens.some(w => isNumeric(w.then)) || (e.otherwise._tag === 'Some' && isNumeric(e.otherwise.value)),
  Agg: e =>
    e.fn === 'count' || e.fn === 'sum' || e.fn === 'avg'
      ? true
      : (e.fn === 'min' || e.fn === 'max') && e.args.length > 0 && isNumeric(e.args[0] as Expr),
  Scalar: e =>
    e.select.columns.length === 1 && isNumeric((e.select.columns[0] as { readonly expr: Expr }).expr),
}

// Expressions whose numbers are doubles, whole or not: a `double precision` column (its reference says
// so, `ColumnRef.float`); arithmetic without `integer` answers a number only as a double, `round` of a
// number is `round(double precision)`, `sum` and `avg` answer a number only over doubles.
const isFloat = (e: Expr): boolean =>
  isExpr(e) &&
  ((e._tag === 'ColumnRef' && e.float === 'double') ||
    (e._tag === 'Arith' && !e.integer) ||
    (e._tag === 'Cast' && e.type === 'double') ||
    (e._tag === 'Call' &&
      ((e.fn === 'round' && e.args.length === 1) ||
        ((e.fn === 'abs' || (e.fn === 'neg' && e.integer !== true)) && isFloat(e.args[0] as Expr)))) ||
    (e._tag === 'Agg' &&
      (e.fn === 'sum' ||
        e.fn === 'avg' ||
        ((e.fn === 'min' || e.fn === 'max') && isFloat(e.args[0] as Expr)))))

// Expressions of an integer type whatever their operands' (a column's type is not in the AST).
const isInteger = (e: Expr): boolean =>
  isExpr(e) &&
  ((e._tag === 'Arith' && e.integer) ||
    (e._tag === 'Cast' && (e.type === 'integer' || e.type === 'bigint')) ||
    (e._tag === 'Call' && e.fn === 'neg' && e.integer === true) ||
    (e._tag === 'Agg' && e.fn === 'count'))

// A `bigint` column (its text is an integer's: `abs` of the least one is out of range, `round` of one
// is `round(double precision)`).
const isBigintColumn = (e: Expr): boolean => isExpr(e) && e._tag === 'ColumnRef' && e.decimal === 'bigint'

/**
 * Whether an expression's values are numbers, given as JavaScript numbers or as `numeric` or
 * `bigint` text (arithmetic, `count`, `sum`, `avg`, casts to those types, ...): its text values are
 * compared by value (`'10' > '9'`), where text of a column of unknown type compares as text.
 *
 * @category utils
 * @since 0.1.0
 */
export const isNumeric = (e: Expr): boolean => isExpr(e) && (numericKinds[e._tag] as (e: Expr) => boolean)(e)

/**
 * Sorts items in place, stably, by their keys in the given directions (ORDER BY, and an aggregate's
 * ORDER BY), or gives the first pair of keys no operator compares.
 *
 * @category utils
 * @since 0.1.0
 */
export const sortBy = <A>(
  items: Array<A>,
  keys: (a: A) => ReadonlyArray<unknown>,
  dirs: ReadonlyArray<Direction>,
): Failed | null => {
  let failed: Failed | null = null
  items.sort((x, y) => {
    const kx = keys(x)
    const ky = keys(y)
    for (let i = 0; i < dirs.length; i++) {
      const t = dirs[i] as Direction
      const a = kx[i]
      const b = ky[i]
      const an = isNull(a)
      const bn = isNull(b)
      if (an && bn) continue
      if (an) return t.nulls
      if (bn) return -t.nulls
      const c =
        t.array === true && Array.isArray(a) && Array.isArray(b)
          ? compareArrays(a, b)
          : compareAs(t.numeric, a, b)
      if (isFailed(c)) {
        failed ??= c
        return 0
      }
      if (c !== 0) return t.sign * c
    }
    return 0
  })
  return failed
}

/**
 * Whether two expressions are the same expression (as PostgreSQL matches an ORDER BY term with an
 * output, a DISTINCT ON term with the ORDER BY it must lead, or a grouped expression with GROUP BY).
 * PostgreSQL compares parameters by number, and the compiler gives every value its own (`$1` is not
 * `$2`, even for equal values, the same placeholder of a prepared query or the same node written
 * twice): an expression that holds a parameter is the same as no other, nor as itself elsewhere.
 *
 * @category utils
 * @since 0.1.0
 */
export const sameExpr = (a: Expr, b: Expr): boolean => {
  const x = exprText(a)
  return x !== null && x === exprText(b)
}

// An expression's structure as text (a bigint written apart from any text, which never holds NUL), or
// `null` for one that holds a parameter (see `sameExpr`) or a value JSON cannot write (a cycle), which
// then matches nothing. What a column reference tells this evaluator of its type (`ColumnRef.decimal`,
// `ColumnRef.json`, `ColumnRef.float`) is not part of the SQL: a column is the same column with or without it (a whole
// row's columns carry none).
const exprText = (e: Expr): string | null => {
  let param = false
  try {
    const text = JSON.stringify(e, function (this: unknown, k: string, v: unknown) {
      const holder = this as { readonly _tag?: unknown }
      if ((k === 'decimal' || k === 'json' || k === 'float') && holder._tag === 'ColumnRef') return undefined
      if (holdsParam(holder, k, v)) param = true
      return typeof v === 'bigint' ? `\u0000bigint ${v}` : v
    })
    return param ? null : text
  } catch {
    return null
  }
}

// Whether a value met in an expression's tree is compiled as a parameter: a value (`Param`), a list
// (`InList`, one array parameter), a fragment's arguments, a subquery's row count.
const holdsParam = (holder: { readonly _tag?: unknown }, k: string, v: unknown): boolean => {
  if (typeof v !== 'object' || v === null) return false
  const tag = (v as { readonly _tag?: unknown })._tag
  if (tag === 'Param' || tag === 'InList') return true
  if (tag === 'Fragment') return ((v as { readonly args?: ReadonlyArray<unknown> }).args ?? []).length > 0
  return holder._tag === 'Select' && (k === 'limit' || k === 'offset') && tag === 'Some'
}

/**
 * Whether every condition holds for the bound rows (WHERE and ON keep only true): the first one that
 * does not decides, and a failure before it is the answer.
 *
 * @category utils
 * @since 0.1.0
 */
export const holdsAll = (fs: ReadonlyArray<Eval>, env: Env): boolean | Failed => {
  for (let i = 0; i < fs.length; i++) {
    const v = (fs[i] as Eval)(env)
    if (v === true) continue
    return isFailed(v) ? v : false
  }
  return true
}

/**
 * The values of a list membership as they reach PostgreSQL (each as JSON when the list is compared
 * with a JSON column), or the error PostgreSQL raises for one.
 *
 * @category utils
 * @since 0.1.0
 */
export const listValues = (
  ctx: Ctx,
  e: Extract<Expr, { readonly _tag: 'InList' }>,
): E.Either<EvalError, ReadonlyArray<unknown>> =>
  e.json === true
    ? E.traverseArray((v: unknown) => parameter(ctx, v, true))(e.values)
    : (parameter(ctx, e.values, false) as E.Either<EvalError, ReadonlyArray<unknown>>)
