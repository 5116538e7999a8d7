/**
 * The select evaluator of the memory interpreter: a `Select` over in-memory tables, its expressions
 * compiled by `Eval`. It also chooses the rows an update or a delete changes (`matching`): a write's
 * filter is a select's, evaluated by the same code, so the two cannot disagree.
 *
 * Semantics follow PostgreSQL (the expressions' are `Eval`'s): inner and left joins, correlated EXISTS,
 * DISTINCT over whole output rows, NULLS LAST for ascending and NULLS FIRST for descending order unless
 * told, ORDER BY of a DISTINCT select only over its outputs (else 42P10), OFFSET and LIMIT, and the
 * top-N-per-group window of `Select.perParent`.
 *
 * Cost: each select is planned once. A binding is reached through a hash index (built once per table
 * and column, cached) whenever a conjunct equates one of its columns with something already bound, a
 * parameter or an outer row; correlated EXISTS subqueries therefore cost one index probe per outer row.
 * A probe finds exactly the rows a scan would: it is used only when the column's values and the key are
 * of one kind (`Value.kindOf`: numbers, text, dates, ...), where equal values have equal hash keys and
 * no pair fails to compare; otherwise (numbers against numeric text, a row without the column, values
 * no operator compares) the binding is scanned and the conjunct says what it says on every row.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import {
  isExpr,
  type Bind,
  type Binding,
  type Expr,
  type Join,
  type Select,
  type SelectField,
} from '../../ast/Expr.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import { show } from '../../error/Show.js'
import type { RawRow } from '../../run/Interpreter.js'
import {
  compareOrFail,
  compile,
  compileAll,
  evalAll,
  holdsAll,
  isFailed,
  listValues,
  settle,
  type Ctx,
  type Env,
  type Eval,
  type EvalError,
  type Failed,
  type Tables,
} from './Eval.js'
import * as Value from './Value.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What a select's rows come from: its bindings and conjuncts (a write's filter is one too). */
interface Source {
  readonly from: Binding
  readonly joins: ReadonlyArray<Join>
  readonly where: ReadonlyArray<Expr>
}

/** The bound rows of a source for the bound rows of the enclosing selects. */
type Run = (outer: Env) => ReadonlyArray<Env> | Failed

/** A binding with its rows. */
interface Bound {
  readonly alias: string
  readonly rows: ReadonlyArray<RawRow>
}

/**
 * A column's rows by hash key (`Value.keyOf`), and the one kind of its values: `null` when every value
 * is NULL, `mixed` when they are of several kinds or some row lacks the column.
 */
interface Index {
  readonly kind: Value.Kind | null | 'mixed'
  readonly rows: ReadonlyMap<unknown, ReadonlyArray<RawRow>>
}

/** How a binding's candidate rows are found: a full scan, or index probes by the values of some expressions. */
type Access =
  | { readonly _tag: 'Scan' }
  | {
      readonly _tag: 'Probe'
      readonly index: Index
      readonly keys: (env: Env) => ReadonlyArray<unknown> | Failed
    }

interface Step {
  readonly binding: Bound
  readonly left: boolean
  readonly access: Access
  /** Conditions of the match (a left join's ON, or the filters evaluable once this binding is bound). */
  readonly on: ReadonlyArray<Eval>
  /** Filters applied after the step (a left join's following WHERE conjuncts). */
  readonly post: ReadonlyArray<Eval>
}

// -------------------------------------------------------------------------------------
// internals: expressions
// -------------------------------------------------------------------------------------

const bad = (message: string): E.Either<EvalError, never> =>
  E.left(QueryError.make('InvalidArgument', message))

// The aliases an expression reads, a subquery's own bindings excluded. A record by tag: a new kind of
// expression is a type error here until it says what it reads.
const reads: {
  readonly [K in Expr['_tag']]: (e: Extract<Expr, { readonly _tag: K }>, out: Set<string>) => void
} = {
  ColumnRef: (e, out) => void out.add(e.alias),
  Param: () => undefined,
  Bool: () => undefined,
  Compare: (e, out) => void refsOf([e.left, e.right], out),
  InList: (e, out) => void refsOf([e.expr], out),
  IsNull: (e, out) => void refsOf([e.expr], out),
  Not: (e, out) => void refsOf([e.expr], out),
  NotTrue: (e, out) => void refsOf([e.expr], out),
  And: (e, out) => void refsOf(e.exprs, out),
  Or: (e, out) => void refsOf(e.exprs, out),
  Like: (e, out) => void refsOf([e.expr, e.pattern], out),
  Fragment: (e, out) => void refsOf(e.args, out),
  Exists: (e, out) => {
    const s = e.select
    const own = new Set([s.from.alias, ...s.joins.map(j => j.binding.alias)])
    const inner = refsOf([
      ...s.joins.map(j => j.on),
      ...s.where,
      ...s.orderBy.map(o => o.expr),
      ...s.columns.map(c => c.expr),
      ...(O.isSome(s.perParent) ? s.perParent.value.keys : []),
    ])
    for (const a of inner) if (!own.has(a)) out.add(a)
  },
}

const refsOf = (es: ReadonlyArray<Expr>, out: Set<string> = new Set()): Set<string> => {
  for (const e of es) if (isExpr(e)) (reads[e._tag] as (e: Expr, out: Set<string>) => void)(e, out)
  return out
}

// The aliases one expression reads. Nodes are frozen, so the answer is kept: the planner asks it of
// every conjunct for every binding it places.
const refs = new WeakMap<Expr, ReadonlySet<string>>()
const refsOfOne = (e: Expr): ReadonlySet<string> => {
  if (!isExpr(e)) return new Set()
  const hit = refs.get(e)
  if (hit !== undefined) return hit
  const out = refsOf([e])
  refs.set(e, out)
  return out
}

const conjuncts = (e: Expr): ReadonlyArray<Expr> =>
  isExpr(e) && e._tag === 'And' ? e.exprs.flatMap(conjuncts) : [e]

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
// internals: indexes and planning
// -------------------------------------------------------------------------------------

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
  let kind: Index['kind'] = null
  for (const r of rows) {
    const v = r[column]
    if (v === undefined) kind = 'mixed'
    if (v === null || v === undefined) continue
    const k: Index['kind'] = Value.kindOf(v)
    if (kind === null) kind = k
    else if (kind !== k) kind = 'mixed'
    const key = Value.keyOf(v)
    const bucket = index.get(key)
    if (bucket === undefined) index.set(key, [r])
    else bucket.push(r)
  }
  const out: Index = { kind, rows: index }
  byColumn.set(column, out)
  return out
}

// Whether an index answers probes exactly (see the module doc).
const exact = (index: Index): boolean => index.kind !== 'mixed' && index.kind !== 'other'

// Row lists already found to be lists of records. Tables come from untyped code as often as from a
// store: a list is checked once (the store replaces a table's list on every write, never edits it).
const rowLists = new WeakSet<object>()

const boundOf = (ctx: Ctx, b: Binding): E.Either<EvalError, Bound> => {
  const rows: unknown = ctx.tables.get(b.table)
  if (rows === undefined)
    return E.left(DbError.make('UndefinedTable', `relation "${b.table}" does not exist`, '42P01'))
  if (!Array.isArray(rows)) return bad(`Memory: table "${b.table}" holds ${show(rows)}, not a list of rows`)
  if (!rowLists.has(rows)) {
    for (const [k, r] of (rows as ReadonlyArray<unknown>).entries())
      if (typeof r !== 'object' || r === null || Array.isArray(r))
        return bad(`Memory: row ${k} of table "${b.table}" is ${show(r)}, not a record`)
    rowLists.add(rows)
  }
  return E.right({ alias: b.alias, rows: rows as ReadonlyArray<RawRow> })
}

const subset = (xs: ReadonlySet<string>, of: ReadonlySet<string>): boolean => {
  for (const x of xs) if (!of.has(x)) return false
  return true
}

// A column of the binding. The cheap tests come first: the planner asks this of every operand of
// every conjunct for every binding it places.
const isColumnOf = (
  alias: string,
  e: Expr,
): e is Extract<Expr, { readonly _tag: 'ColumnRef' }> & { readonly alias: string } =>
  typeof e === 'object' && e !== null && e._tag === 'ColumnRef' && e.alias === alias && isExpr(e)

// An access path for a binding from a conjunct, given what is bound already. A conjunct that does not
// compile gives none (compiling it as a filter reports the error).
const accessFrom = (ctx: Ctx, b: Bound, e: Expr, bound: ReadonlySet<string>): Access | null => {
  if (!isExpr(e)) return null
  if (e._tag === 'Compare' && e.op === 'eq')
    for (const [mine, other] of [
      [e.left, e.right],
      [e.right, e.left],
    ] as const) {
      if (!isColumnOf(b.alias, mine) || !subset(refsOfOne(other), bound)) continue
      const index = indexOf(b.rows, mine.column)
      if (!exact(index)) continue
      const x = compile({ ...ctx, scope: bound }, other)
      if (E.isLeft(x)) continue
      const key = x.right
      return {
        _tag: 'Probe',
        index,
        keys: env => {
          const k = key(env)
          return isFailed(k) ? k : [k]
        },
      }
    }
  if (e._tag === 'InList' && isColumnOf(b.alias, e.expr)) {
    const index = indexOf(b.rows, e.expr.column)
    const values = listValues(ctx, e)
    if (exact(index) && E.isRight(values)) return { _tag: 'Probe', index, keys: () => values.right }
  }
  return null
}

const bestAccess = (
  ctx: Ctx,
  b: Bound,
  cs: ReadonlyArray<Expr>,
  bound: ReadonlySet<string>,
): Access | null => {
  for (const c of cs) {
    const a = accessFrom(ctx, b, c, bound)
    if (a !== null) return a
  }
  return null
}

const scan: Access = { _tag: 'Scan' }

// Plans a source's bindings into steps. With inner joins only, the bindings may be taken in any order,
// so the planner starts from one it can probe and follows equalities; with a left join, the written
// order is kept. Every conjunct is compiled up front, so an error fails the select even where no row
// reaches it (as PostgreSQL fails a statement before it runs).
const plan = (ctx: Ctx, s: Source): E.Either<EvalError, ReadonlyArray<Step>> => {
  const from = boundOf(ctx, s.from)
  if (E.isLeft(from)) return from
  const joins: Array<{ readonly j: Join; readonly b: Bound }> = []
  for (const j of s.joins) {
    const b = boundOf(ctx, j.binding)
    if (E.isLeft(b)) return b
    joins.push({ j, b: b.right })
  }
  const own = new Set([s.from.alias, ...s.joins.map(j => j.binding.alias)])
  if (own.size !== s.joins.length + 1) return bad('a select binds the same alias twice')
  const where = s.where.flatMap(conjuncts)
  const ons = joins.map(({ j }) => conjuncts(j.on))
  const inner = { ...ctx, scope: new Set([...ctx.scope, ...own]) }
  const compiled = new Map<Expr, Eval>()
  for (const c of [...where, ...ons.flat()]) {
    const f = compile(inner, c)
    if (E.isLeft(f)) return f
    compiled.set(c, f.right)
  }
  const evalOf = (c: Expr): Eval => compiled.get(c) as Eval
  const steps: Array<Step> = []
  const bound = new Set(ctx.scope)
  if (joins.every(({ j }) => j.kind === 'inner')) {
    const all = [...where, ...ons.flat()]
    const used = new Set<Expr>()
    const pending = [from.right, ...joins.map(x => x.b)]
    while (pending.length > 0) {
      let pick = -1
      let access: Access | null = null
      for (let i = 0; i < pending.length && access === null; i++) {
        access = bestAccess(ctx, pending[i] as Bound, all, bound)
        if (access !== null) pick = i
      }
      if (pick < 0) pick = 0
      const b = pending.splice(pick, 1)[0] as Bound
      bound.add(b.alias)
      const ready = all.filter(c => !used.has(c) && subset(refsOfOne(c), bound))
      for (const c of ready) used.add(c)
      steps.push({ binding: b, left: false, access: access ?? scan, on: ready.map(evalOf), post: [] })
    }
    return E.right(steps)
  }
  bound.add(from.right.alias)
  const early = where.filter(c => subset(refsOfOne(c), bound))
  steps.push({
    binding: from.right,
    left: false,
    access: bestAccess(ctx, from.right, early, new Set(ctx.scope)) ?? scan,
    on: early.map(evalOf),
    post: [],
  })
  joins.forEach(({ j, b }, i) => {
    const on = ons[i] as ReadonlyArray<Expr>
    const access = bestAccess(ctx, b, on, bound) ?? scan
    bound.add(b.alias)
    const last = i === joins.length - 1
    steps.push({
      binding: b,
      left: j.kind === 'left',
      access,
      on: on.map(evalOf),
      post: last ? where.filter(c => !early.includes(c)).map(evalOf) : [],
    })
  })
  return E.right(steps)
}

// The rows a step tries. A key of another kind than the column's (or one that failed) could compare
// equal to, or fail against, rows a probe would not find: those are scanned.
const candidates = (step: Step, env: Env): ReadonlyArray<RawRow> => {
  const access = step.access
  if (access._tag === 'Scan') return step.binding.rows
  const { kind, rows } = access.index
  const keys = access.keys(env)
  if (isFailed(keys)) return step.binding.rows
  if (keys.length === 1) {
    const k = keys[0]
    if (k === null || k === undefined) return []
    if (Value.kindOf(k) !== kind) return kind === null ? [] : step.binding.rows
    return rows.get(Value.keyOf(k)) ?? []
  }
  for (const k of keys)
    if (k !== null && k !== undefined && kind !== null && Value.kindOf(k) !== kind) return step.binding.rows
  const seen = new Set<unknown>()
  const out: Array<RawRow> = []
  for (const k of keys) {
    if (k === null || k === undefined) continue
    const kk = Value.keyOf(k)
    if (seen.has(kk)) continue
    seen.add(kk)
    const hit = rows.get(kk)
    if (hit !== undefined) for (const r of hit) out.push(r)
  }
  return out
}

const extend = (env: Env, alias: string, row: RawRow | null): Env => {
  const e = Object.create(env) as Record<string, RawRow | null>
  e[alias] = row
  return e
}

// No binding yet (every alias a compiled expression reads is in its scope, so bound before it runs).
const root = (): Env => ({})

// The bound rows of a source: FROM, joins and WHERE (before output, distinct, order and limit).
const compileRows = (ctx: Ctx, s: Source): E.Either<EvalError, Run> =>
  E.map((steps: ReadonlyArray<Step>): Run => outer => {
    let envs: ReadonlyArray<Env> = [outer]
    for (const step of steps) {
      const next: Array<Env> = []
      for (const env of envs) {
        let matched = false
        for (const row of candidates(step, env)) {
          const e = extend(env, step.binding.alias, row)
          const on = holdsAll(step.on, e)
          if (on !== true) {
            if (isFailed(on)) return on
            continue
          }
          matched = true
          const post = holdsAll(step.post, e)
          if (post === true) next.push(e)
          else if (isFailed(post)) return post
        }
        if (step.left && !matched) {
          const e = extend(env, step.binding.alias, null)
          const post = holdsAll(step.post, e)
          if (post === true) next.push(e)
          else if (isFailed(post)) return post
        }
      }
      envs = next
    }
    return envs
  })(plan(ctx, s))

const sameExpr = (a: Expr, b: Expr): boolean => JSON.stringify(a) === JSON.stringify(b)

interface Ranked {
  readonly row: Record<string, unknown>
  readonly keys: ReadonlyArray<unknown>
  readonly group: string
}

// Where each field of a select is evaluated. The compiler checks that every field is listed, so a new
// field of the select node is a type error here until this evaluator gives it a meaning (the SQL
// compiler's `clause` and `Check.select` are records of the same keys).
const evaluated: { readonly [K in SelectField]: 'compileRows' | 'compileSelect' } = {
  _tag: 'compileSelect',
  from: 'compileRows',
  joins: 'compileRows',
  where: 'compileRows',
  columns: 'compileSelect',
  distinct: 'compileSelect',
  orderBy: 'compileSelect',
  offset: 'compileSelect',
  limit: 'compileSelect',
  perParent: 'compileSelect',
}
void evaluated

// The whole select: rows, output columns, DISTINCT, ORDER BY, OFFSET, LIMIT.
const compileSelect = (
  ctx: Ctx,
  s: Select,
): E.Either<EvalError, (outer: Env) => ReadonlyArray<RawRow> | Failed> => {
  const scope = { ...ctx, scope: new Set([...ctx.scope, s.from.alias, ...s.joins.map(j => j.binding.alias)]) }
  return pipe(
    E.Do,
    E.apS('rows', compileRows(ctx, s)),
    E.apS(
      'outputs',
      compileAll(
        scope,
        s.columns.map(o => o.expr),
      ),
    ),
    E.chainFirst(() =>
      s.distinct && s.orderBy.some(t => !s.columns.some(o => sameExpr(o.expr, t.expr)))
        ? E.left(
            DbError.make(
              'Unknown',
              'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
              '42P10',
            ),
          )
        : E.right(undefined),
    ),
    E.apS(
      'order',
      compileAll(
        scope,
        s.orderBy.map(t => t.expr),
      ),
    ),
    E.apS('groups', compileAll(scope, O.isSome(s.perParent) ? s.perParent.value.keys : [])),
    E.map(({ rows, outputs, order, groups }) => {
      const names = s.columns.map(o => o.name)
      const terms = s.orderBy.map(t => ({
        sign: t.dir === 'asc' ? 1 : -1,
        // Where NULL goes: +1 after every value, -1 before.
        nulls: t.nulls === 'default' ? (t.dir === 'asc' ? 1 : -1) : t.nulls === 'last' ? 1 : -1,
      }))
      const skip = O.getOrElse(() => 0)(s.offset)
      const take = O.getOrElse(() => Infinity)(s.limit)
      const perParent = O.isSome(s.perParent)
        ? {
            skip: O.getOrElse(() => 0)(s.perParent.value.offset),
            take: O.getOrElse(() => Infinity)(s.perParent.value.limit),
          }
        : null
      return (outer: Env): ReadonlyArray<RawRow> | Failed => {
        const envs = rows(outer)
        if (isFailed(envs)) return envs
        let out: Array<Ranked> = []
        for (const env of envs) {
          const row: Record<string, unknown> = {}
          for (let i = 0; i < outputs.length; i++) {
            const v = (outputs[i] as Eval)(env)
            if (isFailed(v)) return v
            row[names[i] as string] = v
          }
          const keys = evalAll(order, env)
          if (isFailed(keys)) return keys
          const group = perParent === null ? null : evalAll(groups, env)
          if (isFailed(group)) return group
          out.push({ row, keys, group: group === null ? '' : rowKey(group) })
        }
        if (s.distinct && perParent === null) {
          const seen = new Set<string>()
          out = out.filter(x => {
            const k = rowKey(names.map(n => x.row[n]))
            if (seen.has(k)) return false
            seen.add(k)
            return true
          })
        }
        let failed: Failed | null = null
        if (terms.length > 0)
          out.sort((x, y) => {
            for (let i = 0; i < terms.length; i++) {
              const t = terms[i] as (typeof terms)[number]
              const a = x.keys[i]
              const b = y.keys[i]
              const an = a === null || a === undefined
              const bn = b === null || b === undefined
              if (an && bn) continue
              if (an) return t.nulls
              if (bn) return -t.nulls
              const c = compareOrFail(a, b)
              if (isFailed(c)) {
                failed ??= c
                return 0
              }
              if (c !== 0) return t.sign * c
            }
            return 0
          })
        if (failed !== null) return failed
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
    }),
  )
}

// `exists (select ...)`: whether the subquery has a row for the bound rows of its enclosing selects.
// Only the window can empty a non-empty source (outputs, order and DISTINCT keep some row), so without
// a per-parent window the rows are counted against OFFSET and LIMIT.
const exists = (ctx: Ctx, s: Select): E.Either<EvalError, Eval> => {
  if (O.isSome(s.perParent))
    return E.map((run: (outer: Env) => ReadonlyArray<RawRow> | Failed): Eval => env => {
      const r = run(env)
      return isFailed(r) ? r : r.length > 0
    })(compileSelect(ctx, s))
  const skip = O.getOrElse(() => 0)(s.offset)
  const take = O.getOrElse(() => Infinity)(s.limit)
  return E.map((run: Run): Eval => env => {
    const r = run(env)
    return isFailed(r) ? r : r.length > skip && take > 0
  })(compileRows(ctx, s))
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The context to compile a statement's expressions in: the tables, nothing bound yet, the values of a
 * prepared query's placeholders (none for a write), and this module's subqueries.
 *
 * @category constructors
 * @since 0.1.0
 */
export const context = (tables: Tables, bind?: Bind): Ctx => ({ tables, scope: new Set(), bind, exists })

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Evaluates one select over the tables. The select is taken as built by the AST companions (the
 * memory interpreter's `evaluate` checks untyped input first).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as Select from '../../ast/Select.js'
 * import * as Expr from '../../ast/Expr.js'
 * import { select } from './Read.js'
 * const s = Select.create({ table: 'users', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const tables = new Map([['users', [{ id: 2 }, { id: 1 }]]])
 * assert.deepStrictEqual(select(tables, s), E.right([{ id: 2 }, { id: 1 }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const select = (tables: Tables, s: Select, bind?: Bind): E.Either<EvalError, ReadonlyArray<RawRow>> =>
  pipe(
    compileSelect(context(tables, bind), s),
    E.chain(run => settle(run(root()))),
  )

/**
 * The rows of a binding's table for which every conjunct of `where` holds, in table order: the rows an
 * update or a delete with that filter changes, chosen as a select with that filter chooses them.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as Expr from '../../ast/Expr.js'
 * import { matching } from './Read.js'
 * const tables = new Map([['users', [{ id: 1, name: 'a\\b' }, { id: 2, name: 'ab' }]]])
 * const where = [Expr.like(Expr.column('t0', 'name'), Expr.param('a\\\\b'), false)]
 * assert.deepStrictEqual(matching(tables, { table: 'users', alias: 't0' }, where), E.right([{ id: 1, name: 'a\\b' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const matching = (
  tables: Tables,
  binding: Binding,
  where: ReadonlyArray<Expr>,
): E.Either<EvalError, ReadonlyArray<RawRow>> =>
  pipe(
    compileRows(context(tables), { from: binding, joins: [], where }),
    E.chain(run => settle(run(root()))),
    E.map(envs => {
      const hit = new Set(envs.map(env => env[binding.alias]))
      return (tables.get(binding.table) ?? []).filter(r => hit.has(r))
    }),
  )
