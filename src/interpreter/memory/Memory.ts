/**
 * The memory interpreter: the reference semantics of the query AST. It evaluates the same `Select`
 * values the SQL compiler lowers, over plain in-memory tables (`source table -> rows`), and returns rows
 * in the representation postgres.js returns (int4 as numbers, int8 and numeric as text, `Date`s for
 * timestamptz), so decoding gives the same values on both interpreters. A property test checks that
 * PostgreSQL agrees with it on random models, rows and queries.
 *
 * Semantics follow PostgreSQL: three-valued logic (a comparison with NULL is unknown, WHERE keeps only
 * true, `NOT unknown` is unknown), `= any(list)`, LIKE / ILIKE with `%`, `_` and backslash escapes,
 * NULLS LAST for ascending and NULLS FIRST for descending order unless told, DISTINCT over whole output
 * rows, inner and left joins, correlated EXISTS. Text compares by code point, which is the order of the
 * `C` and `C.UTF-8` collations (the test database and embedded PGlite use them); under a
 * language-aware collation PostgreSQL orders text differently. ILIKE folds case one code point at a
 * time, as PostgreSQL does; the two agree on ASCII, and may differ on the few characters whose lower
 * case is longer than one code point. A `Fragment` is SQL text and cannot be evaluated here: it is a
 * `QueryError` `Unsupported`.
 *
 * Cost: each select is planned once. A binding is reached through a hash index (built once per table
 * and column, cached) whenever a conjunct equates one of its columns with something already bound, a
 * parameter or an outer row; correlated EXISTS subqueries therefore cost one index probe per outer row.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Check from '../../ast/Check.js'
import { depth, isExpr, isPlaceholder, maxDepth, param, type Bind, type Expr } from '../../ast/Expr.js'
import type { Select } from '../../ast/Select.js'
import * as DbError from '../../error/DbError.js'
import { show } from '../../error/Show.js'
import * as QueryError from '../../error/QueryError.js'
import type * as SchemaError from '../../error/SchemaError.js'
import * as Prepared from '../../query/Prepared.js'
import type * as Model from '../../schema/Model.js'
import type { Interpreter, RawRow } from '../../run/Interpreter.js'
import * as Run from '../../run/Run.js'
import * as Constraints from './Constraints.js'
import { like } from './Like.js'
import * as Value from './Value.js'
import * as Write from './Write.js'

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
 * What evaluating a select can fail with: a `QueryError` (`Unsupported` for a fragment, `InvalidArgument`
 * for a malformed select) or the `DbError` PostgreSQL would raise (unknown table or column, a LIKE
 * pattern ending in an escape, ORDER BY outside a DISTINCT select list).
 *
 * @category model
 * @since 0.1.0
 */
export type EvalError = QueryError.QueryError | DbError.DbError

// -------------------------------------------------------------------------------------
// internals: values
// -------------------------------------------------------------------------------------

// Evaluation errors travel as this private exception inside the module and become a Left at its edge.
class Failure {
  constructor(readonly error: EvalError) {}
}
const failWith = (error: EvalError): never => {
  throw new Failure(error)
}

/** A truth value of three-valued logic: `null` is unknown. */
type Truth = boolean | null

/**
 * Compares two strings by Unicode code point: negative, zero or positive, as a sort comparator.
 *
 * Total over untyped input: when either argument is not a string there is no order, and the result
 * is `NaN` (which `Array.prototype.sort` takes as "equal", so a sort never throws either).
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * assert.ok(Memory.compareText('a', 'b') < 0)
 * assert.ok(Number.isNaN(Memory.compareText('a', 1 as never)))
 *
 * @category utils
 * @since 0.1.0
 */
export const compareText = (a: string, b: string): number =>
  typeof a === 'string' && typeof b === 'string' ? Value.compareText(a, b) : NaN

// The evaluator's comparison: a pair PostgreSQL has no operator for fails the select as PostgreSQL
// fails it (42883).
const compareOrFail = (a: unknown, b: unknown): number => {
  const c = Value.compare(a, b)
  return c !== null
    ? c
    : failWith(
        DbError.make(
          'UndefinedFunction',
          `operator does not exist: ${typeof a} compared with ${typeof b} (${show(a)}, ${show(b)})`,
          '42883',
        ),
      )
}

/**
 * Compares two non-null values as PostgreSQL compares them: numbers (`NaN` equal to itself and above
 * every number), booleans (false < true), dates by instant, text by code point. A number against
 * numeric text (an int8 or numeric value as postgres.js returns it) compares as numbers.
 *
 * Total: for a pair PostgreSQL has no operator for (text against a boolean, say), or values that
 * cannot be read (a proxy whose traps throw, a cyclic JSON value), the result is `NaN`, "no order",
 * where a select comparing them is a `Left` (`DbError` `UndefinedFunction`, 42883). `NaN` is never
 * `0`, so an equality test on the result is false, and a sort takes it as "equal".
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * assert.strictEqual(Memory.compareValues(2, '10'), -1)
 * assert.ok(Number.isNaN(Memory.compareValues('x', true)))
 *
 * @category utils
 * @since 0.1.0
 */
export const compareValues = (a: unknown, b: unknown): number => {
  try {
    return Value.compare(a, b) ?? NaN
  } catch {
    return NaN
  }
}

const keyOf = Value.keyOf

// One distinct-row key for a list of values.
const rowKey = (vs: ReadonlyArray<unknown>): string =>
  vs
    .map(v =>
      v === null || v === undefined
        ? 'n'
        : v instanceof Date
          ? `d${v.getTime()}`
          : typeof v === 'string'
            ? `s${JSON.stringify(v)}`
            : typeof v === 'object'
              ? `o${JSON.stringify(v)}`
              : `${typeof v}${String(v)}`,
    )
    .join(',')

// -------------------------------------------------------------------------------------
// internals: compilation
// -------------------------------------------------------------------------------------

/** Bound rows by alias; a `null` row is the missing side of a left join. */
type Env = Readonly<Record<string, RawRow | null>>
type Eval = (env: Env) => unknown
type Run = (outer: Env) => ReadonlyArray<Env>

interface Ctx {
  readonly tables: Tables
  /** Aliases bound by enclosing selects (and, while compiling a select, its own bound so far). */
  readonly scope: ReadonlySet<string>
  /** The values of a prepared query's placeholders in this run. */
  readonly bind: Bind | undefined
}

// A value as it reaches PostgreSQL as a parameter (lone surrogates as U+FFFD), or PostgreSQL's error.
const parameterOrFail = (u: unknown): unknown => {
  const p = Value.parameter(u)
  return E.isRight(p) ? p.right : failWith(p.left)
}

// A JSON parameter as it reaches PostgreSQL (its JSON text read back), or the error it meets.
const jsonOrFail = (u: unknown): unknown => {
  const p = Value.jsonParameter(u)
  return E.isRight(p) ? p.right : failWith(p.left)
}

// A comparison with a JSON operand compares in jsonb's order, scalars of different kinds included.
const isJson = (e: Expr): boolean =>
  isExpr(e) && ((e._tag === 'Param' && e.json === true) || (e._tag === 'ColumnRef' && e.json !== undefined))

const bad = (message: string): never => failWith(QueryError.make('InvalidArgument', message))

const truth = (v: unknown): Truth => (v === null || v === undefined ? null : v === true)

type Handlers = { readonly [K in Expr['_tag']]: (ctx: Ctx, e: Extract<Expr, { readonly _tag: K }>) => Eval }

const holds: Readonly<Record<'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte', (c: number) => boolean>> = {
  eq: c => c === 0,
  neq: c => c !== 0,
  lt: c => c < 0,
  lte: c => c <= 0,
  gt: c => c > 0,
  gte: c => c >= 0,
}

const handlers: Handlers = {
  ColumnRef: (ctx, e) => {
    if (!ctx.scope.has(e.alias))
      return failWith(
        DbError.make('UndefinedTable', `missing FROM-clause entry for table "${e.alias}"`, '42P01'),
      )
    const { alias, column } = e
    return env => {
      const row = env[alias]
      if (row === null || row === undefined) return null
      const v = row[column]
      if (v === undefined)
        return failWith(DbError.make('UndefinedColumn', `column ${alias}.${column} does not exist`, '42703'))
      return v
    }
  },
  Param: (ctx, e) => {
    let v = e.value === undefined ? null : e.value
    if (isPlaceholder(v)) {
      if (ctx.bind === undefined || !ctx.bind.has(v)) return failWith(Prepared.unbound(v))
      v = ctx.bind.get(v) ?? null
    }
    const sent = e.json === true ? jsonOrFail(v) : parameterOrFail(v)
    return () => sent
  },
  Bool: (_, e) => {
    const v = e.value
    return () => v
  },
  Compare: (ctx, e) => {
    const l = compile(ctx, e.left)
    const r = compile(ctx, e.right)
    const ok = holds[e.op]
    const cmp = isJson(e.left) || isJson(e.right) ? Value.compareJson : compareOrFail
    return env => {
      const a = l(env)
      if (a === null || a === undefined) return null
      const b = r(env)
      if (b === null || b === undefined) return null
      return ok(cmp(a, b))
    }
  },
  InList: (ctx, e) => {
    const x = compile(ctx, e.expr)
    const values = (
      e.json === true ? e.values.map(jsonOrFail) : parameterOrFail(e.values)
    ) as ReadonlyArray<unknown>
    const cmp = e.json === true ? Value.compareJson : compareOrFail
    const hasNull = values.some(v => v === null || v === undefined)
    const keys = new Set(values.filter(v => v !== null && v !== undefined).map(keyOf))
    return env => {
      const v = x(env)
      if (v === null || v === undefined) return values.length === 0 ? false : null
      if (keys.has(keyOf(v))) return true
      for (const w of values) if (w !== null && w !== undefined && cmp(v, w) === 0) return true
      return hasNull ? null : false
    }
  },
  IsNull: (ctx, e) => {
    const x = compile(ctx, e.expr)
    return env => {
      const v = x(env)
      return v === null || v === undefined
    }
  },
  Not: (ctx, e) => {
    const x = compile(ctx, e.expr)
    return env => {
      const t = truth(x(env))
      return t === null ? null : !t
    }
  },
  NotTrue: (ctx, e) => {
    const x = compile(ctx, e.expr)
    return env => truth(x(env)) !== true
  },
  And: (ctx, e) => {
    const xs = e.exprs.map(x => compile(ctx, x))
    return env => {
      let unknown = false
      for (const x of xs) {
        const t = truth(x(env))
        if (t === false) return false
        if (t === null) unknown = true
      }
      return unknown ? null : true
    }
  },
  Or: (ctx, e) => {
    const xs = e.exprs.map(x => compile(ctx, x))
    return env => {
      let unknown = false
      for (const x of xs) {
        const t = truth(x(env))
        if (t === true) return true
        if (t === null) unknown = true
      }
      return unknown ? null : false
    }
  },
  Like: (ctx, e) => {
    const x = compile(ctx, e.expr)
    const p = compile(ctx, e.pattern)
    const ci = e.caseInsensitive
    return env => {
      const s = x(env)
      const pattern = p(env)
      if (s === null || s === undefined || pattern === null || pattern === undefined) return null
      const r = like(String(s), String(pattern), ci)
      return E.isRight(r) ? r.right : failWith(r.left)
    }
  },
  Fragment: () =>
    failWith(
      QueryError.make(
        'Unsupported',
        'a SQL fragment cannot be evaluated by the memory interpreter (it is PostgreSQL text)',
      ),
    ),
  Exists: (ctx, e) => {
    const run = compileSelectRows(ctx, e.select)
    const limited = O.isSome(e.select.limit) || O.isSome(e.select.offset)
    const skip = O.getOrElse(() => 0)(e.select.offset)
    const take = O.getOrElse(() => Infinity)(e.select.limit)
    return env => (limited ? run(env).length > skip && take > 0 : run(env).length > 0)
  },
}

// Only a node built by the AST companions is evaluated as one; any other value in an expression's place
// (whatever its shape) is a value, as the SQL compiler makes it a parameter.
const compile = (ctx: Ctx, e: Expr): Eval =>
  isExpr(e) ? (handlers[e._tag] as (ctx: Ctx, e: Expr) => Eval)(ctx, e) : handlers.Param(ctx, param(e))

// The aliases an expression reads (a subquery's own bindings excluded).
const refsOf = (e: Expr, out: Set<string> = new Set()): Set<string> => {
  if (!isExpr(e)) return out
  switch (e._tag) {
    case 'ColumnRef':
      out.add(e.alias)
      break
    case 'Param':
    case 'Bool':
      break
    case 'Compare':
      refsOf(e.left, out)
      refsOf(e.right, out)
      break
    case 'InList':
    case 'IsNull':
    case 'Not':
    case 'NotTrue':
      refsOf(e.expr, out)
      break
    case 'And':
    case 'Or':
      for (const x of e.exprs) refsOf(x, out)
      break
    case 'Like':
      refsOf(e.expr, out)
      refsOf(e.pattern, out)
      break
    case 'Fragment':
      for (const x of e.args) refsOf(x, out)
      break
    case 'Exists': {
      const s = e.select
      const own = new Set([s.from.alias, ...s.joins.map(j => j.binding.alias)])
      const inner = new Set<string>()
      for (const j of s.joins) refsOf(j.on, inner)
      for (const w of s.where) refsOf(w, inner)
      for (const o of s.orderBy) refsOf(o.expr, inner)
      for (const c of s.columns) refsOf(c.expr, inner)
      for (const a of inner) if (!own.has(a)) out.add(a)
      break
    }
  }
  return out
}

const conjuncts = (e: Expr): ReadonlyArray<Expr> => (e._tag === 'And' ? e.exprs.flatMap(conjuncts) : [e])

// -------------------------------------------------------------------------------------
// internals: indexes and planning
// -------------------------------------------------------------------------------------

type Index = ReadonlyMap<unknown, ReadonlyArray<RawRow>>
const indexes = new WeakMap<ReadonlyArray<RawRow>, Map<string, Index>>()

const indexOf = (rows: ReadonlyArray<RawRow>, column: string): Index => {
  let byColumn = indexes.get(rows)
  if (byColumn === undefined) {
    byColumn = new Map()
    indexes.set(rows, byColumn)
  }
  const hit = byColumn.get(column)
  if (hit !== undefined) return hit
  const index = new Map<unknown, Array<RawRow>>()
  for (const r of rows) {
    const v = r[column]
    if (v === null || v === undefined) continue
    const k = keyOf(v)
    const bucket = index.get(k)
    if (bucket === undefined) index.set(k, [r])
    else bucket.push(r)
  }
  byColumn.set(column, index)
  return index
}

interface Binding {
  readonly table: string
  readonly alias: string
  readonly rows: ReadonlyArray<RawRow>
}

/** How a binding's candidate rows are found: a full scan, or index probes by the values of some expressions. */
type Access =
  | { readonly _tag: 'Scan' }
  | { readonly _tag: 'Probe'; readonly column: string; readonly keys: (env: Env) => ReadonlyArray<unknown> }

interface Step {
  readonly binding: Binding
  readonly left: boolean
  readonly access: Access
  /** Conditions of the match (a left join's ON, or the filters evaluable once this binding is bound). */
  readonly on: ReadonlyArray<Eval>
  /** Filters applied after the step (a left join's following WHERE conjuncts). */
  readonly post: ReadonlyArray<Eval>
}

const bindingOf = (ctx: Ctx, b: { readonly table: string; readonly alias: string }): Binding => {
  const rows: unknown = ctx.tables.get(b.table)
  if (rows === undefined)
    return failWith(DbError.make('UndefinedTable', `relation "${b.table}" does not exist`, '42P01'))
  return { table: b.table, alias: b.alias, rows: checkedRows(b.table, rows) }
}

// Row lists already found to be lists of records. Tables come from untyped code as often as from a
// store: a list is checked once (the store replaces a table's list on every write, never edits it).
const rowLists = new WeakSet<object>()

const checkedRows = (table: string, rows: unknown): ReadonlyArray<RawRow> => {
  if (!Array.isArray(rows)) return bad(`Memory: table "${table}" holds ${show(rows)}, not a list of rows`)
  if (rowLists.has(rows)) return rows as ReadonlyArray<RawRow>
  for (const [k, r] of (rows as ReadonlyArray<unknown>).entries())
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      return bad(`Memory: row ${k} of table "${table}" is ${show(r)}, not a record`)
  rowLists.add(rows)
  return rows as ReadonlyArray<RawRow>
}

const subset = (xs: ReadonlySet<string>, of: ReadonlySet<string>): boolean => {
  for (const x of xs) if (!of.has(x)) return false
  return true
}

// An access path for `alias` from a conjunct, given what is bound already.
const accessFrom = (ctx: Ctx, alias: string, e: Expr, bound: ReadonlySet<string>): Access | null => {
  if (e._tag === 'Compare' && e.op === 'eq') {
    for (const [mine, other] of [
      [e.left, e.right],
      [e.right, e.left],
    ] as const) {
      if (mine._tag === 'ColumnRef' && mine.alias === alias && subset(refsOf(other), bound)) {
        const x = compile({ ...ctx, scope: bound }, other)
        return { _tag: 'Probe', column: mine.column, keys: env => [x(env)] }
      }
    }
  }
  if (e._tag === 'InList' && e.expr._tag === 'ColumnRef' && e.expr.alias === alias) {
    const values = e.values
    return { _tag: 'Probe', column: e.expr.column, keys: () => values }
  }
  return null
}

const bestAccess = (
  ctx: Ctx,
  alias: string,
  cs: ReadonlyArray<Expr>,
  bound: ReadonlySet<string>,
): Access | null => {
  for (const c of cs) {
    const a = accessFrom(ctx, alias, c, bound)
    if (a !== null) return a
  }
  return null
}

// Plans a select's bindings into steps. With inner joins only, the bindings may be taken in any order,
// so the planner starts from one it can probe and follows equalities; with a left join, the written
// order is kept.
const plan = (ctx: Ctx, s: Select): ReadonlyArray<Step> => {
  const from = bindingOf(ctx, s.from)
  const joins = s.joins.map(j => ({ j, b: bindingOf(ctx, j.binding) }))
  const own = new Set([s.from.alias, ...s.joins.map(j => j.binding.alias)])
  if (own.size !== s.joins.length + 1) return bad('a select binds the same alias twice')
  const where = s.where.flatMap(conjuncts)
  const steps: Array<Step> = []
  const bound = new Set(ctx.scope)
  const evalIn = (e: Expr) => compile({ ...ctx, scope: new Set([...ctx.scope, ...own]) }, e)
  // Compiled once up front so that a reference to an unknown alias fails even if never reached.
  for (const c of [...where, ...s.joins.map(j => j.on)]) evalIn(c)
  if (joins.every(({ j }) => j.kind === 'inner')) {
    const all = [...where, ...joins.flatMap(({ j }) => conjuncts(j.on))]
    const used = new Set<Expr>()
    const pending = [from, ...joins.map(x => x.b)]
    while (pending.length > 0) {
      let pick = -1
      let access: Access | null = null
      for (let i = 0; i < pending.length && access === null; i++) {
        access = bestAccess(ctx, (pending[i] as Binding).alias, all, bound)
        if (access !== null) pick = i
      }
      if (pick < 0) pick = 0
      const b = pending.splice(pick, 1)[0] as Binding
      bound.add(b.alias)
      const ready = all.filter(c => !used.has(c) && subset(refsOf(c), bound))
      for (const c of ready) used.add(c)
      steps.push({
        binding: b,
        left: false,
        access: access ?? { _tag: 'Scan' },
        on: ready.map(evalIn),
        post: [],
      })
    }
    return steps
  }
  bound.add(from.alias)
  const early = where.filter(c => subset(refsOf(c), bound))
  steps.push({
    binding: from,
    left: false,
    access: bestAccess(ctx, from.alias, early, new Set(ctx.scope)) ?? { _tag: 'Scan' },
    on: early.map(evalIn),
    post: [],
  })
  joins.forEach(({ j, b }, i) => {
    const on = conjuncts(j.on)
    const access = bestAccess(ctx, b.alias, on, bound) ?? { _tag: 'Scan' }
    bound.add(b.alias)
    const last = i === joins.length - 1
    steps.push({
      binding: b,
      left: j.kind === 'left',
      access,
      on: on.map(evalIn),
      post: last ? where.filter(c => !early.includes(c)).map(evalIn) : [],
    })
  })
  return steps
}

const candidates = (step: Step, env: Env): ReadonlyArray<RawRow> => {
  if (step.access._tag === 'Scan') return step.binding.rows
  const index = indexOf(step.binding.rows, step.access.column)
  const keys = step.access.keys(env)
  if (keys.length === 1) {
    const k = keys[0]
    return k === null || k === undefined ? [] : (index.get(keyOf(k)) ?? [])
  }
  const seen = new Set<unknown>()
  const out: Array<RawRow> = []
  for (const k of keys) {
    if (k === null || k === undefined) continue
    const kk = keyOf(k)
    if (seen.has(kk)) continue
    seen.add(kk)
    const rows = index.get(kk)
    if (rows !== undefined) for (const r of rows) out.push(r)
  }
  return out
}

const extend = (env: Env, alias: string, row: RawRow | null): Env => {
  const e = Object.create(env) as Record<string, RawRow | null>
  e[alias] = row
  return e
}

const allTrue = (fs: ReadonlyArray<Eval>, env: Env): boolean => {
  for (const f of fs) if (f(env) !== true) return false
  return true
}

// The bound rows of a select's FROM, joins and WHERE (before output, distinct, order and limit).
const compileSelectRows = (ctx: Ctx, s: Select): Run => {
  const steps = plan(ctx, s)
  return outer => {
    let envs: ReadonlyArray<Env> = [outer]
    for (const step of steps) {
      const next: Array<Env> = []
      for (const env of envs) {
        let matched = false
        for (const row of candidates(step, env)) {
          const e = extend(env, step.binding.alias, row)
          if (allTrue(step.on, e)) {
            matched = true
            if (allTrue(step.post, e)) next.push(e)
          }
        }
        if (step.left && !matched) {
          const e = extend(env, step.binding.alias, null)
          if (allTrue(step.post, e)) next.push(e)
        }
      }
      envs = next
    }
    return envs
  }
}

const sameExpr = (a: Expr, b: Expr): boolean => JSON.stringify(a) === JSON.stringify(b)

// The whole select: rows, output columns, DISTINCT, ORDER BY, OFFSET, LIMIT.
const compileSelect = (ctx: Ctx, s: Select): ((outer: Env) => ReadonlyArray<RawRow>) => {
  const rows = compileSelectRows(ctx, s)
  const scope = { ...ctx, scope: new Set([...ctx.scope, s.from.alias, ...s.joins.map(j => j.binding.alias)]) }
  const outputs = s.columns.map(o => ({ name: o.name, value: compile(scope, o.expr) }))
  if (s.distinct)
    for (const t of s.orderBy)
      if (!s.columns.some(o => sameExpr(o.expr, t.expr)))
        failWith(
          DbError.make(
            'Unknown',
            'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
            '42P10',
          ),
        )
  const order = s.orderBy.map(t => ({
    value: compile(scope, t.expr),
    sign: t.dir === 'asc' ? 1 : -1,
    // Where NULL goes: +1 after every value, -1 before.
    nulls: t.nulls === 'default' ? (t.dir === 'asc' ? 1 : -1) : t.nulls === 'last' ? 1 : -1,
  }))
  const skip = O.getOrElse(() => 0)(s.offset)
  const take = O.getOrElse(() => Infinity)(s.limit)
  const perParent = O.isSome(s.perParent)
    ? {
        keys: s.perParent.value.keys.map(k => compile(scope, k)),
        skip: O.getOrElse(() => 0)(s.perParent.value.offset),
        take: O.getOrElse(() => Infinity)(s.perParent.value.limit),
      }
    : null
  return outer => {
    const envs = rows(outer)
    let out = envs.map(env => {
      const row: Record<string, unknown> = {}
      for (const o of outputs) row[o.name] = o.value(env)
      return {
        row,
        keys: order.map(t => t.value(env)),
        group: perParent === null ? '' : rowKey(perParent.keys.map(k => k(env))),
      }
    })
    if (s.distinct && perParent === null) {
      const seen = new Set<string>()
      out = out.filter(x => {
        const k = rowKey(outputs.map(o => x.row[o.name]))
        if (seen.has(k)) return false
        seen.add(k)
        return true
      })
    }
    if (order.length > 0)
      out.sort((x, y) => {
        for (let i = 0; i < order.length; i++) {
          const t = order[i] as (typeof order)[number]
          const a = x.keys[i]
          const b = y.keys[i]
          const an = a === null || a === undefined
          const bn = b === null || b === undefined
          if (an && bn) continue
          if (an) return t.nulls
          if (bn) return -t.nulls
          const c = compareOrFail(a, b)
          if (c !== 0) return t.sign * c
        }
        return 0
      })
    if (perParent !== null) {
      // Top-N per group: rank each row within its group in order, keep the window.
      const ranks = new Map<string, number>()
      out = out.filter(x => {
        const rank = (ranks.get(x.group) ?? 0) + 1
        ranks.set(x.group, rank)
        return rank > perParent.skip && rank <= perParent.skip + perParent.take
      })
    }
    const end = take === Infinity ? undefined : skip + take
    return out.slice(skip, end).map(x => Object.freeze(x.row))
  }
}

// Compiling recurses once per nesting level. The query layer bounds a predicate at `maxDepth`; the
// subqueries of preloads and throughs add levels of their own, so the bound here is looser, and only
// a select built by hand past it is refused (a typed error instead of a stack overflow).
const evalMaxDepth = 10 * maxDepth

const tooDeep = (s: Select): QueryError.QueryError | null => {
  const exprs = [
    ...s.where,
    ...s.joins.map(j => j.on),
    ...s.columns.map(c => c.expr),
    ...s.orderBy.map(t => t.expr),
  ]
  for (const e of exprs) {
    const d = depth(e)
    if (d > evalMaxDepth)
      return QueryError.make(
        'InvalidArgument',
        `an expression nested ${d} deep is deeper than the ${evalMaxDepth} levels the memory interpreter evaluates`,
      )
  }
  return null
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Evaluates one select over the tables, synchronously. Total over untyped input: tables that are not a
 * `Map` of lists of records, a select no `Ast` companion built (or one `Ast.Check` refuses), or a
 * binding that is not a `Map` is a `QueryError` `InvalidArgument` naming `Memory.evaluate`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Memory } from 'quiver-sql'
 * const s = Ast.Select.create({ table: 'users', alias: 't0' }, [{ name: 'id', expr: Ast.Expr.column('t0', 'id') }])
 * const tables = new Map([['users', [{ id: 2 }, { id: 1 }]]])
 * assert.deepStrictEqual(Memory.evaluate(tables)(s), E.right([{ id: 2 }, { id: 1 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const evaluate =
  (tables: Tables) =>
  (s: Select, bind?: Bind): E.Either<EvalError, ReadonlyArray<RawRow>> => {
    try {
      const invalid = checkInput(tables, s, bind)
      if (invalid !== null) return E.left(invalid)
      const deep = tooDeep(s)
      if (deep !== null) return E.left(deep)
      return E.right(compileSelect({ tables, scope: new Set(), bind }, s)({}))
    } catch (u) {
      // Anything else thrown comes from input nothing checked deeply enough (a row whose getter
      // throws, a cyclic JSON value compared with itself): a Left too, never an exception.
      return E.left(u instanceof Failure ? u.error : QueryError.unreadable('Memory.evaluate', u))
    }
  }

const isMap = (u: unknown): u is ReadonlyMap<unknown, unknown> => {
  try {
    return u instanceof Map
  } catch {
    // a proxy whose getPrototypeOf trap throws
    return false
  }
}

// Selects that passed `Check.select`: nodes are frozen, so a select checked once stays valid (a
// prepared query's select comes again in every run).
const checkedSelects = new WeakSet<object>()

// The arguments of `evaluate` from untyped code: tables that are not a map, a select no companion
// built (or holding what none can evaluate), a binding that is not a map.
const checkInput = (tables: unknown, s: unknown, bind: unknown): QueryError.QueryError | null => {
  const invalid = (what: string) => QueryError.make('InvalidArgument', `Memory.evaluate: ${what}`)
  if (!isMap(tables)) return invalid(`expected tables as a Map of table name to rows, got ${show(tables)}`)
  if (bind !== undefined && !isMap(bind))
    return invalid(`expected the values of placeholders as a Map, got ${show(bind)}`)
  if (typeof s === 'object' && s !== null && checkedSelects.has(s)) return null
  const problem = Check.select(s)
  if (problem !== undefined) return invalid(`${problem} (got ${show(s)})`)
  checkedSelects.add(s as object)
  return null
}

/**
 * A memory database: an interpreter and the tables it currently holds. Writes replace the tables (the
 * given ones are never mutated); `transact` restores them when the program fails. Identity sequences
 * live beside the tables and, as in PostgreSQL, are not rolled back.
 *
 * @category model
 * @since 0.1.0
 */
export interface Store {
  readonly interpreter: Interpreter
  readonly tables: () => Tables
}

/**
 * A memory database over some tables, enforcing the given constraints (see `Constraints.fromModel`
 * for the ones `Ddl.ddl` declares; none by default).
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * const db = Memory.store(new Map([['users', [{ id: 1 }]]]))
 * assert.deepStrictEqual(db.tables().get('users'), [{ id: 1 }])
 *
 * @category constructors
 * @since 0.1.0
 */
export const store = (tables: Tables, constraints: Constraints.Constraints = Constraints.none): Store => {
  let current = tables
  let sequences: Write.Sequences = new Map()
  const i: Interpreter = {
    _tag: 'Interpreter',
    name: 'memory',
    select: (s, bind) => TE.fromEither(evaluate(current)(s, bind)),
    write: w =>
      TE.fromEither(
        pipe(
          Write.write(current, w, { constraints, sequences }),
          E.map(r => {
            current = r.tables
            sequences = r.sequences
            return r.rows
          }),
        ),
      ),
    transact: program =>
      transact(
        i,
        program,
        () => current,
        t => (current = t),
      ),
  }
  return { interpreter: i, tables: () => current }
}

const isEither = (u: unknown): u is E.Either<unknown, unknown> => {
  try {
    if (typeof u !== 'object' || u === null) return false
    const tag = (u as { readonly _tag?: unknown })._tag
    return (tag === 'Left' && 'left' in u) || (tag === 'Right' && 'right' in u)
  } catch {
    return false
  }
}

// A program from untyped code may be no function, throw, give no task, reject or settle to something
// that is not an Either: each is a Left (the tables as before), so `transact` always settles to one.
const transact =
  <Err, A>(
    i: Interpreter,
    program: (i: Interpreter) => TE.TaskEither<Err, A>,
    get: () => Tables,
    set: (t: Tables) => void,
  ): TE.TaskEither<Err | DbError.DbError | QueryError.QueryError, A> =>
  async () => {
    const before = get()
    const refuse = (what: string): E.Either<QueryError.QueryError, never> => {
      set(before)
      return E.left(QueryError.make('InvalidArgument', `the memory interpreter's transact: ${what}`))
    }
    if (typeof program !== 'function')
      return refuse(`expected a program (interpreter) => task, got ${show(program)}`)
    let r: unknown
    try {
      const task: unknown = program(i)
      if (typeof task !== 'function') return refuse(`the program gave ${show(task)}, not a task`)
      r = await (task as () => Promise<unknown>)()
    } catch (u) {
      set(before)
      return E.left(QueryError.unreadable("the memory interpreter's transact", u))
    }
    if (!isEither(r)) return refuse(`the program's task settled to ${show(r)}, not an Either`)
    if (E.isLeft(r)) set(before)
    return r as E.Either<Err, A>
  }

/**
 * A memory database for a model: its tables (from `tables`, a missing one empty) under the
 * constraints `Ddl.ddl` would create for it, so a write PostgreSQL refuses is refused here too.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Memory, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const db = Memory.storeOf(Schema.modelOrThrow({ user }, {}))
 * assert.deepStrictEqual(E.map((s: Memory.Store) => s.tables().get('users'))(db), E.right([]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const storeOf = (
  model: Model.AnyModel,
  tables: Tables = new Map(),
): E.Either<SchemaError.SchemaError | QueryError.QueryError, Store> => {
  if (!isMap(tables))
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `Memory.storeOf: expected tables as a Map of table name to rows, got ${show(tables)}`,
      ),
    )
  try {
    return pipe(
      Constraints.fromModel(model),
      E.map(c => {
        const all = new Map(tables)
        for (const t of c.tables.keys()) if (!all.has(t)) all.set(t, [])
        return store(all, c)
      }),
    )
  } catch (u) {
    // A value shaped enough like a model to pass `Ddl.ddl`, whose parts then throw when read.
    return E.left(QueryError.unreadable('Memory.storeOf', u))
  }
}

/**
 * The memory interpreter over some tables (see `store` to read the tables back after writes).
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * const i = Memory.interpreter(new Map([['users', [{ id: 1, name: 'ada', email: null }]]]))
 * assert.strictEqual(i.name, 'memory')
 *
 * @category constructors
 * @since 0.1.0
 */
export const interpreter = (tables: Tables): Interpreter => store(tables).interpreter

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

// `Run`'s runners over in-memory tables: each makes an interpreter of the tables and runs there.
const runners = Run.on<Tables>('Memory', interpreter)

/**
 * Every row of the query, evaluated over in-memory tables: a dependency-free way to unit-test code
 * that builds queries.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const q = pipe(Query.from(M, 'user'), Query.where(u => Pred.like(u.name, 'a%')))
 * const tables = new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 1, name: 'ada' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const all: Run.Runners<Tables>['all'] = runners.all

/**
 * Exactly one row (else a `QueryError` `NotFound` / `TooMany`).
 *
 * @category destructors
 * @since 0.1.0
 */
export const one: Run.Runners<Tables>['one'] = runners.one

/**
 * The first row, if any.
 *
 * @category destructors
 * @since 0.1.0
 */
export const first: Run.Runners<Tables>['first'] = runners.first

/**
 * `Run.prepared` over in-memory tables: the prepared query's runner for some arguments.
 *
 * @category destructors
 * @since 0.1.0
 */
export const prepared: Run.Runners<Tables>['prepared'] = runners.prepared

/**
 * `Run.preloadInto` over in-memory tables.
 *
 * @category destructors
 * @since 0.1.0
 */
export const preloadInto: Run.Runners<Tables>['preloadInto'] = runners.preloadInto
