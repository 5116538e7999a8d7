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
 * An expression is compiled once (`compile`) into a function of the bound rows. What is known before a
 * row is read fails the compilation, as PostgreSQL fails a statement before it runs, whatever the
 * tables hold: a binding not in scope (42P01), a parameter PostgreSQL refuses (text with NUL, 22021), a
 * placeholder with no value, a plan reference no plan runner resolved, a fragment (SQL text:
 * `Unsupported`). What depends on the rows is a `Failed` value the compiled function returns in place
 * of a value: a column the row does not have (42703), two values no operator compares (42883), a LIKE
 * pattern whose escape is reached at its end (22025). Nothing throws.
 *
 * Subqueries (`exists`) are the select evaluator's, carried by the context (`Ctx.exists`): this module
 * knows expressions only, and `Read` imports it, not the other way round.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { isExpr, isPlaceholder, type Bind, type CompareOp, type Expr, type Select } from '../../ast/Expr.js'
import { isRef } from '../../ast/Write.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import { show } from '../../error/Show.js'
import * as Prepared from '../../query/Prepared.js'
import type { RawRow } from '../../run/Interpreter.js'
import { like } from './Like.js'
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
    return two(ctx, e.left, e.right, (l, r) => env => {
      const a = l(env)
      if (isNull(a) || isFailed(a)) return a ?? null
      const b = r(env)
      if (isNull(b) || isFailed(b)) return b ?? null
      if (json) return ok(Value.compareJson(a, b))
      const c = compareOrFail(a, b)
      return typeof c === 'number' ? ok(c) : c
    })
  },
  InList: (ctx, e) =>
    pipe(
      listValues(ctx, e),
      E.chain(values => {
        const json = e.json === true
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
            const c = json ? Value.compareJson(v, w) : compareOrFail(v, w)
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
 * const ctx = { tables: new Map(), scope: new Set(['t']), bind: undefined, exists: () => E.right(() => false) }
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
