/**
 * The preload strategy rule, pure: which of `batched` (one statement per association level) and
 * `lateral` (the whole tree in one statement) a load uses. It reads the root's select (or the number
 * of rows given to `into`) and whether the interpreter runs trees, nothing else, so the same answer is
 * available without a database: `run/Preload` runs the strategy it names, and `Query.statements` shows
 * the statements of the strategy it names.
 *
 * @since 0.1.0
 */
import * as Expr from '../ast/Expr.js'
import type * as Select from '../ast/Select.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * `auto` (the default) chooses per call; see `choose`.
 *
 * @category model
 * @since 0.1.0
 */
export type Strategy = 'auto' | 'batched' | 'lateral'

/**
 * What the rows to preload under are known to be: a query's select (before it runs), or the number
 * of rows given to `into`.
 *
 * @category model
 * @since 0.1.0
 */
export type Parents =
  | { readonly _tag: 'Query'; readonly select: Select.Select }
  | { readonly _tag: 'Rows'; readonly count: number }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Up to this many parents, `auto` sends one lateral statement. Where the two strategies cross depends
 * on what a round trip costs: batched sends one statement per level (siblings concurrently), lateral one
 * for the tree but builds and parses JSON per row, so lateral wins while the parents' rows are few
 * against the round trips saved. Two measurements on the same kind of machine (bench dataset, local
 * PostgreSQL 15, two shared cores, posts `id` in a range, medians of interleaved runs):
 *
 * - quiet (scale 0.2): spec `{ comments: { author: true }, permalink: true, tags: true }`: 1 parent
 *   1.32 ms batched vs 1.32 lateral, 5: 1.97 vs 1.85, 10: 2.53 vs 2.85, 20: 3.94 vs 4.52, 50: 6.08 vs
 *   8.23, 100: 10.9 vs 16.6; spec `{ comments: { author: true } }`: 1: 0.89 vs 0.72, 5: 1.38 vs 1.28,
 *   10: 1.21 vs 1.35, 20: 1.98 vs 2.22, 50: 4.29 vs 4.80, 100: 8.53 vs 9.34. Even from 3 to 10,
 *   batched ahead from 20 (lateral 1.12-1.15x at 20, 1.12-1.35x at 50);
 * - load average 17 on the two cores (scale 1, `npm run bench -- --scales 1 --parents
 *   1,2,5,10,20,50,100,200`, 20 rounds; a round trip then costs a scheduling delay of milliseconds):
 *   lateral ÷ batched by medians, W1 (comments) 0.55 / 0.65 / 1.37 / 0.62 / 0.78 / 0.62 / 0.89 / 0.66
 *   at 1 / 2 / 5 / 10 / 20 / 50 / 100 / 200 parents, W2 (the five-statement spec) 0.84 / 0.50 / 0.37 /
 *   0.80 / 0.35 / 0.48 / 0.73 / 0.73, W3 (a two-hop through) 0.84 / 0.51 / 0.43 / 0.57 / 0.92 / 0.74 /
 *   1.02 / 1.20, W4 (filtered comments) 1.02 / 0.61 / 0.61 / 0.92 / 1.30 / 0.54 / 0.69 / 0.78: lateral
 *   ahead up to 100-200 parents. The issue's independent sweep found lateral ahead at 50.
 *
 * 20 sits at the quiet machine's crossover band's upper end: there lateral costs at most about 1.15x at
 * 20 parents, while wherever round trips cost more (a network, a busy host) it gains far more than
 * that.
 *
 * @category utils
 * @since 0.1.0
 */
export const lateralMaxParents = 20

// The root's primary key column, when it is one column, and whether it holds integers only (so that a
// range of it holds at most as many rows as integers).
const pkColumn = (
  model: Model.AnyModel,
  schema: string,
): { readonly name: string; readonly integer: boolean } | undefined => {
  const table = Model.table(model, schema)
  const pk = table?.primaryKey ?? []
  const name = pk[0]
  if (pk.length !== 1 || name === undefined) return undefined
  const type = Column.baseType(table?.columns.get(name)?.sqlType ?? null)?.toLowerCase()
  return { name, integer: type !== undefined && integerTypes.has(type) }
}

const integerTypes = new Set(['integer', 'int', 'int4', 'smallint', 'int2', 'bigint', 'int8'])

const onColumn = (e: Expr.Expr, alias: string, column: string): boolean =>
  e._tag === 'ColumnRef' && e.alias === alias && e.column === column

// An integer bound given now (a prepared query's placeholder is not: its value comes with each run).
const integerOf = (e: Expr.Expr): number | undefined =>
  e._tag === 'Param' && typeof e.value === 'number' && Number.isSafeInteger(e.value) ? e.value : undefined

// The conjuncts of a where, `and`s flattened (`Pred.and(a, b)` is one term holding both).
const conjuncts = (where: ReadonlyArray<Expr.Expr>): ReadonlyArray<Expr.Expr> => {
  const out: Array<Expr.Expr> = []
  const add = (e: Expr.Expr): void => {
    if (e._tag === 'And') e.exprs.forEach(add)
    else out.push(e)
  }
  where.forEach(add)
  return out
}

const flipped: Readonly<Record<Expr.CompareOp, Expr.CompareOp>> = {
  eq: 'eq',
  neq: 'neq',
  lt: 'gt',
  lte: 'gte',
  gt: 'lt',
  gte: 'lte',
}

/**
 * Where a bound on the number of parents comes from: the root's `limit`, an equality on its primary
 * key (`KeyEquality`, one row), its primary key `in` a list (`KeyIn`, the list's length), an integer
 * primary key between two bounds (`KeyRange`), the number of rows given to `into` (`Rows`), or nothing
 * the rule can read (`Unbounded`).
 *
 * @category model
 * @since 0.2.0
 */
export type Estimate =
  | { readonly _tag: 'Limit'; readonly parents: number }
  | { readonly _tag: 'KeyEquality'; readonly parents: number }
  | { readonly _tag: 'KeyIn'; readonly parents: number }
  | { readonly _tag: 'KeyRange'; readonly parents: number }
  | { readonly _tag: 'Rows'; readonly parents: number }
  | { readonly _tag: 'Unbounded' }

const unbounded: Estimate = Object.freeze({ _tag: 'Unbounded' })

/**
 * The smallest bound on the rows a root select can return, read from its own terms only (no
 * statistics), with where it comes from (`Estimate`): its `limit`, an equality on its one-column
 * primary key (one row), the primary key `in` a list (the list's length), or an integer primary key
 * between two integer bounds given now (`pk >= a and pk <= b`: `b - a + 1` rows at most, strict bounds
 * one less each); `Unbounded` when none applies. On a tie the first in that order is named. A
 * placeholder (a prepared query's argument) bounds an equality but not a range: its value is not known
 * when the statement is planned.
 *
 * @category utils
 * @since 0.2.0
 */
export const estimate = (model: Model.AnyModel, schema: string, s: Select.Select): Estimate => {
  // A placeholder's value is not known when the statement is planned: no bound from it.
  const limit = Expr.countNumber(s.limit)
  let best: Estimate = limit._tag === 'Some' ? { _tag: 'Limit', parents: limit.value } : unbounded
  const take = (e: Estimate & { readonly parents: number }) => {
    if (best._tag === 'Unbounded' || e.parents < best.parents) best = e
  }
  const key = pkColumn(model, schema)
  if (key !== undefined) {
    const pk = key.name
    const alias = s.from.alias
    let lo = -Infinity
    let hi = Infinity
    for (const w of conjuncts(s.where)) {
      if (w._tag === 'InList' && onColumn(w.expr, alias, pk))
        take({ _tag: 'KeyIn', parents: w.values.length })
      if (w._tag !== 'Compare') continue
      const [col, value, op] = onColumn(w.left, alias, pk)
        ? [w.left, w.right, w.op]
        : onColumn(w.right, alias, pk)
          ? [w.right, w.left, flipped[w.op]]
          : [undefined, undefined, undefined]
      if (col === undefined || value === undefined) continue
      if (op === 'eq' && value._tag === 'Param') take({ _tag: 'KeyEquality', parents: 1 })
      const n = key.integer ? integerOf(value) : undefined
      if (n === undefined) continue
      if (op === 'gte') lo = Math.max(lo, n)
      else if (op === 'gt') lo = Math.max(lo, n + 1)
      else if (op === 'lte') hi = Math.min(hi, n)
      else if (op === 'lt') hi = Math.min(hi, n - 1)
    }
    if (Number.isFinite(lo) && Number.isFinite(hi))
      take({ _tag: 'KeyRange', parents: Math.max(0, hi - lo + 1) })
  }
  return best
}

/**
 * The most rows a root select can return, read from its own terms only (`estimate`), or `undefined`
 * when none applies.
 *
 * @category utils
 * @since 0.2.0
 */
export const parentsBound = (model: Model.AnyModel, schema: string, s: Select.Select): number | undefined => {
  const e = estimate(model, schema, s)
  return e._tag === 'Unbounded' ? undefined : e.parents
}

/**
 * Why a load runs with its strategy: it was asked for (`Asked`), the interpreter runs no trees
 * (`NoTrees`), the root is distinct (`Distinct`), the estimate is at most the threshold (`FewParents`)
 * or above it (`ManyParents`), there is no estimate (`Unbounded`), the root could not be read
 * (`Unreadable`: `batched`, which every interpreter runs), for rows given to `into` an owner key
 * has no plain SQL type for the lateral statement's key columns (`UntypedKey`), or the root is a
 * projection, whose preloads `auto` loads batched (`Projection`).
 *
 * @category model
 * @since 0.2.0
 */
export type Reason =
  | 'Asked'
  | 'NoTrees'
  | 'Distinct'
  | 'FewParents'
  | 'ManyParents'
  | 'Unbounded'
  | 'Unreadable'
  | 'UntypedKey'
  | 'Projection'

/**
 * The strategy a load runs with and what the rule read to choose it.
 *
 * @category model
 * @since 0.2.0
 */
export interface Decision {
  readonly strategy: 'batched' | 'lateral'
  readonly reason: Reason
  readonly estimate: Estimate
}

const decision = (strategy: 'batched' | 'lateral', reason: Reason, e: Estimate): Decision =>
  Object.freeze({ strategy, reason, estimate: e })

const auto = (runsTrees: () => boolean, model: Model.AnyModel, schema: string, root: Parents): Decision => {
  const e = estimateOf(model, schema, root)
  if (!runsTrees()) return decision('batched', 'NoTrees', e)
  if (root._tag === 'Query' && root.select.distinct) return decision('batched', 'Distinct', e)
  if (e._tag === 'Unbounded') return decision('batched', 'Unbounded', e)
  return e.parents <= lateralMaxParents
    ? decision('lateral', 'FewParents', e)
    : decision('batched', 'ManyParents', e)
}

const estimateOf = (model: Model.AnyModel, schema: string, root: Parents): Estimate =>
  root._tag === 'Rows' ? { _tag: 'Rows', parents: root.count } : estimate(model, schema, root.select)

/**
 * `choose` with what the rule read: the strategy, why, and the estimate of the parents (also
 * computed when the strategy was asked for, for the record).
 *
 * @category utils
 * @since 0.2.0
 */
export const decide = (
  runsTrees: () => boolean,
  model: Model.AnyModel,
  schema: string,
  root: Parents,
  strategy: Strategy = 'auto',
): Decision => {
  try {
    if (strategy === 'batched' || strategy === 'lateral')
      return decision(strategy, 'Asked', estimateOf(model, schema, root))
    // Total over untyped input: an unknown strategy, or arguments that cannot be read, choose `batched`,
    // the strategy every interpreter runs (the entry points refuse an unknown strategy before this).
    if (strategy !== 'auto') return decision('batched', 'Unreadable', unbounded)
    return auto(runsTrees, model, schema, root)
  } catch {
    return strategy === 'batched' || strategy === 'lateral'
      ? decision(strategy, 'Asked', unbounded)
      : decision('batched', 'Unreadable', unbounded)
  }
}

/**
 * The `auto` rule, in one place. One statement wins when the parents are few (its cost is one round
 * trip; separate statements cost one round trip per level), separate statements win on large fan-outs
 * (the JSON of many parents is built and parsed row by row, and sibling levels run concurrently on the
 * pool). So: `lateral` when the interpreter can run a tree and the parents are known to be few — a root
 * query that is not distinct and whose own terms bound its rows to at most `lateralMaxParents`
 * (`parentsBound`: its limit, an equality on its primary key, the key in a list, or an integer key
 * between two bounds), or at most that many rows given to `into` — and `batched` otherwise. `runsTrees` is asked only for `auto`
 * (it reads an interpreter that untyped code may have handed over, so inside the rule's net).
 *
 * @category utils
 * @since 0.1.0
 */
export const choose = (
  runsTrees: () => boolean,
  model: Model.AnyModel,
  schema: string,
  root: Parents,
  strategy: Strategy = 'auto',
): 'batched' | 'lateral' => decide(runsTrees, model, schema, root, strategy).strategy
