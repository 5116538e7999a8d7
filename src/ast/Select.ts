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
import type { Binding, Join, OrderTerm, Output, Select, SelectField } from './Expr.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// One frozen empty list for every new select: nothing to freeze, nothing to allocate.
const none: ReadonlyArray<never> = Object.freeze([])

/**
 * A select of `columns` from one binding, with no join, filter, order or limit: the start of every select.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const s = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * assert.deepStrictEqual(Sql.toSql(s), E.right({ text: 'select "t0"."id" from "posts" as "t0"', params: [] }))
 *
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
 * A join of a binding on a condition, for `withJoins`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * assert.deepStrictEqual(Sql.toSql(Select.withJoins([Select.join('left', { table: 'users', alias: 't1' }, Expr.eq(Expr.column('t1', 'id'), Expr.column('t0', 'author_id')))])(posts)), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" left join "users" as "t1" on "t1"."id" = "t0"."author_id"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const join = (kind: Join['kind'], binding: Binding, on: Expr): Join =>
  Node.make({ _tag: 'Join' as const, kind, binding, on })

/**
 * A derived table: the rows of a select under an alias, to stand where a table does (`from`, a join).
 * Its columns are the select's outputs. `lateral` lets the select read the bindings before it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const counts = Select.set('groupBy', [Expr.column('c', 'post_id')])(
 *   Select.create({ table: 'comments', alias: 'c' }, [
 *     { name: 'post_id', expr: Expr.column('c', 'post_id') },
 *     { name: 'n', expr: Expr.agg('count', []) },
 *   ]),
 * )
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'n', expr: Expr.column('j', 'n') }])
 * const joined = Select.withJoins([
 *   Select.join('left', Select.derived(counts, 'j'), Expr.eq(Expr.column('j', 'post_id'), Expr.column('t0', 'id'))),
 * ])(posts)
 * assert.deepStrictEqual(Sql.toSql(joined), E.right({
 *   text: 'select "j"."n" from "posts" as "t0" left join (select "c"."post_id", count(*) as "n" from "comments" as "c" group by "c"."post_id") as "j" on "j"."post_id" = "t0"."id"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.2.0
 */
export const derived = (select: Select, alias: string, lateral = false): Binding =>
  Object.freeze({ table: 'subquery', alias, select, lateral })

// A select whose input could not be read: `Check.select` refuses it with the reason.
const refused = (reason: string): Select =>
  Node.make({
    ...create({ table: '', alias: '' }, []),
    where: [Ex.param(Node.refuse(reason))],
  })

// `s` with one field replaced, as a node. A select node is copied field by field, a literal (V8 spreads
// a frozen object on its slow path, several times the cost of the copy), and only the new field is
// walked (`Node.remake`: the rest was frozen when the node was made). Anything else an untyped caller
// handed is spread and made whole.
const replace = <K extends SelectField>(s: Select, key: K, value: Select[K]): Select => {
  if (!Node.isNode(s as unknown)) return Node.make({ ...s, [key]: value })
  const c: { -readonly [F in SelectField]: Select[F] } = {
    _tag: s._tag,
    from: s.from,
    columns: s.columns,
    joins: s.joins,
    where: s.where,
    orderBy: s.orderBy,
    limit: s.limit,
    offset: s.offset,
    distinct: s.distinct,
    distinctOn: s.distinctOn,
    groupBy: s.groupBy,
    having: s.having,
    keyed: s.keyed,
    perParent: s.perParent,
  }
  c[key] = value
  return Node.remake(s, c, key)
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Adds a conjunct to the `where` clause (the filters are and-ed).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * assert.deepStrictEqual(Sql.toSql(Select.withWhere(Expr.eq(Expr.column('t0', 'id'), Expr.param(7)))(posts)), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."id" = $1',
 *   params: [7],
 * }))
 *
 * @category combinators
 * @since 0.1.0
 */
export const withWhere =
  (conjunct: Expr) =>
  (s: Select): Select =>
    Node.total('Select.withWhere', () => replace(s, 'where', [...s.where, conjunct]), refused)

/**
 * Appends joins, in order, after the existing ones.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * assert.deepStrictEqual(Sql.toSql(Select.withJoins([Select.join('inner', { table: 'users', alias: 't1' }, Expr.eq(Expr.column('t1', 'id'), Expr.column('t0', 'author_id')))])(posts)), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" inner join "users" as "t1" on "t1"."id" = "t0"."author_id"',
 *   params: [],
 * }))
 *
 * @category combinators
 * @since 0.1.0
 */
export const withJoins =
  (joins: ReadonlyArray<Join>) =>
  (s: Select): Select =>
    Node.total('Select.withJoins', () => replace(s, 'joins', [...s.joins, ...joins]), refused)

/**
 * Appends `order by` terms after the existing ones.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * assert.deepStrictEqual(Sql.toSql(Select.withOrder([{ expr: Expr.column('t0', 'id'), dir: 'desc', nulls: 'default' }])(posts)), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" order by "t0"."id" desc',
 *   params: [],
 * }))
 *
 * @category combinators
 * @since 0.1.0
 */
export const withOrder =
  (terms: ReadonlyArray<OrderTerm>) =>
  (s: Select): Select =>
    Node.total('Select.withOrder', () => replace(s, 'orderBy', [...s.orderBy, ...terms]), refused)

/**
 * Replaces one field of a select (`limit`, `offset`, `distinct`, the outputs, the order, grouping...).
 *
 * @example
 * import * as O from 'fp-ts/lib/Option.js'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * assert.deepStrictEqual(Sql.toSql(Select.set('limit', O.some(10))(posts)), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" limit $1',
 *   params: [10],
 * }))
 *
 * @category combinators
 * @since 0.1.0
 */
export const set =
  <
    K extends
      | 'from'
      | 'where'
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
    Node.total('Select.set', () => replace(s, key, value), refused)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * True when a conjunct is membership in an empty list: the select can return no row, and an
 * interpreter may answer without a round trip.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * assert.ok(Select.isTriviallyEmpty(Select.withWhere(Expr.inList(Expr.column('t0', 'id'), []))(posts)))
 * assert.ok(!Select.isTriviallyEmpty(posts))
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
