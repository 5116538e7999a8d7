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

// The model is declared in `Expr.ts` (a subquery is an expression); it is exported from here too.
export type { Binding, Join, OrderTerm, Output, PerParent, Select } from './Expr.js'
import type { Binding, Join, OrderTerm, Output, Select } from './Expr.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// One frozen empty list for every new select: nothing to freeze, nothing to allocate.
const none: ReadonlyArray<never> = Object.freeze([])

/**
 * @category constructors
 * @since 0.1.0
 */
export const create = (from: Binding, columns: ReadonlyArray<Output>): Select =>
  Node.make({
    _tag: 'Select' as const,
    from,
    columns,
    joins: none,
    where: none,
    orderBy: none,
    limit: O.none,
    offset: O.none,
    distinct: false,
    distinctOn: none,
    groupBy: none,
    having: none,
    keyed: none,
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
  <
    K extends
      | 'limit'
      | 'offset'
      | 'distinct'
      | 'columns'
      | 'orderBy'
      | 'perParent'
      | 'distinctOn'
      | 'groupBy'
      | 'having'
      | 'keyed',
  >(
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
