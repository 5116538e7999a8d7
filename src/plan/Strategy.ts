/**
 * The preload strategy rule, pure: which of `batched` (one statement per association level) and
 * `lateral` (the whole tree in one statement) a load uses. It reads the root's select (or the number
 * of rows given to `into`) and whether the interpreter runs trees, nothing else, so the same answer is
 * available without a database: `run/Preload` runs the strategy it names, and `Query.statements` shows
 * the statements of the strategy it names.
 *
 * @since 0.1.0
 */
import type * as Select from '../ast/Select.js'
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
 * Up to this many parents, `auto` sends one lateral statement. Measured after the batched strategy's
 * per-call and per-row costs were cut (bench dataset at scale 0.2, local PostgreSQL 15, two shared
 * cores, medians of interleaved runs, posts `id` in a range):
 *
 * - spec `{ comments: { author: true }, permalink: true, tags: true }` (five statements batched):
 *   1 parent 1.32 ms batched vs 1.32 lateral, 2: 1.77 vs 1.59, 5: 1.97 vs 1.85 (again 1.45 vs 1.61),
 *   10: 2.53 vs 2.85 (2.08 vs 2.05), 20: 3.94 vs 4.52, 50: 6.08 vs 8.23, 100: 10.9 vs 16.6;
 * - spec `{ comments: { author: true } }` (three sequential statements batched): 1: 0.89 vs 0.72,
 *   2: 1.01 vs 0.88, 5: 1.38 vs 1.28 (1.51 vs 1.32), 10: 1.21 vs 1.35 (2.10 vs 2.01), 20: 1.98 vs 2.22,
 *   50: 4.29 vs 4.80, 100: 8.53 vs 9.34.
 *
 * Lateral wins on one or two parents, the two are even (within noise) from 3 to 10, batched wins from
 * 20 on: the limit sits in the even band.
 *
 * @category utils
 * @since 0.1.0
 */
export const lateralMaxParents = 5

// A conjunct `t0.col = $value` on a unique key is taken as "one parent".
const singleParent = (model: Model.AnyModel, schema: string, s: Select.Select): boolean => {
  const pk = Model.table(model, schema)?.primaryKey ?? []
  return s.where.some(
    w =>
      (w._tag === 'Compare' &&
        w.op === 'eq' &&
        w.left._tag === 'ColumnRef' &&
        w.left.alias === s.from.alias &&
        pk.length === 1 &&
        w.left.column === pk[0] &&
        w.right._tag === 'Param') ||
      (w._tag === 'InList' &&
        w.expr._tag === 'ColumnRef' &&
        w.expr.alias === s.from.alias &&
        pk.length === 1 &&
        w.expr.column === pk[0] &&
        w.values.length <= lateralMaxParents),
  )
}

const auto = (
  runsTrees: () => boolean,
  model: Model.AnyModel,
  schema: string,
  root: Parents,
): 'batched' | 'lateral' => {
  if (!runsTrees()) return 'batched'
  if (root._tag === 'Rows') return root.count <= lateralMaxParents ? 'lateral' : 'batched'
  const s = root.select
  if (s.distinct) return 'batched'
  const limited = s.limit._tag === 'Some' && s.limit.value <= lateralMaxParents
  return limited || singleParent(model, schema, s) ? 'lateral' : 'batched'
}

/**
 * The `auto` rule, in one place. One statement wins when the parents are few (its cost is one round
 * trip; separate statements cost one round trip per level), separate statements win on large fan-outs
 * (the JSON of many parents is built and parsed row by row, and sibling levels run concurrently on the
 * pool). So: `lateral` when the interpreter can run a tree and the parents are known to be few — a root
 * query with `limit <= lateralMaxParents`, or a root filtered to at most that many primary keys, or at
 * most that many rows given to `into` — and `batched` otherwise. `runsTrees` is asked only for `auto`
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
): 'batched' | 'lateral' => {
  if (strategy === 'batched' || strategy === 'lateral') return strategy
  // Total over untyped input: an unknown strategy, or arguments that cannot be read, choose `batched`,
  // the strategy every interpreter runs (the entry points refuse an unknown strategy before this).
  if (strategy !== 'auto') return 'batched'
  try {
    return auto(runsTrees, model, schema, root)
  } catch {
    return 'batched'
  }
}
