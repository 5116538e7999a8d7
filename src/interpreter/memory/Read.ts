/**
 * The select evaluator of the memory interpreter: a `Select` over in-memory tables, its expressions
 * compiled by `Eval`. It also chooses the rows an update or a delete changes (`matching`): a write's
 * filter is a select's, evaluated by the same code, so the two cannot disagree.
 *
 * Semantics follow PostgreSQL (the expressions' are `Eval`'s): inner, left, right and full joins,
 * correlated subqueries (EXISTS, scalar, `in`; one that reads no outer binding runs once per run),
 * GROUP BY (equal values, NULLs together, one group per value; with an aggregate or HAVING and no
 * GROUP BY the whole input is one group, an empty one included), HAVING over the groups, aggregates in
 * the outputs, HAVING and ORDER BY evaluated per group, a column neither grouped nor aggregated refused
 * (42803), DISTINCT over whole output rows, DISTINCT ON (the first row of each key in ORDER BY order,
 * whose leading terms must be its expressions, else 42P10), NULLS LAST for ascending and NULLS FIRST
 * for descending order unless told, ORDER BY of a DISTINCT select only over its outputs (else 42P10),
 * OFFSET and LIMIT, and the top-N-per-group window of `Select.perParent`. Groups and DISTINCT keys
 * compare values by type and value (`Value.rowKey`): numeric text of a `numeric` or `bigint`
 * expression by its numeric value, so `1.0` and `1.00` are one group, as on PostgreSQL (which of the
 * two texts the group shows is the first row's here, and unspecified there).
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
  selectChildren,
  type Bind,
  type Binding,
  type Count,
  type Expr,
  type Join,
  type JoinKind,
  type Select,
  type SelectField,
} from '../../ast/Expr.js'
import * as SelectAst from '../../ast/Select.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import { show } from '../../error/Show.js'
import * as Make from '../../query/Make.js'
import * as Prepared from '../../query/Prepared.js'
import type { RawRow } from '../../run/Interpreter.js'
import {
  compile,
  compileAll,
  direction,
  evalAll,
  group,
  holdsAll,
  isFailed,
  isNumeric,
  listValues,
  sameExpr,
  settle,
  sortBy,
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

/**
 * The outputs of a derived table (by its alias) that the select around it reads, or `null` for all of
 * them: PostgreSQL computes no other (see `readsOf`).
 */
type Reads = (alias: string) => ReadonlySet<string> | null
const readsAll: Reads = () => null

/** The bound rows of a source for the bound rows of the enclosing selects. */
type Run = (outer: Env) => ReadonlyArray<Env> | Failed

/**
 * A binding with its rows: a table's, or a derived table's select (`derived`), run once per run of the
 * enclosing source (per row before it when `lateral`).
 */
interface Bound {
  readonly alias: string
  readonly rows: ReadonlyArray<RawRow>
  readonly derived?: {
    readonly run: (env: Env) => ReadonlyArray<RawRow> | Failed
    readonly lateral: boolean
  }
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
  /** How the binding joins the steps before it (`inner` for the first). */
  readonly kind: JoinKind
  /** The aliases of the select bound before this step (NULL on a right join's unmatched row). */
  readonly before: ReadonlyArray<string>
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

// What an expression holds directly: expressions, and selects (subqueries). A record by tag: a new kind
// of expression is a type error here until it says what it holds.
interface Parts {
  readonly exprs: ReadonlyArray<Expr>
  readonly selects: ReadonlyArray<Select>
}
const leaf: Parts = { exprs: [], selects: [] }
// (A list, not rest arguments: an `or` of many thousand terms would exceed the argument limit.)
const of = (exprs: ReadonlyArray<Expr>): Parts => ({ exprs, selects: [] })
const parts: { readonly [K in Expr['_tag']]: (e: Extract<Expr, { readonly _tag: K }>) => Parts } = {
  ColumnRef: () => leaf,
  Param: () => leaf,
  Bool: () => leaf,
  Compare: e => of([e.left, e.right]),
  RowCompare: e => of([...e.left, ...e.right]),
  InList: e => of([e.expr]),
  IsNull: e => of([e.expr]),
  Not: e => of([e.expr]),
  NotTrue: e => of([e.expr]),
  And: e => of(e.exprs),
  Or: e => of(e.exprs),
  Like: e => of([e.expr, e.pattern]),
  Fragment: e => of(e.args),
  Exists: e => ({ exprs: [], selects: [e.select] }),
  Arith: e => of([e.left, e.right]),
  Call: e => of(e.args),
  Cast: e => of([e.expr]),
  Case: e =>
    of([
      ...e.whens.flatMap(w => [w.when, w.then]),
      ...(e.otherwise._tag === 'Some' ? [e.otherwise.value] : []),
    ]),
  Agg: e =>
    of([...e.args, ...(e.filter._tag === 'Some' ? [e.filter.value] : []), ...e.orderBy.map(t => t.expr)]),
  Scalar: e => ({ exprs: [], selects: [e.select] }),
  InSelect: e => ({ exprs: [e.expr], selects: [e.select] }),
  InArray: e => of([e.expr, e.array]),
}
const partsOf = (e: Expr): Parts => (isExpr(e) ? (parts[e._tag] as (e: Expr) => Parts)(e) : leaf)

const exprsOf = selectChildren

// The aliases a select binds: its own, and those its derived tables bind inside them (their
// expressions are walked as the select's: `selectChildren`).
const ownAliases = (s: Select, out: Set<string> = new Set()): Set<string> => {
  for (const b of [s.from, ...s.joins.map(j => j.binding)]) {
    out.add(b.alias)
    if (b.select !== undefined) ownAliases(b.select, out)
  }
  return out
}

// The aliases expressions read, a subquery's own bindings excluded.
const refsOf = (es: ReadonlyArray<Expr>, out: Set<string> = new Set()): Set<string> => {
  for (const e of es) {
    if (!isExpr(e)) continue
    if (e._tag === 'ColumnRef') {
      out.add(e.alias)
      continue
    }
    const p = partsOf(e)
    refsOf(p.exprs, out)
    for (const sub of p.selects) {
      const own = ownAliases(sub)
      for (const a of refsOf(exprsOf(sub))) if (!own.has(a)) out.add(a)
    }
  }
  return out
}

// The aggregates of a select's level among expressions: not those of its subqueries, nor those inside
// another aggregate (compiling them reports the nesting).
const aggregatesIn = (es: ReadonlyArray<Expr>, out: Array<Extract<Expr, { _tag: 'Agg' }>> = []) => {
  for (const e of es) {
    if (!isExpr(e)) continue
    if (e._tag === 'Agg') out.push(e)
    else aggregatesIn(partsOf(e).exprs, out)
  }
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

const boundOf = (ctx: Ctx, b: Binding, reads: Reads): E.Either<EvalError, Bound> => {
  if (b.select !== undefined) {
    const lateral = b.lateral === true
    return E.map((run: (env: Env) => ReadonlyArray<RawRow> | Failed): Bound => ({
      alias: b.alias,
      rows: [],
      derived: { run, lateral },
    }))(compileSelect(ctx, b.select, reads(b.alias)))
  }
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

// Whether equal values of a column have equal text: not so for `numeric` ('1.0' = '1.00'), whose
// equalities are scanned and compared by value.
const hashable = (e: Extract<Expr, { readonly _tag: 'ColumnRef' }>): boolean => e.decimal !== 'numeric'

// An access path for a binding from a conjunct, given what is bound already. A conjunct that does not
// compile gives none (compiling it as a filter reports the error).
const accessFrom = (ctx: Ctx, b: Bound, e: Expr, bound: ReadonlySet<string>): Access | null => {
  if (!isExpr(e)) return null
  if (e._tag === 'Compare' && e.op === 'eq')
    for (const [mine, other] of [
      [e.left, e.right],
      [e.right, e.left],
    ] as const) {
      if (!isColumnOf(b.alias, mine) || !hashable(mine) || !subset(refsOfOne(other), bound)) continue
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
  if (e._tag === 'InList' && isColumnOf(b.alias, e.expr) && hashable(e.expr)) {
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
  // A derived table's rows are computed when the step runs: scanned.
  if (b.derived !== undefined) return null
  for (const c of cs) {
    const a = accessFrom(ctx, b, c, bound)
    if (a !== null) return a
  }
  return null
}

const scan: Access = { _tag: 'Scan' }

// Plans a source's bindings into steps. With inner joins only, the bindings may be taken in any order,
// so the planner starts from one it can probe and follows equalities; with an outer join, the written
// order is kept, and a WHERE conjunct is applied early (to the first binding's rows) only when no
// right or full join may add rows with that binding NULL. Every conjunct is compiled up front, so an
// error fails the select even where no row reaches it (as PostgreSQL fails a statement before it runs).
const plan = (ctx: Ctx, s: Source, reads: Reads): E.Either<EvalError, ReadonlyArray<Step>> => {
  const from = boundOf(ctx, s.from, reads)
  if (E.isLeft(from)) return from
  const joins: Array<{ readonly j: Join; readonly b: Bound }> = []
  // A lateral derived table reads the bindings before it; another derived table only the enclosing
  // selects' (as PostgreSQL scopes them).
  const before = new Set([...ctx.scope, s.from.alias])
  for (const j of s.joins) {
    const b = boundOf(j.binding.lateral === true ? { ...ctx, scope: new Set(before) } : ctx, j.binding, reads)
    if (E.isLeft(b)) return b
    joins.push({ j, b: b.right })
    before.add(j.binding.alias)
  }
  const own = new Set([s.from.alias, ...s.joins.map(j => j.binding.alias)])
  if (own.size !== s.joins.length + 1) return bad('a select binds the same alias twice')
  // PostgreSQL evaluates a scan's conditions cheapest first (`order_qual_clauses`), and a condition
  // holding a subquery costs its whole plan: so the conditions without one run first, each group in
  // the written order. It matters only where one fails (a division by zero) on a row that another
  // drops: an `exists` false for every row does not spare the row the cheaper condition.
  const written = s.where.flatMap(conjuncts)
  const where = [...written.filter(c => !holdsSubquery(c)), ...written.filter(holdsSubquery)]
  const ons = joins.map(({ j }) => conjuncts(j.on))
  const inner = { ...ctx, scope: new Set([...ctx.scope, ...own]) }
  const compiled = new Map<Expr, Eval>()
  const places = [
    { cs: where, refuse: 'aggregate functions are not allowed in WHERE' },
    { cs: ons.flat(), refuse: 'aggregate functions are not allowed in JOIN conditions' },
  ]
  for (const { cs, refuse } of places)
    for (const c of cs) {
      const f = compile({ ...inner, refuseAggregates: refuse }, c)
      if (E.isLeft(f)) return f
      compiled.set(c, f.right)
    }
  const evalOf = (c: Expr): Eval => compiled.get(c) as Eval
  const steps: Array<Step> = []
  // What is bound before this select's own bindings: the enclosing selects' aliases, less those this
  // select binds again (SQL scoping: an inner binding shadows an outer one of the same alias, so a
  // conjunct reading it waits for the inner binding).
  const outer = [...ctx.scope].filter(a => !own.has(a))
  const bound = new Set(outer)
  // Derived tables are joined in the written order (a lateral one reads the bindings before it).
  if (
    joins.every(({ j }) => j.kind === 'inner') &&
    from.right.derived === undefined &&
    joins.every(({ b }) => b.derived === undefined)
  ) {
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
      steps.push({
        binding: b,
        kind: 'inner',
        before: [],
        access: access ?? scan,
        on: ready.map(evalOf),
        post: [],
      })
    }
    return E.right(steps)
  }
  bound.add(from.right.alias)
  const nullable = joins.some(({ j }) => j.kind === 'right' || j.kind === 'full')
  const early = nullable ? [] : where.filter(c => subset(refsOfOne(c), bound))
  steps.push({
    binding: from.right,
    kind: 'inner',
    before: [],
    access: bestAccess(ctx, from.right, early, new Set(outer)) ?? scan,
    on: early.map(evalOf),
    post: [],
  })
  joins.forEach(({ j, b }, i) => {
    const on = ons[i] as ReadonlyArray<Expr>
    // A right or full join must see every row of its binding: it scans them.
    const access = j.kind === 'right' || j.kind === 'full' ? scan : (bestAccess(ctx, b, on, bound) ?? scan)
    bound.add(b.alias)
    const last = i === joins.length - 1
    steps.push({
      binding: b,
      kind: j.kind,
      before: [s.from.alias, ...joins.slice(0, i).map(x => x.j.binding.alias)],
      access,
      on: on.map(evalOf),
      post: last ? where.filter(c => !early.includes(c)).map(evalOf) : [],
    })
  })
  return E.right(steps)
}

// The rows a step tries. A key of another kind than the column's (or one that failed) could compare
// equal to, or fail against, rows a probe would not find: those are scanned.
const candidates = (step: Step, env: Env, all: ReadonlyArray<RawRow>): ReadonlyArray<RawRow> => {
  const access = step.access
  if (access._tag === 'Scan') return all
  const { kind, rows } = access.index
  const keys = access.keys(env)
  if (isFailed(keys)) return all
  if (keys.length === 1) {
    const k = keys[0]
    if (k === null || k === undefined) return []
    if (Value.kindOf(k) !== kind) return kind === null ? [] : all
    return rows.get(Value.keyOf(k)) ?? []
  }
  for (const k of keys)
    if (k !== null && k !== undefined && kind !== null && Value.kindOf(k) !== kind) return all
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

// The bound rows of a source: FROM, joins and WHERE (before output, distinct, order and limit). A
// left or full join adds each row before it that matched no row of its binding, with the binding
// NULL; a right or full join adds each row of its binding that matched none, with the bindings before
// it NULL.
const compileRows = (ctx: Ctx, s: Source, reads: Reads = readsAll): E.Either<EvalError, Run> =>
  E.map((steps: ReadonlyArray<Step>): Run => outer => {
    let envs: ReadonlyArray<Env> = [outer]
    for (const step of steps) {
      const next: Array<Env> = []
      const keepLeft = step.kind === 'left' || step.kind === 'full'
      const keepRight = step.kind === 'right' || step.kind === 'full'
      const derived = step.binding.derived
      let table = step.binding.rows
      if (derived !== undefined && !derived.lateral) {
        const rows = derived.run(outer)
        if (isFailed(rows)) return rows
        table = rows
      }
      // Rows of the binding some row matched (a right or full join scans, so indexes are the table's).
      const hit = keepRight ? new Uint8Array(table.length) : null
      const emit = (e: Env): Failed | null => {
        const post = holdsAll(step.post, e)
        if (post === true) next.push(e)
        return isFailed(post) ? post : null
      }
      for (const env of envs) {
        let matched = false
        let rows: ReadonlyArray<RawRow>
        if (derived !== undefined && derived.lateral) {
          const r = derived.run(env)
          if (isFailed(r)) return r
          rows = r
        } else rows = candidates(step, env, table)
        for (let i = 0; i < rows.length; i++) {
          const e = extend(env, step.binding.alias, rows[i] as RawRow)
          const on = holdsAll(step.on, e)
          if (on !== true) {
            if (isFailed(on)) return on
            continue
          }
          matched = true
          if (hit !== null) hit[i] = 1
          const failed = emit(e)
          if (failed !== null) return failed
        }
        if (keepLeft && !matched) {
          const failed = emit(extend(env, step.binding.alias, null))
          if (failed !== null) return failed
        }
      }
      if (hit !== null) {
        const none = step.before.reduce((e, alias) => extend(e, alias, null), outer)
        for (let i = 0; i < hit.length; i++)
          if (hit[i] === 0) {
            const failed = emit(extend(none, step.binding.alias, table[i] as RawRow))
            if (failed !== null) return failed
          }
      }
      envs = next
    }
    return envs
  })(plan(ctx, s, reads))

interface Ranked {
  readonly row: Record<string, unknown>
  readonly keys: ReadonlyArray<unknown>
  /** The per-parent group's key (`Select.perParent`), else ''. */
  readonly parent: string
  /** The DISTINCT ON key, else ''. */
  readonly on: string
}

// Where each field of a select is evaluated. The compiler checks that every field is listed, so a new
// field of the select node is a type error here until this evaluator gives it a meaning (the SQL
// compiler's `clause` and `Check.select` are records of the same keys).
const evaluated: { readonly [K in SelectField]: 'compileRows' | 'compileSelect' } = {
  _tag: 'compileSelect',
  from: 'compileRows',
  joins: 'compileRows',
  where: 'compileRows',
  groupBy: 'compileSelect',
  having: 'compileSelect',
  columns: 'compileSelect',
  distinct: 'compileSelect',
  distinctOn: 'compileSelect',
  orderBy: 'compileSelect',
  offset: 'compileSelect',
  limit: 'compileSelect',
  perParent: 'compileSelect',
  keyed: 'compileSelect',
}
void evaluated

const watchedOf = (own: ReadonlySet<string>, keyed: ReadonlyArray<string>): ReadonlySet<string> =>
  keyed.length === 0 ? own : new Set([...own].filter(a => !keyed.includes(a)))

const groupingError = (message: string): E.Either<EvalError, never> =>
  E.left(DbError.make('Unknown', message, '42803'))

// The expressions evaluated once per group in a grouped select.
const perGroup = (s: Select): ReadonlyArray<Expr> => [
  ...s.columns.map(o => o.expr),
  ...s.having,
  ...s.orderBy.map(t => t.expr),
  ...s.distinctOn,
]

// A select is grouped by GROUP BY, by HAVING, or by an aggregate of its own in what it evaluates per
// group; then its rows are groups (one over the whole input without GROUP BY, even an empty one).
const isGrouped = (s: Select): boolean =>
  s.groupBy.length > 0 || s.having.length > 0 || aggregatesIn(perGroup(s)).length > 0

// The first column reference of a grouped select that is neither grouped nor inside an aggregate, as
// PostgreSQL's message names it (a reference from a subquery included), or null. `watched` are the
// grouped select's aliases that a subquery has not rebound.
const ungrouped = (
  e: Expr,
  groupBy: ReadonlyArray<Expr>,
  watched: ReadonlySet<string>,
  inSubquery: boolean,
): string | null => {
  if (!isExpr(e) || groupBy.some(g => sameExpr(g, e))) return null
  if (e._tag === 'Agg' && !inSubquery) return null
  if (e._tag === 'ColumnRef')
    return !watched.has(e.alias)
      ? null
      : inSubquery
        ? `subquery uses ungrouped column "${e.alias}.${e.column}" from outer query`
        : `column "${e.alias}.${e.column}" must appear in the GROUP BY clause or be used in an aggregate function`
  const p = partsOf(e)
  for (const x of p.exprs) {
    const m = ungrouped(x, groupBy, watched, inSubquery)
    if (m !== null) return m
  }
  for (const sub of p.selects) {
    const own = ownAliases(sub)
    const still = new Set([...watched].filter(a => !own.has(a)))
    if (still.size === 0) continue
    for (const x of exprsOf(sub)) {
      const m = ungrouped(x, groupBy, still, true)
      if (m !== null) return m
    }
  }
  return null
}

// What PostgreSQL refuses in a select before it reads a row: ORDER BY of a DISTINCT select outside its
// outputs, DISTINCT ON not leading ORDER BY (42P10), an ungrouped column in a grouped select (42803).
// An aggregate of only enclosing selects' columns belongs to the enclosing select in PostgreSQL; the
// memory interpreter does not evaluate one there (`Unsupported`).
const checkSelect = (s: Select, grouped: boolean): E.Either<EvalError, void> => {
  const own = ownAliases(s)
  if (
    s.distinctOn.length === 0 &&
    s.distinct &&
    s.orderBy.some(t => !s.columns.some(o => sameExpr(o.expr, t.expr)))
  )
    return E.left(
      DbError.make(
        'Unknown',
        'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
        '42P10',
      ),
    )
  if (s.distinctOn.length > 0 && s.orderBy.length > 0) {
    const leading = s.orderBy.findIndex(t => !s.distinctOn.some(d => sameExpr(d, t.expr)))
    const lead = leading < 0 ? s.orderBy : s.orderBy.slice(0, leading)
    if (!s.distinctOn.every(d => lead.some(t => sameExpr(d, t.expr))))
      return E.left(
        DbError.make(
          'Unknown',
          'SELECT DISTINCT ON expressions must match initial ORDER BY expressions',
          '42P10',
        ),
      )
  }
  for (const a of aggregatesIn(exprsOf(s))) {
    const reads = refsOf(partsOf(a).exprs)
    if (reads.size > 0 && ![...reads].some(r => own.has(r)))
      return E.left(
        QueryError.make(
          'Unsupported',
          "an aggregate of only an enclosing select's columns (PostgreSQL computes it in the enclosing select) cannot be evaluated by the memory interpreter",
        ),
      )
  }
  if (grouped)
    for (const e of perGroup(s)) {
      // A keyed binding's columns are functionally dependent on the group (see `Select.keyed`).
      const m = ungrouped(e, s.groupBy, watchedOf(own, s.keyed), false)
      if (m !== null) return groupingError(m)
    }
  return E.right(undefined)
}

// The columns of `alias` that expressions read, in subqueries too.
const columnsRead = (es: ReadonlyArray<Expr>, alias: string, out: Set<string>): Set<string> => {
  for (const e of es) {
    if (!isExpr(e)) continue
    if (e._tag === 'ColumnRef') {
      if (e.alias === alias) out.add(e.column)
      continue
    }
    const p = partsOf(e)
    columnsRead(p.exprs, alias, out)
    for (const sub of p.selects) columnsRead(exprsOf(sub), alias, out)
  }
  return out
}

// The outputs of each derived table of a select that the select reads: PostgreSQL replaces the others
// by NULL before it plans the subquery (`remove_unused_subquery_outputs`), so an output that would fail
// on a row (a division by zero) fails nothing unless it is read. Its own expressions only: a derived
// table's select reads its own bindings, a lateral one those before it as well.
const readsOf = (s: Select): Reads => {
  const mine: Array<Expr> = [
    ...s.columns.map(o => o.expr),
    ...s.where,
    ...s.joins.flatMap(j => [
      j.on,
      ...(j.binding.lateral === true && j.binding.select !== undefined ? exprsOf(j.binding.select) : []),
    ]),
    ...s.orderBy.map(t => t.expr),
    ...s.groupBy,
    ...s.having,
    ...s.distinctOn,
    ...(O.isSome(s.perParent) ? s.perParent.value.keys : []),
  ]
  const memo = new Map<string, ReadonlySet<string>>()
  return alias => {
    let hit = memo.get(alias)
    if (hit === undefined) memo.set(alias, (hit = columnsRead(mine, alias, new Set())))
    return hit
  }
}

// Whether an expression holds a subquery, a fragment (which may be volatile) or an aggregate of its own.
// Whether an expression holds a subquery, at any depth.
const holdsSubquery = (e: Expr): boolean => {
  if (!isExpr(e)) return false
  const p = partsOf(e)
  return p.selects.length > 0 || p.exprs.some(holdsSubquery)
}

const opaque = (e: Expr): boolean => {
  if (!isExpr(e)) return false
  if (e._tag === 'Fragment' || e._tag === 'Agg') return true
  const p = partsOf(e)
  return p.selects.length > 0 || p.exprs.some(opaque)
}

// PostgreSQL pushes a WHERE conjunct that reads only a derived table's outputs down into the derived
// table's select (`set_subquery_pathlist`: into its WHERE, or its HAVING when it reads an aggregate),
// where it filters rows before the outputs are computed; a subquery without an ORDER BY, LIMIT or
// grouping is even merged into the query around it, which evaluates the WHERE first all the same. So
// an output read only after such a filter is computed only on the rows that pass it. Not into a select
// with LIMIT, OFFSET or a per-parent window (the filter would change its rows), nor a
// lateral one, nor under a right or full join (the derived table's side is nullable there); under
// DISTINCT ON only a conjunct on the distinct expressions; not a conjunct with a subquery, a fragment
// or an aggregate, nor one reading a bare parameter output (its type is resolved apart).
const pushDown = (s: Select): Select => {
  const b = s.from
  const d = b.select
  if (
    d === undefined ||
    b.lateral === true ||
    O.isSome(d.limit) ||
    O.isSome(d.offset) ||
    O.isSome(d.perParent) ||
    s.joins.some(j => j.kind === 'right' || j.kind === 'full')
  )
    return s
  const outputs = new Map(d.columns.map(o => [o.name, o.expr]))
  const grouped = isGrouped(d)
  let where = d.where
  let having = d.having
  for (const c of s.where.flatMap(conjuncts)) {
    const reads = refsOfOne(c)
    if (reads.size !== 1 || !reads.has(b.alias) || opaque(c)) continue
    const replace = new Map<unknown, Expr>()
    let ok = true
    const visit = (e: Expr): void => {
      if (!isExpr(e) || !ok) return
      if (e._tag === 'ColumnRef') {
        const o = outputs.get(e.column)
        if (
          o === undefined ||
          !isExpr(o) ||
          o._tag === 'Param' ||
          o._tag === 'Fragment' ||
          // Under DISTINCT ON, only a condition on the distinct expressions keeps the rows it keeps.
          (d.distinctOn.length > 0 && !d.distinctOn.some(x => sameExpr(x, o)))
        )
          ok = false
        else replace.set(e, o)
        return
      }
      partsOf(e).exprs.forEach(visit)
    }
    visit(c)
    if (!ok) continue
    const q = Make.rewrite(() => undefined, replace)(c) as Expr
    if (!grouped) where = [...where, q]
    else if (aggregatesIn([q]).length > 0) having = [...having, q]
    // A condition without an aggregate filters rows before grouping; with no GROUP BY it is kept in
    // HAVING too (the one group of an empty input must still be dropped), as PostgreSQL keeps it.
    else if (d.groupBy.length > 0) where = [...where, q]
    else {
      where = [...where, q]
      having = [...having, q]
    }
  }
  if (where === d.where && having === d.having) return s
  const pushed = SelectAst.set('having', having)(SelectAst.set('where', where)(d))
  return SelectAst.set('from', { ...b, select: pushed })(s)
}

// A row count: a number, or its placeholder's value in this run, refused (as the PostgreSQL interpreter
// refuses it, before anything runs) unless a whole number >= 0.
const countOf = (
  ctx: Ctx,
  c: O.Option<Count>,
  what: 'limit' | 'offset',
  absent: number,
): E.Either<EvalError, number> => {
  if (O.isNone(c)) return E.right(absent)
  const v = c.value
  if (typeof v === 'number') return E.right(v)
  if (ctx.bind === undefined || !ctx.bind.has(v)) return E.left(Prepared.unbound(v))
  return Prepared.checkCount(what, v, ctx.bind.get(v))
}

// The whole select: rows, groups and HAVING, output columns, DISTINCT, ORDER BY, DISTINCT ON, the
// per-parent window, OFFSET, LIMIT.
const compileSelect = (
  ctx: Ctx,
  written: Select,
  needed: ReadonlySet<string> | null = null,
): E.Either<EvalError, (outer: Env) => ReadonlyArray<RawRow> | Failed> => {
  const s = pushDown(written)
  const own = [s.from.alias, ...s.joins.map(j => j.binding.alias)]
  const scope: Ctx = { ...ctx, scope: new Set([...ctx.scope, ...own]), refuseAggregates: null }
  const grouped = isGrouped(s)
  // A plain DISTINCT compares whole output rows: every output is computed, read or not.
  const computed = (i: number): boolean =>
    needed === null || (s.distinct && s.distinctOn.length === 0) || needed.has(s.columns[i]?.name ?? '')
  return pipe(
    E.Do,
    E.chainFirst(() => checkSelect(s, grouped)),
    E.apS('rows', compileRows(ctx, s, readsOf(s))),
    E.apS(
      'groupBy',
      compileAll(
        { ...scope, refuseAggregates: 'aggregate functions are not allowed in GROUP BY' },
        s.groupBy,
      ),
    ),
    E.apS('having', compileAll(scope, s.having)),
    E.apS(
      'outputs',
      E.map((fs: ReadonlyArray<Eval>) => fs.map((f, i) => output(s.columns[i]?.expr, f)))(
        compileAll(
          scope,
          s.columns.map(o => o.expr),
        ),
      ),
    ),
    E.apS(
      'order',
      compileAll(
        scope,
        s.orderBy.map(t => t.expr),
      ),
    ),
    E.apS('distinctOn', compileAll(scope, s.distinctOn)),
    E.apS('parents', compileAll(scope, O.isSome(s.perParent) ? s.perParent.value.keys : [])),
    // PostgreSQL computes every aggregate of a grouped select for every group as it reads the rows,
    // before HAVING drops groups and before the outputs around them are computed for those kept: an
    // aggregate that fails on a row fails the statement even for a group HAVING drops.
    E.apS(
      'aggregates',
      grouped
        ? compileAll(
            scope,
            aggregatesIn([
              ...s.columns.filter((_, i) => computed(i)).map(o => o.expr),
              ...s.having,
              ...s.orderBy.map(t => t.expr),
            ]),
          )
        : E.right([]),
    ),
    E.apS('skip', countOf(ctx, s.offset, 'offset', 0)),
    E.apS('take', countOf(ctx, s.limit, 'limit', Infinity)),
    E.apS(
      'window',
      O.isSome(s.perParent)
        ? pipe(
            E.Do,
            E.apS('skip', countOf(ctx, s.perParent.value.offset, 'offset', 0)),
            E.apS('take', countOf(ctx, s.perParent.value.limit, 'limit', Infinity)),
          )
        : E.right(null),
    ),
    E.map(
      ({ rows, groupBy, having, outputs, order, distinctOn, parents, aggregates, skip, take, window }) => {
        const names = s.columns.map(o => o.name)
        // Numeric text groups and is distinct by value (`Value.rowKey`).
        const groupNumeric = s.groupBy.map(isNumeric)
        const onNumeric = s.distinctOn.map(isNumeric)
        const outNumeric = s.columns.map(o => isNumeric(o.expr))
        const dirs = s.orderBy.map(direction)
        const perParent = window
        // The groups of a grouped select, each evaluated in an environment of its own (`Eval.group`),
        // in the order their first rows came; HAVING keeps those for which it holds.
        const groupsOf = (outer: Env, envs: ReadonlyArray<Env>): ReadonlyArray<Env> | Failed => {
          let units: Array<Env>
          if (groupBy.length === 0) {
            const none = own.reduce((e, alias) => extend(e, alias, null), outer)
            units = [group(envs[0] ?? none, envs)]
          } else {
            const buckets = new Map<string, Array<Env>>()
            for (const env of envs) {
              const keys = evalAll(groupBy, env)
              if (isFailed(keys)) return keys
              const k = Value.rowKey(keys, groupNumeric)
              const bucket = buckets.get(k)
              if (bucket === undefined) buckets.set(k, [env])
              else bucket.push(env)
            }
            units = [...buckets.values()].map(ms => group(ms[0] as Env, ms))
          }
          for (const u of units)
            for (const a of aggregates) {
              const v = a(u)
              if (isFailed(v)) return v
            }
          const kept: Array<Env> = []
          for (const u of units) {
            const h = holdsAll(having, u)
            if (isFailed(h)) return h
            if (h) kept.push(u)
          }
          return kept
        }
        return (outer: Env): ReadonlyArray<RawRow> | Failed => {
          // PostgreSQL's LIMIT 0 reads no row of its input, so nothing below it is evaluated (a row on
          // which an output would fail included); what fails before any row failed the compilation.
          if (take === 0 && perParent === null) return []
          const envs = rows(outer)
          if (isFailed(envs)) return envs
          const units = grouped ? groupsOf(outer, envs) : envs
          if (isFailed(units)) return units
          let out: Array<Ranked> = []
          for (const env of units) {
            const row: Record<string, unknown> = {}
            for (let i = 0; i < outputs.length; i++) {
              if (!computed(i)) {
                row[names[i] as string] = null
                continue
              }
              const v = (outputs[i] as Eval)(env)
              if (isFailed(v)) return v
              row[names[i] as string] = v
            }
            const keys = evalAll(order, env)
            if (isFailed(keys)) return keys
            const parent = perParent === null ? null : evalAll(parents, env)
            if (isFailed(parent)) return parent
            const on = distinctOn.length === 0 ? null : evalAll(distinctOn, env)
            if (isFailed(on)) return on
            out.push({
              row,
              keys,
              parent: parent === null ? '' : Value.rowKey(parent),
              on: on === null ? '' : Value.rowKey(on, onNumeric),
            })
          }
          if (s.distinct && distinctOn.length === 0 && perParent === null)
            out = firstOf(out, x =>
              Value.rowKey(
                names.map(n => x.row[n]),
                outNumeric,
              ),
            )
          if (dirs.length > 0) {
            const failed = sortBy(out, x => x.keys, dirs)
            if (failed !== null) return failed
          }
          // DISTINCT ON keeps the first row of each key in ORDER BY order.
          if (distinctOn.length > 0) out = firstOf(out, x => x.on)
          if (perParent !== null) {
            // Top-N per group: rank each row within its group in order, keep the window.
            const ranks = new Map<string, number>()
            out = out.filter(x => {
              const rank = (ranks.get(x.parent) ?? 0) + 1
              ranks.set(x.parent, rank)
              return rank > perParent.skip && rank <= perParent.skip + perParent.take
            })
          }
          const end = take === Infinity ? undefined : skip + take
          return out.slice(skip, end).map(x => Object.freeze(x.row))
        }
      },
    ),
  )
}

// An output column. A bare parameter there has no type to take from its context: postgres.js sends a
// number (or a bigint) untyped or as int8, PostgreSQL resolves the column as text, and the row holds
// the number's text.
const output = (e: Expr | undefined, f: Eval): Eval =>
  e !== undefined && isExpr(e) && e._tag === 'Param' && e.json !== true
    ? env => {
        const v = f(env)
        return typeof v === 'number' || typeof v === 'bigint' ? String(v) : v
      }
    : f

// The first item of each key, in order.
const firstOf = <A>(xs: ReadonlyArray<A>, key: (a: A) => string): Array<A> => {
  const seen = new Set<string>()
  return xs.filter(x => {
    const k = key(x)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

// `exists (select ...)`: whether the subquery has a row for the bound rows of its enclosing selects.
// Outputs, order, DISTINCT and DISTINCT ON keep some row of a non-empty source, so without a
// per-parent window or grouping (which make rows of groups) the source's rows are counted against
// OFFSET and LIMIT.
const exists = (ctx: Ctx, s: Select): E.Either<EvalError, Eval> => {
  if (O.isSome(s.perParent) || isGrouped(s))
    return E.map((run: (outer: Env) => ReadonlyArray<RawRow> | Failed): Eval => env => {
      const r = run(env)
      return isFailed(r) ? r : r.length > 0
    })(compileSelect(ctx, s))
  return pipe(
    checkSelect(s, false),
    E.chain(() => countOf(ctx, s.offset, 'offset', 0)),
    E.chain(skip => E.map((take: number) => ({ skip, take }))(countOf(ctx, s.limit, 'limit', Infinity))),
    E.chain(({ skip, take }) => E.map((run: Run) => ({ run, skip, take }))(compileRows(ctx, s, readsOf(s)))),
    E.map(({ run, skip, take }): Eval => env => {
      const r = run(env)
      return isFailed(r) ? r : r.length > skip && take > 0
    }),
  )
}

// A subquery's rows (a scalar subquery, `in (select ...)`). One that reads no binding of its
// enclosing selects has the same rows for every outer row: they are computed once per run.
const subquery = (ctx: Ctx, s: Select): E.Either<EvalError, (env: Env) => ReadonlyArray<RawRow> | Failed> =>
  E.map((run: (env: Env) => ReadonlyArray<RawRow> | Failed) => {
    const own = ownAliases(s)
    if ([...refsOf(exprsOf(s))].some(a => !own.has(a))) return run
    let memo: ReadonlyArray<RawRow> | Failed | undefined
    return (env: Env) => (memo ??= run(env))
  })(compileSelect(ctx, s))

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
export const context = (tables: Tables, bind?: Bind): Ctx => ({
  tables,
  scope: new Set(),
  bind,
  exists,
  subquery,
  refuseAggregates: 'aggregate functions are not allowed here',
})

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
