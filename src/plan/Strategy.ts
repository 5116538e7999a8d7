/**
 * The preload strategy rule, pure: which of `batched` (one statement per association level) and
 * `lateral` (the whole tree in one statement) a load uses. It reads the root's select (or the number
 * of rows given to `into`), the shape of the preload spec (`rowsPerParent`) and whether the interpreter
 * runs trees, nothing else (no statistics), so the same answer is available without a database:
 * `run/Preload` runs the strategy it names, and `Query.statements` shows the statements of the
 * strategy it names.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/lib/Option.js'
import * as Expr from '../ast/Expr.js'
import type * as Select from '../ast/Select.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import type * as Spec from './Spec.js'

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
 * The rows a to-many association is taken to hold per owner when its preload sets no smaller per-parent
 * `limit`: the rule reads no statistics, so it assumes one fan-out for every to-many hop (a to-one hop
 * holds one row). Ten is the bench blog's comments per post and posts per user; what it costs when a
 * model's fan-out differs is in `bench/AUTO.md`.
 *
 * @category utils
 * @since 0.2.0
 */
export const assumedFanOut = 10

/**
 * Up to this many estimated rows (parents times `rowsPerParent`), `auto` sends one lateral statement.
 * The work moves between the strategies: lateral builds JSON on the server (a correlated subquery per
 * parent and association) and the client parses it cheaply; batched sends plain rows the client decodes
 * one by one, and pays a round trip and a fixed client cost per statement. Measured (`bench/AUTO.md`:
 * client CPU and server CPU separately, W1-W4 at scales 0.25 / 1 / 4 and 1 to 5,000 parents), the total
 * CPU of lateral over batched crosses 1 between 2,200 and 5,500 estimated rows for one to-many level
 * (W1, W4), between 1,650 and 6,600 for five associations (W2), and at about 10,000 for a two-hop
 * through (W3: its walked hops are counted in full); lateral also saves a round trip per level, which
 * only matters below these sizes. 3,000 agrees with the cheaper strategy at 104 of the 114 points
 * measured, and costs 1.8% over the cheaper one on average (the old rule, 20 parents whatever the
 * spec: 88 of 114, 4.9%).
 *
 * @category utils
 * @since 0.2.0
 */
export const lateralMaxRows = 3000

// The root's primary key column, when it is one column, and whether it holds integers only (so that a
// range of it holds at most as many rows as integers). Kept per table: every load reads it, and the
// column's type is normalised with regular expressions.
const pkColumn = (
  model: Model.AnyModel,
  schema: string,
): { readonly name: string; readonly integer: boolean } | undefined => {
  const table = Model.table(model, schema)
  if (table === undefined) return undefined
  const hit = pkColumns.get(table)
  if (hit !== undefined) return hit ?? undefined
  const pk = table.primaryKey
  const name = pk[0]
  const found =
    pk.length !== 1 || name === undefined
      ? null
      : (() => {
          const type = Column.baseType(table.columns.get(name)?.sqlType ?? null)?.toLowerCase()
          return Object.freeze({ name, integer: type !== undefined && integerTypes.has(type) })
        })()
  pkColumns.set(table, found)
  return found ?? undefined
}

const pkColumns = new WeakMap<object, { readonly name: string; readonly integer: boolean } | null>()

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

// The rows one owner row brings in through `nodes` and their children. A through node reads nothing
// itself (its hops are sibling nodes, counted there), but its children hang on each of its targets.
const below = (nodes: ReadonlyArray<Spec.Node>): number => {
  let rows = 0
  for (const n of nodes) {
    // A per-parent limit that is a prepared query's placeholder is unknown here: the assumed fan-out.
    const limit = Expr.countNumber(n.custom.limit)
    const f =
      n.assoc.cardinality === 'one'
        ? 1
        : O.isSome(limit)
          ? Math.min(limit.value, assumedFanOut)
          : assumedFanOut
    rows += (n.assoc._tag === 'Through' ? 0 : f) + f * below(n.children)
  }
  return rows
}

/**
 * The rows one parent brings into a load of a preload spec (its normalised nodes), estimated without
 * statistics: the parent itself, plus for each association the rows its owner holds (one for a to-one,
 * `assumedFanOut` for a to-many, or its per-parent `limit` when smaller), times what each of those
 * brings in turn. `{ comments: true }` is 1 + 10 = 11; `{ author: true, comments: { author: true } }`
 * is 1 + 1 + 10 + 10 = 22.
 *
 * @category utils
 * @since 0.2.0
 */
export const rowsPerParent = (nodes: ReadonlyArray<Spec.Node>): number => {
  // Normalised nodes are kept per spec shape, so a load of the same spec finds its figure again.
  let n = perParentOf.get(nodes)
  if (n === undefined)
    try {
      perParentOf.set(nodes, (n = 1 + below(nodes)))
    } catch {
      // Total, as the rule is: nodes that cannot be read count as one to-many level.
      n = 1 + assumedFanOut
    }
  return n
}

const perParentOf = new WeakMap<ReadonlyArray<Spec.Node>, number>()

/**
 * The most parents `auto` loads with one lateral statement for a spec bringing `perParent` rows per
 * parent (`rowsPerParent`): `lateralMaxRows / perParent`, rounded down.
 *
 * @category utils
 * @since 0.2.0
 */
export const lateralMaxParents = (perParent: number): number =>
  // Untyped callers: anything but a number above 1 reads as one row per parent.
  typeof perParent === 'number' && perParent > 1 ? Math.floor(lateralMaxRows / perParent) : lateralMaxRows

/**
 * Why a load runs with its strategy: it was asked for (`Asked`), the interpreter runs no trees
 * (`NoTrees`), the root is distinct (`Distinct`), the estimated rows (parents times rows per parent)
 * are at most `lateralMaxRows` (`FewParents`) or above (`ManyParents`), there is no estimate (`Unbounded`), the root could not be read
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
  /** The rows one parent brings in (`rowsPerParent`). */
  readonly rowsPerParent: number
}

const decision = (
  strategy: 'batched' | 'lateral',
  reason: Reason,
  e: Estimate,
  perParent: number,
): Decision => Object.freeze({ strategy, reason, estimate: e, rowsPerParent: perParent })

const auto = (
  runsTrees: () => boolean,
  model: Model.AnyModel,
  schema: string,
  root: Parents,
  perParent: number,
): Decision => {
  const e = estimateOf(model, schema, root)
  if (!runsTrees()) return decision('batched', 'NoTrees', e, perParent)
  if (root._tag === 'Query' && root.select.distinct) return decision('batched', 'Distinct', e, perParent)
  if (e._tag === 'Unbounded') return decision('batched', 'Unbounded', e, perParent)
  return e.parents * perParent <= lateralMaxRows
    ? decision('lateral', 'FewParents', e, perParent)
    : decision('batched', 'ManyParents', e, perParent)
}

const estimateOf = (model: Model.AnyModel, schema: string, root: Parents): Estimate =>
  root._tag === 'Rows' ? { _tag: 'Rows', parents: root.count } : estimate(model, schema, root.select)

/**
 * `choose` with what the rule read: the strategy, why, the estimate of the parents and the rows per
 * parent (also computed when the strategy was asked for, for the record).
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
  perParent: number = 1 + assumedFanOut,
): Decision => {
  try {
    if (strategy === 'batched' || strategy === 'lateral')
      return decision(strategy, 'Asked', estimateOf(model, schema, root), perParent)
    // Total over untyped input: an unknown strategy, or arguments that cannot be read, choose `batched`,
    // the strategy every interpreter runs (the entry points refuse an unknown strategy before this).
    if (strategy !== 'auto') return decision('batched', 'Unreadable', unbounded, perParent)
    return auto(runsTrees, model, schema, root, perParent)
  } catch {
    return strategy === 'batched' || strategy === 'lateral'
      ? decision(strategy, 'Asked', unbounded, perParent)
      : decision('batched', 'Unreadable', unbounded, perParent)
  }
}

/**
 * The `auto` rule, in one place. One statement wins while the rows it reads are few (its cost is one
 * round trip; separate statements cost one round trip per level and a fixed client cost each),
 * separate statements win on many rows (the server builds the JSON of each parent's subtree with a
 * correlated subquery per association). So: `lateral` when the interpreter can run a tree and the
 * estimated rows are at most `lateralMaxRows` — a root query that is not distinct and whose own terms
 * bound its rows (`parentsBound`: its limit, an equality on its primary key, the key in a list, or an
 * integer key between two bounds), or the rows given to `into`, times `perParent`, the rows each
 * parent brings (`rowsPerParent` of the spec; by default one to-many level, 11) — and `batched`
 * otherwise. `runsTrees` is asked only for `auto` (it reads an interpreter that untyped code may have
 * handed over, so inside the rule's net).
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
  perParent: number = 1 + assumedFanOut,
): 'batched' | 'lateral' => decide(runsTrees, model, schema, root, strategy, perParent).strategy
