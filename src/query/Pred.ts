/**
 * Typed predicates for `Query.where`. A term carries the TypeScript type of its values as a phantom, so
 * comparing a number column with a string, or with `null`, is a compile error (use `isNull`). Values
 * become parameters; nothing is spliced into SQL.
 *
 * @since 0.1.0
 */
import * as Expr from '../ast/Expr.js'
import * as Node from '../ast/Node.js'
import * as Select from '../ast/Select.js'
import { show } from '../error/Show.js'
import type * as Model from '../schema/Model.js'
import * as Invalid from './Invalid.js'
import * as Make from './Make.js'
import * as Subquery from './Subquery.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An expression whose values have type `A`.
 *
 * @category model
 * @since 0.1.0
 */
export type Term<A> = Expr.Expr & { readonly __type?: A }

/**
 * A condition. SQL's logic has three values: a condition over a NULL operand is NULL, neither true nor
 * false (`where` keeps only the rows where it is true). `A` says which: `Pred` (`boolean | null`) is any
 * condition, `Pred<boolean>` one that is never NULL (`isNull`, `isNotNull`, `exists`, and comparisons,
 * `and` / `or` / `not`, `in` and `like` whose operands are all non-null). As a `select` output its
 * value has type `A`; `Fn.coalesce(p, false)` makes a maybe-NULL condition a `boolean`.
 *
 * @category model
 * @since 0.1.0
 */
export type Pred<A extends boolean | null = boolean | null> = Term<A>

/**
 * `null` when some of the terms or values `Ts` may be NULL (a plain value never is), else `never`: the
 * NULL a condition over them may have.
 *
 * @category model
 * @since 0.3.0
 */
export type NullOf<Ts extends ReadonlyArray<unknown>> = {
  [K in keyof Ts]: null extends (
    Ts[K] extends Expr.Expr ? (Ts[K] extends { readonly __type?: infer A } ? A : unknown) : Ts[K]
  )
    ? null
    : never
}[number]

/**
 * What a comparison accepts on its right: another term of the same type, or a non-null value.
 *
 * @category model
 * @since 0.1.0
 */
export type Operand<A> = Term<A> | NonNullable<A>

/**
 * Whether a value is an expression built by `Pred` (or the AST companions). Shape never decides: a
 * value shaped like an expression, frozen or not, is a value, and a comparison makes it a parameter.
 *
 * @example
 * import { Pred } from 'quiver-sql'
 * assert.strictEqual(Pred.isExpr(Pred.value(1)), true)
 * // The same shape from JSON is data, never SQL: it would be sent as a parameter.
 * assert.strictEqual(Pred.isExpr(JSON.parse(JSON.stringify(Pred.value(1)))), false)
 *
 * @category utils
 * @since 0.1.0
 */
export const isExpr = (u: unknown): u is Expr.Expr => {
  // Total: a proxy whose traps throw is not an expression.
  try {
    return Expr.isExpr(u)
  } catch {
    return false
  }
}

const operand = Expr.operand

// A value compared with a term of a known type must be a value of that type (Make.badValue), else the
// comparison is refused naming the column: PostgreSQL would fail with a raw error where the memory
// interpreter found no row. NULL is left to the comparison (it matches nothing).
const badValue = Make.badValue
const checked = (fn: string, term: unknown, value: unknown, make: () => Expr.Expr): Expr.Expr => {
  const bad = badValue(fn, term, value)
  return bad === undefined ? make() : Invalid.pred(bad)
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// Every constructor is total over untyped input: what it cannot make a predicate of (a proxy whose traps
// throw, a list that is not an array, strings that are not a template) is a predicate `Query.where`
// refuses with the reason (see ./Invalid.ts), never an exception and never SQL.
const compare = (op: Expr.CompareOp) => {
  // named once, not on every call (the comparisons are the most common predicates)
  const name = `Pred.${op}`
  return <A, B extends Operand<NoInfer<A>> | Term<NoInfer<A> | null> = Operand<A>>(
    a: Term<A>,
    b: B,
  ): Pred<boolean | NullOf<[Term<A>, B]>> => {
    try {
      return checked(name, a, b, () => Expr.compare(op, a, operand(b)))
    } catch (u) {
      return Invalid.thrown(name, u)
    }
  }
}

/**
 * A value as a term (a parameter), for the places that need a term on the left of a comparison or as
 * an argument of `Fn`: a comparison's right side takes a plain value already.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.lt(Pred.value(10), p.score)))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where $1 < "t0"."score"', params: [10] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const value = <A>(a: A): Term<A> => Expr.param(a)

/**
 * Equality. The right side must have the left's type and cannot be `null`: `x = NULL` is never true
 * in SQL, so comparing with `null` is a compile error rather than a query that silently matches
 * nothing (use `isNull`). A term on either side may be nullable (`Pred.eq(u.id, c.author_id)` compiles
 * as `Pred.eq(c.author_id, u.id)` does). A plain value must be one the term's codec accepts (an
 * `integer` one within its range), else the query is refused naming the column, before any SQL.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.score, 2)))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where "t0"."score" = $1', params: [2] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 3 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([2]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const eq: <A, B extends Operand<NoInfer<A>> | Term<NoInfer<A> | null> = Operand<A>>(
  a: Term<A>,
  b: B,
) => Pred<boolean | NullOf<[Term<A>, B]>> = compare('eq')
/**
 * Inequality (`<>`). As in SQL, a row whose column is NULL matches neither `eq` nor `neq`: add
 * `isNull` with `or` to keep such rows.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.neq(p.score, 2)))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where "t0"."score" <> $1', params: [2] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 3 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([1, 3]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const neq: <A, B extends Operand<NoInfer<A>> | Term<NoInfer<A> | null> = Operand<A>>(
  a: Term<A>,
  b: B,
) => Pred<boolean | NullOf<[Term<A>, B]>> = compare('neq')
/**
 * `left < right`, in the order PostgreSQL gives the type (numbers, text by collation, timestamps in
 * time). The memory interpreter orders the same way.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.lt(p.score, 2)))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where "t0"."score" < $1', params: [2] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 3 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([1]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const lt: <A, B extends Operand<NoInfer<A>> | Term<NoInfer<A> | null> = Operand<A>>(
  a: Term<A>,
  b: B,
) => Pred<boolean | NullOf<[Term<A>, B]>> = compare('lt')
/**
 * `left <= right`; see `lt` for the order.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.lte(p.score, 2)))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where "t0"."score" <= $1', params: [2] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 3 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([1, 2]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const lte: <A, B extends Operand<NoInfer<A>> | Term<NoInfer<A> | null> = Operand<A>>(
  a: Term<A>,
  b: B,
) => Pred<boolean | NullOf<[Term<A>, B]>> = compare('lte')
/**
 * `left > right`; see `lt` for the order.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.gt(p.score, 2)))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where "t0"."score" > $1', params: [2] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 3 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([3]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const gt: <A, B extends Operand<NoInfer<A>> | Term<NoInfer<A> | null> = Operand<A>>(
  a: Term<A>,
  b: B,
) => Pred<boolean | NullOf<[Term<A>, B]>> = compare('gt')
/**
 * `left >= right`; see `lt` for the order.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.gte(p.score, 2)))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where "t0"."score" >= $1', params: [2] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 3 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([2, 3]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const gte: <A, B extends Operand<NoInfer<A>> | Term<NoInfer<A> | null> = Operand<A>>(
  a: Term<A>,
  b: B,
) => Pred<boolean | NullOf<[Term<A>, B]>> = compare('gte')

/**
 * Terms of the types `A`, in order: the left side of a row comparison.
 *
 * @category model
 * @since 0.2.0
 */
export type Row<A extends ReadonlyArray<unknown>> = { readonly [K in keyof A]: Term<A[K]> }

/**
 * What a row comparison accepts on its right: per member, a term of the left member's type or a
 * non-null value.
 *
 * @category model
 * @since 0.2.0
 */
export type RowOperands<A extends ReadonlyArray<unknown>> = { readonly [K in keyof A]: Operand<A[K]> }

const rowCompare =
  (op: Expr.CompareOp, name: string) =>
  <const A extends ReadonlyArray<unknown>, const B extends RowOperands<NoInfer<A>> = RowOperands<A>>(
    left: Row<A>,
    right: B,
  ): Pred<boolean | NullOf<Row<A>> | NullOf<B>> =>
    Invalid.total(`Pred.${name}`, () => {
      if (!Array.isArray(right))
        return Invalid.pred(
          `Pred.${name}: expected a list of values or terms on the right, got ${show(right)}`,
        )
      const values = right as ReadonlyArray<unknown>
      // lists of two lengths are refused by the row comparison itself, naming both lengths
      const bad =
        Array.isArray(left) && left.length === values.length
          ? (left as ReadonlyArray<unknown>)
              .map((l, k) => badValue(`Pred.${name}`, l, values[k]))
              .find(x => x !== undefined)
          : undefined
      return bad === undefined ? Expr.rowCompare(op, left, values.map(operand)) : Invalid.pred(bad)
    })

/**
 * Row comparison `(a, b, ...) < (x, y, ...)`: the first members decide, the next ones break ties, as
 * PostgreSQL orders rows. The condition of keyset pagination: the rows after the last one seen in an
 * order by `(inserted_at, id)` are those with `(inserted_at, id) > (last.inserted_at, last.id)`
 * (`rowLt` for a descending order), which an index on those columns answers without reading the pages
 * before. A pair with a NULL makes the comparison NULL when the pairs before it are equal (the row
 * matches neither `rowLt` nor `rowGte`); both lists must have one length, else the query is refused.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.rowLt([p.score, p.id], [2, 3])))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where ("t0"."score", "t0"."id") < ($1, $2)',
 *     params: [2, 3],
 *   }),
 * )
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 2 }, { id: 4, score: 2 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([1, 2]),
 * )
 *
 * @category constructors
 * @since 0.2.0
 */
export const rowLt: <
  const A extends ReadonlyArray<unknown>,
  const B extends RowOperands<NoInfer<A>> = RowOperands<A>,
>(
  left: Row<A>,
  right: B,
) => Pred<boolean | NullOf<Row<A>> | NullOf<B>> = rowCompare('lt', 'rowLt')
/**
 * Row comparison `(a, b, ...) <= (x, y, ...)`; see `rowLt`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.rowLte([p.score, p.id], [2, 3])))
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 3, score: 2 }, { id: 4, score: 2 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([1, 3]),
 * )
 *
 * @category constructors
 * @since 0.2.0
 */
export const rowLte: <
  const A extends ReadonlyArray<unknown>,
  const B extends RowOperands<NoInfer<A>> = RowOperands<A>,
>(
  left: Row<A>,
  right: B,
) => Pred<boolean | NullOf<Row<A>> | NullOf<B>> = rowCompare('lte', 'rowLte')
/**
 * Row comparison `(a, b, ...) > (x, y, ...)`; see `rowLt`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.rowGt([p.score, p.id], [2, 3])))
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 3, score: 2 }, { id: 4, score: 2 }, { id: 2, score: 3 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([4, 2]),
 * )
 *
 * @category constructors
 * @since 0.2.0
 */
export const rowGt: <
  const A extends ReadonlyArray<unknown>,
  const B extends RowOperands<NoInfer<A>> = RowOperands<A>,
>(
  left: Row<A>,
  right: B,
) => Pred<boolean | NullOf<Row<A>> | NullOf<B>> = rowCompare('gt', 'rowGt')
/**
 * Row comparison `(a, b, ...) >= (x, y, ...)`; see `rowLt`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.rowGte([p.score, p.id], [2, 3])))
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 3, score: 2 }, { id: 4, score: 2 }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([3, 4]),
 * )
 *
 * @category constructors
 * @since 0.2.0
 */
export const rowGte: <
  const A extends ReadonlyArray<unknown>,
  const B extends RowOperands<NoInfer<A>> = RowOperands<A>,
>(
  left: Row<A>,
  right: B,
) => Pred<boolean | NullOf<Row<A>> | NullOf<B>> = rowCompare('gte', 'rowGte')
/**
 * Row equality `(a, b, ...) = (x, y, ...)`: every pair equal. False when some pair of non-NULL values
 * differs, else NULL when a pair has a NULL (as PostgreSQL answers).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.rowEq([p.score, p.id], [2, 3])))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where ("t0"."score", "t0"."id") = ($1, $2)',
 *     params: [2, 3],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.2.0
 */
export const rowEq: <
  const A extends ReadonlyArray<unknown>,
  const B extends RowOperands<NoInfer<A>> = RowOperands<A>,
>(
  left: Row<A>,
  right: B,
) => Pred<boolean | NullOf<Row<A>> | NullOf<B>> = rowCompare('eq', 'rowEq')
/**
 * Row inequality `(a, b, ...) <> (x, y, ...)`: some pair of non-NULL values differs; false when every
 * pair is equal, else NULL.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.rowNeq([p.score, p.id], [2, 3])))
 * const tables = new Map([['posts', [{ id: 3, score: 2 }, { id: 4, score: 2 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 4, score: 2 }]))
 *
 * @category constructors
 * @since 0.2.0
 */
export const rowNeq: <
  const A extends ReadonlyArray<unknown>,
  const B extends RowOperands<NoInfer<A>> = RowOperands<A>,
>(
  left: Row<A>,
  right: B,
) => Pred<boolean | NullOf<Row<A>> | NullOf<B>> = rowCompare('neq', 'rowNeq')

/**
 * Membership in a list, sent as one array parameter (`= any($1)`); an empty list matches nothing.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * assert.deepStrictEqual(
 *   Query.toSql(pipe(Query.from(M, 'post'), Query.where(p => Pred.in(p.id, [1, 2, 3])))),
 *   E.right({
 *     text: 'select "t0"."id", "t0"."title" from "posts" as "t0" where "t0"."id" = any($1)',
 *     params: [[1, 2, 3]],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export function isIn<A>(
  a: Term<A>,
  values: ReadonlyArray<NoInfer<NonNullable<A>>>,
): Pred<boolean | NullOf<[Term<A>]>>
/**
 * Membership in the one output of a query (`x in (select ...)`): the query's output must be of the
 * term's type. The query may refer to the rows around it (a correlated subquery); its errors are the
 * errors of the query that holds it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, {})
 * const authors = pipe(Query.from(M, 'post'), Query.select(p => ({ id: p.author_id })))
 * assert.deepStrictEqual(
 *   Query.toSql(pipe(Query.from(M, 'user'), Query.where(u => Pred.in(u.id, authors)))),
 *   E.right({
 *     text:
 *       'select "t0"."id", "t0"."name" from "users" as "t0" where "t0"."id" in ' +
 *       '(select "s1_0"."author_id" as "id" from "posts" as "s1_0")',
 *     params: [],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export function isIn<A, R>(
  a: Term<A>,
  query: Make.Query<Model.AnyModel, string, unknown, Make.Joins, R> &
    Subquery.OneOutput<R> &
    Matching<Subquery.OutputOf<R>, A>,
): Pred
export function isIn(a: Term<unknown>, values: unknown): Pred {
  return Invalid.total('Pred.in', () => {
    if (Array.isArray(values)) {
      const bad = (values as ReadonlyArray<unknown>)
        .map(v => badValue('Pred.in', a, v))
        .find(x => x !== undefined)
      return bad === undefined ? Expr.inList(a, values) : Invalid.pred(bad)
    }
    if (!Make.isQuery(values))
      return Invalid.pred(`Pred.in: expected an array of values or a query, got ${show(values)}`)
    const s = Subquery.embed('Pred.in', values, 1)
    return typeof s === 'string' ? Invalid.pred(s) : Subquery.carry(Expr.inSelect(a, s.select), s.errors)
  })
}
export { isIn as in }

/**
 * What a query's one output of type `V` must be to stand beside a term of type `A`: the same type,
 * NULL aside.
 *
 * @category model
 * @since 0.1.0
 */
export type Matching<V, A> = [NonNullable<V>] extends [NonNullable<A>]
  ? [NonNullable<A>] extends [NonNullable<V>]
    ? unknown
    : { readonly 'the output of the query must have the type of the term': NonNullable<A> }
  : { readonly 'the output of the query must have the type of the term': NonNullable<A> }

/**
 * Whether a query returns a row (`exists (select ...)`), over any query: whole rows or a projection.
 * The query may refer to the rows around it (a correlated subquery, built inside the callback); its
 * errors are the errors of the query that holds it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, comment }, {})
 * const commented = pipe(
 *   Query.from(M, 'post'),
 *   Query.where(p =>
 *     Pred.exists(pipe(Query.from(M, 'comment'), Query.where(c => Pred.eq(c.post_id, p.id)))),
 *   ),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(commented),
 *   E.right({
 *     text:
 *       'select "t0"."id", "t0"."title" from "posts" as "t0" where exists ' +
 *       '(select 1 from "comments" as "s1_0" where "s1_0"."post_id" = "t0"."id")',
 *     params: [],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const exists = <R>(query: Make.Query<Model.AnyModel, string, unknown, Make.Joins, R>): Pred<boolean> =>
  Invalid.total('Pred.exists', () => existsOf('Pred.exists', query))

/**
 * Whether a query returns no row (`not exists (select ...)`); see `exists`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, comment }, {})
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.where(p =>
 *     Pred.notExists(pipe(Query.from(M, 'comment'), Query.where(c => Pred.eq(c.post_id, p.id)))),
 *   ),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."id", "t0"."title" from "posts" as "t0" where not (exists ' +
 *       '(select 1 from "comments" as "s1_0" where "s1_0"."post_id" = "t0"."id"))',
 *     params: [],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const notExists = <R>(
  query: Make.Query<Model.AnyModel, string, unknown, Make.Joins, R>,
): Pred<boolean> =>
  Invalid.total('Pred.notExists', () => {
    const e = existsOf('Pred.notExists', query)
    return e._tag === 'Exists' ? Subquery.carry(Expr.not(e), Subquery.errorsIn(e)) : e
  })

// Whether a row exists does not depend on the columns selected, unless the select is distinct (its
// rows are told apart by them): the columns are dropped then (`select 1`).
const existsOf = (fn: string, query: unknown): Expr.Expr => {
  const s = Subquery.embed(fn, query)
  if (typeof s === 'string') return Invalid.pred(s)
  const select = s.select.distinct ? s.select : Select.set('columns', [])(s.select)
  return Subquery.carry(Expr.exists(select), s.errors)
}

/**
 * Whether a term is NULL: the only way to ask, since `eq` refuses `null` (SQL's `x = NULL` is never
 * true).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, deleted_at: Column.nullable(Column.timestamptz) })
 * const M = Schema.modelOrThrow({ post }, {})
 * const live = pipe(Query.from(M, 'post'), Query.where(p => Pred.isNull(p.deleted_at)))
 * assert.deepStrictEqual(
 *   Query.toSql(live),
 *   E.right({ text: 'select "t0"."id", "t0"."deleted_at" from "posts" as "t0" where "t0"."deleted_at" is null', params: [] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, deleted_at: null }, { id: 2, deleted_at: new Date(0) }]]])
 * assert.deepStrictEqual(await Memory.all(live)(tables)(), E.right([{ id: 1, deleted_at: null }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const isNull = <A>(a: Term<A>): Pred<boolean> => Invalid.total('Pred.isNull', () => Expr.isNull(a))
/**
 * Whether a term is not NULL (`not (x is null)`); the counterpart of `isNull`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, deleted_at: Column.nullable(Column.timestamptz) })
 * const M = Schema.modelOrThrow({ post }, {})
 * const gone = pipe(Query.from(M, 'post'), Query.where(p => Pred.isNotNull(p.deleted_at)))
 * const tables = new Map([['posts', [{ id: 1, deleted_at: null }, { id: 2, deleted_at: new Date(0) }]]])
 * assert.deepStrictEqual(await Memory.all(gone)(tables)(), E.right([{ id: 2, deleted_at: new Date(0) }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const isNotNull = <A>(a: Term<A>): Pred<boolean> =>
  Invalid.total('Pred.isNotNull', () => Expr.not(Expr.isNull(a)))
/**
 * Negation. SQL's three-valued logic holds: `not` of an unknown (a comparison with a NULL column) is
 * still unknown, so a row with a NULL column matches neither `p` nor `not(p)`, on PostgreSQL and in
 * the memory interpreter alike.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.nullable(Column.integer) })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.not(Pred.gt(p.score, 1))))
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: null }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 1, score: 1 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const not = <A extends boolean | null>(p: Pred<A>): Pred<A> =>
  Invalid.total('Pred.not', () => Expr.not(p))
/**
 * All of the conditions. True when none is given, so a list of optional filters built at run time can
 * be spread in without a special case for the empty list.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const between = (lo: number, hi: number) =>
 *   pipe(Query.from(M, 'post'), Query.where(p => Pred.and(Pred.gte(p.score, lo), Pred.lt(p.score, hi))))
 * assert.deepStrictEqual(
 *   Query.toSql(between(1, 5)),
 *   E.right({
 *     text: 'select "t0"."id", "t0"."score" from "posts" as "t0" where "t0"."score" >= $1 and "t0"."score" < $2',
 *     params: [1, 5],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const and = <const Ps extends ReadonlyArray<Pred>>(...ps: Ps): Pred<boolean | NullOf<Ps>> => {
  try {
    return ps.length === 0 ? Expr.bool(true) : Expr.and(ps)
  } catch (u) {
    return Invalid.thrown('Pred.and', u)
  }
}
/**
 * Any of the conditions. False when none is given: the identity of `or`, so `or(...[])` matches
 * nothing, as `Pred.in(x, [])` does.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, score: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.or(Pred.eq(p.score, 1), Pred.eq(p.score, 3))))
 * const tables = new Map([['posts', [{ id: 1, score: 1 }, { id: 2, score: 2 }, { id: 3, score: 3 }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 1, score: 1 }, { id: 3, score: 3 }]))
 * const none = pipe(Query.from(M, 'post'), Query.where(() => Pred.or()))
 * assert.deepStrictEqual(await Memory.all(none)(tables)(), E.right([]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const or = <const Ps extends ReadonlyArray<Pred>>(...ps: Ps): Pred<boolean | NullOf<Ps>> => {
  try {
    return ps.length === 0 ? Expr.bool(false) : Expr.or(ps)
  } catch (u) {
    return Invalid.thrown('Pred.or', u)
  }
}
/**
 * SQL `LIKE`, case-sensitive: `%` matches any run of characters and `_` one character. The pattern is a
 * parameter, so a user's text is never SQL, but its `%` and `_` still match as wildcards: put a
 * backslash before each (and before a backslash) to match them literally.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.like(p.title, 'Hello%')))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."title" from "posts" as "t0" where "t0"."title" like $1', params: ['Hello%'] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, title: 'Hello, world' }, { id: 2, title: 'hello again' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 1, title: 'Hello, world' }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const like = <A extends string | null>(
  a: Term<A>,
  pattern: Operand<string>,
): Pred<boolean | NullOf<[Term<A>]>> =>
  Invalid.total('Pred.like', () =>
    checked('Pred.like', a, pattern, () => Expr.like(a, operand(pattern), false)),
  )
/**
 * PostgreSQL's `ILIKE`: `like` without regard to case, the usual choice for a search box.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.ilike(p.title, 'hello%')))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."title" from "posts" as "t0" where "t0"."title" ilike $1', params: ['hello%'] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, title: 'Hello, world' }, { id: 2, title: 'hello again' }, { id: 3, title: 'Bye' }]]])
 * assert.deepStrictEqual(
 *   E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id))(await Memory.all(q)(tables)()),
 *   E.right([1, 2]),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const ilike = <A extends string | null>(
  a: Term<A>,
  pattern: Operand<string>,
): Pred<boolean | NullOf<[Term<A>]>> =>
  Invalid.total('Pred.ilike', () =>
    checked('Pred.ilike', a, pattern, () => Expr.like(a, operand(pattern), true)),
  )

const isTemplate = Node.isTemplate

/**
 * A SQL fragment: columns interpolate as columns, anything else as a parameter.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.where(p => Pred.fragment`length(${p.title}) > ${10}`))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select "t0"."id", "t0"."title" from "posts" as "t0" where (length("t0"."title") > $1)',
 *     params: [10],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const fragment = <A = boolean | null>(
  strings: TemplateStringsArray,
  ...args: ReadonlyArray<unknown>
): Term<A> =>
  Invalid.total('Pred.fragment', () =>
    // Only a tagged template's strings are SQL text: a frozen array with its `raw` strings, one more
    // string than arguments, every one a string. An array from untyped code (JSON has no `raw`, and is not
    // frozen unless someone froze it) called as `fragment(...)` is refused, never spliced into the SQL.
    isTemplate(strings, args.length)
      ? Expr.fragment([...strings], args.map(operand))
      : Invalid.pred(
          `Pred.fragment: expected a tagged template (Pred.fragment\`...\`), got ${show(strings)}`,
        ),
  )
