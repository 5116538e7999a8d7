/**
 * The select node of the query AST: one source binding, joins, conjunctive filters, order, limit,
 * offset, distinct. The combinators never throw: given input they cannot read, they return a select
 * that `Check.select` refuses, naming the combinator. Filters are a list of conjuncts so that an owner filter added by `assoc` stays its
 * own conjunct: a later `or` combines inside another conjunct and can never widen it.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/lib/Option.js'
import * as Ex from './Expr.js'
import type { Expr } from './Expr.js'
import * as Node from './Node.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export interface Binding {
  readonly table: string
  readonly alias: string
}

/**
 * @category model
 * @since 0.1.0
 */
export interface Join extends Node.Branded {
  readonly _tag: 'Join'
  readonly kind: 'inner' | 'left'
  readonly binding: Binding
  readonly on: Expr
}

/**
 * @category model
 * @since 0.1.0
 */
export interface OrderTerm {
  readonly expr: Expr
  readonly dir: 'asc' | 'desc'
  readonly nulls: 'first' | 'last' | 'default'
}

/**
 * An output column: an expression under a name.
 *
 * @category model
 * @since 0.1.0
 */
export interface Output {
  readonly name: string
  readonly expr: Expr
}

/**
 * @category model
 * @since 0.1.0
 */
export interface Select extends Node.Branded {
  readonly _tag: 'Select'
  readonly from: Binding
  /** Empty means "no columns" (an existence test). */
  readonly columns: ReadonlyArray<Output>
  readonly joins: ReadonlyArray<Join>
  /** Conjuncts, all of which must hold. */
  readonly where: ReadonlyArray<Expr>
  readonly orderBy: ReadonlyArray<OrderTerm>
  readonly limit: O.Option<number>
  readonly offset: O.Option<number>
  readonly distinct: boolean
  /**
   * Top-N per group (the preload planner's per-parent limit). When `some`, the rows that `from`, `joins`
   * and `where` produce are split into groups of equal `keys` values (compared as `=` compares them;
   * every key is non-null in practice); within each group the rows are ranked 1, 2, ... in `orderBy`
   * order (ties in an arbitrary but fixed order: the planner makes `orderBy` total). A row is kept when
   * `offset < rank` and, when `limit` is `some`, `rank <= offset + limit` (`offset` none means 0). The
   * kept rows come grouped by key, each group in `orderBy` order; the order of the groups among
   * themselves is unspecified (the preload assembler needs each parent's rows in order, nothing more).
   * `distinct` has no effect here (each ranked row is distinct). When a select-level `limit` or
   * `offset` is set (the planner never sets one with `perParent`), the kept rows are in `orderBy` order
   * overall and the select-level window applies to them.
   */
  readonly perParent: O.Option<PerParent>
}

/**
 * See `Select.perParent`.
 *
 * @category model
 * @since 0.1.0
 */
export interface PerParent {
  readonly keys: ReadonlyArray<Expr>
  readonly limit: O.Option<number>
  readonly offset: O.Option<number>
  /**
   * A promise of the planner, when it can make it: the `where` lists the single key's values, no two
   * of them equal, and the model declares their SQL type (`sqlType`, the owner column's). An SQL
   * interpreter may then walk the values and take each parent's rows with an index-backed `limit`
   * instead of ranking every row. Interpreters that don't need it ignore it.
   */
  readonly distinctKeys: O.Option<{ readonly sqlType: string }>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * @category constructors
 * @since 0.1.0
 */
export const create = (from: Binding, columns: ReadonlyArray<Output>): Select =>
  Node.make({
    _tag: 'Select' as const,
    from,
    columns,
    joins: [],
    where: [],
    orderBy: [],
    limit: O.none,
    offset: O.none,
    distinct: false,
    perParent: O.none,
  })

/**
 * @category constructors
 * @since 0.1.0
 */
export const join = (kind: Join['kind'], binding: Binding, on: Expr): Join =>
  Node.make({ _tag: 'Join' as const, kind, binding, on })

// A select whose input could not be read: `Check.select` refuses it with the reason.
const refused = (reason: string): Select =>
  Node.make({
    ...create({ table: '', alias: '' }, []),
    where: [Ex.param(Node.refuse(reason))],
  })

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * @category combinators
 * @since 0.1.0
 */
export const withWhere =
  (conjunct: Expr) =>
  (s: Select): Select =>
    Node.total('Select.withWhere', () => Node.make({ ...s, where: [...s.where, conjunct] }), refused)

/**
 * @category combinators
 * @since 0.1.0
 */
export const withJoins =
  (joins: ReadonlyArray<Join>) =>
  (s: Select): Select =>
    Node.total('Select.withJoins', () => Node.make({ ...s, joins: [...s.joins, ...joins] }), refused)

/**
 * @category combinators
 * @since 0.1.0
 */
export const withOrder =
  (terms: ReadonlyArray<OrderTerm>) =>
  (s: Select): Select =>
    Node.total('Select.withOrder', () => Node.make({ ...s, orderBy: [...s.orderBy, ...terms] }), refused)

/**
 * @category combinators
 * @since 0.1.0
 */
export const set =
  <K extends 'limit' | 'offset' | 'distinct' | 'columns' | 'orderBy' | 'perParent'>(
    key: K,
    value: Select[K],
  ) =>
  (s: Select): Select =>
    Node.total('Select.set', () => Node.make({ ...s, [key]: value }), refused)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * True when a conjunct is membership in an empty list: the select can return no row, and an
 * interpreter may answer without a round trip.
 *
 * @category utils
 * @since 0.1.0
 */
export const isTriviallyEmpty = (s: Select): boolean =>
  Node.total(
    'Select.isTriviallyEmpty',
    () =>
      s.where.some(
        e =>
          Node.isNode(e) &&
          ((e._tag === 'InList' && e.values.length === 0) || (e._tag === 'Bool' && !e.value)),
      ),
    () => false,
  )
