/**
 * A whole preload tree as data, for an interpreter that loads it in one statement (PostgreSQL's
 * lateral strategy): each level is the select of a node's rows correlated to its parent row. The
 * planner (`plan/Preload.ts`) builds it; `sql/Lateral.ts` lowers it to SQL text.
 *
 * @since 0.1.0
 */
import type * as O from 'fp-ts/lib/Option.js'
import type { Expr, Select } from './Expr.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One level of a lateral tree: the select of the node's rows correlated to its parent row.
 *
 * @category model
 * @since 0.1.0
 */
export interface TreeNode {
  readonly name: string
  readonly cardinality: 'one' | 'many'
  /** The target schema. */
  readonly schema: string
  readonly select: Select
  /** Outputs whose values must cross JSON as text (int8, numeric: `Column.json === 'text'`). */
  readonly asText: ReadonlyArray<string>
  readonly children: ReadonlyArray<TreeNode>
  /**
   * A through loaded in one statement: `select` lists every path of its chain in walk order, and the
   * node's rows are one per `keys` value (the target's primary key), its first path, in the order of
   * the first paths, read back under `alias` (its `limit` / `offset` apply to them; the children
   * correlate to `alias`).
   */
  readonly firstOf: O.Option<{ readonly keys: ReadonlyArray<Expr>; readonly alias: string }>
}

/**
 * A key column of a `Keys` root: one value per parent, in parent order.
 *
 * @category model
 * @since 0.1.0
 */
export interface KeyColumn {
  readonly name: string
  /** The PostgreSQL type of the values (the owner column's type). */
  readonly sqlType: string
  readonly values: ReadonlyArray<unknown>
}

/**
 * What the tree hangs from: a query (its rows are the parents), or lists of owner keys given by rows
 * already in memory (one result row per position, in order).
 *
 * @category model
 * @since 0.1.0
 */
export type Root =
  | { readonly _tag: 'Query'; readonly select: Select }
  | { readonly _tag: 'Keys'; readonly alias: string; readonly columns: ReadonlyArray<KeyColumn> }

/**
 * A whole preload tree for one statement.
 *
 * @category model
 * @since 0.1.0
 */
export interface Tree {
  readonly _tag: 'Tree'
  readonly root: Root
  readonly nodes: ReadonlyArray<TreeNode>
}
