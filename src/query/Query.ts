/**
 * Queries as immutable values. `from` starts one over a schema of a model; `where`, `orderBy`, `limit`,
 * `offset`, `distinct` and `join` are data-last and return new values; `assoc` builds the query of the
 * records associated with some owners. `select` replaces whole rows with a projection (terms of the
 * row, of joined bindings, `Fn` expressions and aggregates, relation aggregates such as
 * `$.count('comments')`), and `groupBy`, `having` and `distinctOn` group and pick rows. A query built
 * from untyped input that names something the model does not have carries a `QueryError`, returned as
 * a `Left` when it is compiled or run; so does a query PostgreSQL would refuse for its grouping (a
 * column neither grouped nor aggregated), before any SQL is sent.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Check from '../ast/Check.js'
import * as Expr from '../ast/Expr.js'
import * as Select from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Chain from '../plan/Chain.js'
import * as Spec from '../plan/Spec.js'
import * as A from '../schema/Association.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import * as Table from '../schema/Table.js'
import * as Sql from '../sql/Compile.js'
import * as Fn from './Fn.js'
import * as JoinPreload from './Joined.js'
import * as Compiled from './Compiled.js'
import * as Keys from './Keys.js'
import * as Invalid from './Invalid.js'
import * as Lower from './Lower.js'
import * as Make from './Make.js'
import * as Subquery from './Subquery.js'
import type * as Pred from './Pred.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type { AnyQuery, Binding, Joined, JoinedQuery, Joins, Query, Result, Whole } from './Make.js'
import type { AnyQuery, Binding, Joined, Joins, Query, Whole } from './Make.js'

/**
 * Column terms of a row type, as the argument of a `where` callback.
 *
 * @category model
 * @since 0.1.0
 */
export type Refs<R> = { readonly [K in keyof R]-?: Pred.Term<R[K]> }

/**
 * Column terms of a row type whose binding may be NULL (an outer join): every term may be NULL.
 *
 * @category model
 * @since 0.1.0
 */
export type NullableRefs<R> = { readonly [K in keyof R]-?: Pred.Term<R[K] | null> }

/**
 * The column terms of schema `S`: each typed as its column decodes, and carrying its column's SQL type
 * mark (`Column.Sql`), by which `Fn`'s arithmetic takes a `numeric` column and refuses a `text` one.
 *
 * @category model
 * @since 0.2.0
 */
export type TableRefs<M extends Model.AnyModel, S extends string> = Marked<
  Refs<Model.Row<M, S>>,
  InputOf<M['tables'][S]>
>

/**
 * The column terms of schema `S` whose binding may be NULL (an outer join), marked as `TableRefs`.
 *
 * @category model
 * @since 0.2.0
 */
export type NullableTableRefs<M extends Model.AnyModel, S extends string> = Marked<
  NullableRefs<Model.Row<M, S>>,
  InputOf<M['tables'][S]>
>

type InputOf<T> = T extends Table.Table<string, infer C> ? C : {}

/**
 * The SQL type marks (`Column.Sql`) of the outputs `O` of a projection, which `select` keeps beside
 * its query type: `fromQuery`, `joinQuery` and `joinLateral` give the outer query the outputs' terms
 * with their marks, so a `numeric` output takes arithmetic as a `numeric` column does and a `text`
 * output refuses it at compile time. A phantom: no value carries it. The combinators that keep the
 * row type carry the marks through (`where`, `orderBy`, `groupBy`, `having`, `distinctOn`, `distinct`,
 * `limit`, `offset`, `join`, `joinQuery`, `joinLateral`). `selectMerge` drops them, and the
 * outputs' terms are then unmarked (decimal text still computes exactly; the refusals move to run
 * time); so does `preload`, whose query is no subquery (`fromQuery` refuses it).
 *
 * @category model
 * @since 0.2.0
 */
export interface OutputMarks<O> {
  readonly _marks?: { readonly [K in keyof O]: Column.SqlOf<O[K]> }
}

/**
 * Marks kept with a joined subquery in the joins of a query (see `OutputMarks`).
 *
 * @category model
 * @since 0.2.0
 */
export interface Marks<K> {
  readonly marks?: K
}

type MarksIn<B> = B extends { readonly marks?: infer K } ? (unknown extends K ? {} : K) : {}
type WithMarks<Rf, K> = { readonly [X in keyof Rf]: Rf[X] & (X extends keyof K ? K[X] : {}) }
// The marks of a projection (`OutputMarks`), carried through a combinator that keeps its row type.
type Carry<K> = { readonly _marks?: K }
type MarksOf<Q> = Q extends { readonly _marks?: infer K } ? (unknown extends K ? {} : NonNullable<K>) : {}
type Marked<R, C> = { readonly [K in keyof R]: R[K] & (K extends keyof C ? Column.SqlOf<C[K]> : {}) }

/**
 * The column terms of the root binding of a query with joins `J`: nullable after a `right` or `full`
 * join. The root of a query over a subquery (`fromQuery`) is kept in `J` under `''` as a
 * `JoinedQuery`: its terms are the subquery's outputs.
 *
 * @category model
 * @since 0.1.0
 */
export type RootRefs<M extends Model.AnyModel, S extends string, J extends Joins> = J extends {
  readonly '': Make.JoinedQuery<infer R, infer N>
}
  ? WithMarks<N extends true ? NullableRefs<R> : Refs<R>, MarksIn<J['']>>
  : J extends {
        readonly '': Joined<string, true>
      }
    ? NullableTableRefs<M, S>
    : TableRefs<M, S>

/**
 * The joins of a query over a subquery of row type `R` (`fromQuery`): its root, typed as the
 * subquery's projection.
 *
 * @category model
 * @since 0.2.0
 */
export type FromQuery<R, K = {}> = { readonly '': Make.JoinedQuery<R, false> & Marks<K> }

/**
 * What a query given to `fromQuery` must also be: nothing more when it is a projection, else a type no
 * query has (a compile error naming the rule).
 *
 * @category model
 * @since 0.2.0
 */
export type Projection<R> = [R] extends [Whole]
  ? { readonly 'a projection (Query.select(p => ({ ... })))': never }
  : unknown

/**
 * The columns of each joined binding: nullable after an outer join.
 *
 * @category model
 * @since 0.1.0
 */
export type JoinedRefs<M extends Model.AnyModel, J extends Joins> = {
  readonly [K in Exclude<keyof J, ''>]: J[K] extends Make.JoinedQuery<infer R>
    ? WithMarks<J[K]['nullable'] extends true ? NullableRefs<R> : Refs<R>, MarksIn<J[K]>>
    : J[K]['nullable'] extends true
      ? NullableTableRefs<M, J[K]['schema']>
      : TableRefs<M, J[K]['schema']>
}

/**
 * A joined binding made nullable (by a later `right` or `full` join), a subquery's keeping its rows.
 *
 * @category model
 * @since 0.2.0
 */
export type NullableJoined<B extends Joined> =
  B extends Make.JoinedQuery<infer R>
    ? Make.JoinedQuery<R, true> & Marks<MarksIn<B>>
    : Joined<B['schema'], true, B['from']>

/**
 * The value a relation aggregate (`$.sum`, `$.min`, ...) takes of each associated record.
 *
 * @category model
 * @since 0.1.0
 */
export type Of<M extends Model.AnyModel, S extends string, A> = (
  row: TableRefs<M, S>,
  $: Scope<M, S, {}>,
) => Pred.Term<A>

/**
 * The second argument of the callbacks of `where`, `select`, `orderBy`, `groupBy`, `having` and
 * `distinctOn`: predicates and aggregates over associations, and the joined bindings.
 *
 * @category model
 * @since 0.1.0
 */
export interface Scope<M extends Model.AnyModel, S extends string, J extends Joins> {
  /** Some associated record exists (satisfying `f` when given). */
  readonly exists: <N extends Model.AssociationName<M, S>>(
    name: N,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Pred<boolean>
  /** No associated record exists (satisfying `f` when given). */
  readonly notExists: <N extends Model.AssociationName<M, S>>(
    name: N,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Pred<boolean>
  /** Every associated record satisfies `f` (vacuously true with none; a NULL result counts as not satisfied). */
  readonly every: <N extends Model.AssociationName<M, S>>(
    name: N,
    f: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Pred<boolean>
  /** The number of associated records (satisfying `f` when given): 0 with none. */
  readonly count: <N extends Model.AssociationName<M, S>>(
    name: N,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Term<number>
  /** The sum of `value` over the associated records (satisfying `f`): NULL with none (see `Fn.sum`). */
  readonly sum: <N extends Model.AssociationName<M, S>, A extends number | string | null>(
    name: N,
    value: Of<M, Model.Target<M, S, N>, A>,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Term<Fn.Summed<A>>
  /** The mean of `value` over the associated records (satisfying `f`): NULL with none (see `Fn.avg`). */
  readonly avg: <N extends Model.AssociationName<M, S>, A extends number | string | null>(
    name: N,
    value: Of<M, Model.Target<M, S, N>, A>,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Term<Fn.Summed<A>>
  /** The least `value` of the associated records (satisfying `f`): NULL with none. */
  readonly min: <N extends Model.AssociationName<M, S>, A>(
    name: N,
    value: Of<M, Model.Target<M, S, N>, A>,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Term<NonNullable<A> | null>
  /** The greatest `value` of the associated records (satisfying `f`): NULL with none. */
  readonly max: <N extends Model.AssociationName<M, S>, A>(
    name: N,
    value: Of<M, Model.Target<M, S, N>, A>,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Term<NonNullable<A> | null>
  /** The columns of the joined bindings (nullable after an outer join). */
  readonly joined: JoinedRefs<M, J>
}

/**
 * What a `select` callback returns: an output name for each term.
 *
 * @category model
 * @since 0.1.0
 */
export type Outputs = Readonly<Record<string, Pred.Term<unknown>>>

/**
 * The row type of a projection: each output's value type.
 *
 * @category model
 * @since 0.1.0
 */
export type Selected<O> = { readonly [K in keyof O]: Fn.Value<O[K]> }

/**
 * The names an order item may use: the root's columns, and the outputs of a projection.
 *
 * @category model
 * @since 0.1.0
 */
export type OrderNames<M extends Model.AnyModel, S extends string, R> = [R] extends [Whole]
  ? keyof Model.Row<M, S> & string
  : (keyof R | keyof Model.Row<M, S>) & string

/**
 * The row type of a query (`Pg.all(q)` gives a list of them).
 *
 * @category model
 * @since 0.1.0
 */
export type RowOf<Q> =
  Q extends Query<infer M, infer S, infer P, Joins, infer R> ? Make.Result<M, S, P, R> : never

/**
 * The joins of a query after joining an association path to schema `T` under name `N` with `kind`: a
 * `left` join makes the joined binding nullable, a `right` join every binding before it (the root
 * included), a `full` join both. `H` are the bindings the path's intermediate hops add (see `Hops`),
 * `F` the name of the binding the last hop hangs from (`''`: the root).
 *
 * @category model
 * @since 0.1.0
 */
export type AddJoin<
  J extends Joins,
  N extends string,
  T extends string,
  K extends Expr.JoinKind,
  H extends Joins = {},
  F extends string = '',
> = (K extends 'right' | 'full'
  ? { readonly [X in keyof J]: NullableJoined<J[X]> } & { readonly '': Joined<string, true> }
  : J) &
  H & { readonly [X in N]: Joined<T, K extends 'left' | 'full' ? true : false, F> }

/**
 * The name of the binding the last hop of a join over path `P` hangs from: its prefix's default name
 * (`PathName`), which a path join reuses or binds itself; `''` (the root) for one association.
 *
 * @category model
 * @since 0.2.0
 */
export type PathFrom<P> = P extends readonly [infer H extends string, infer _, ...infer R]
  ? R extends readonly []
    ? H
    : `${H}.${PathFrom<readonly [_, ...R]>}`
  : ''

/**
 * The default name of the binding a join over path `P` makes: its association names joined with `.`
 * (`['comments', 'author']` is `'comments.author'`).
 *
 * @category model
 * @since 0.1.0
 */
export type PathName<P> = P extends readonly [infer H extends string]
  ? H
  : P extends readonly [infer H extends string, ...infer R]
    ? `${H}.${PathName<R>}`
    : string

/**
 * The bindings a join over path `P` (from schema `S`) adds for its intermediate hops: each strict
 * prefix under its default name (`PathName`), unless a binding of that name is already in `J` (then
 * the join goes on from it). Nullable (`N`) unless the join is `inner`.
 *
 * @category model
 * @since 0.1.0
 */
export type Hops<
  M extends Model.AnyModel,
  S extends string,
  J extends Joins,
  P,
  N extends boolean,
  Prefix extends string = '',
> = P extends readonly [infer H extends string, infer Next, ...infer R]
  ? (`${Prefix}${H}` extends keyof J
      ? {}
      : {
          readonly [X in `${Prefix}${H}`]: Joined<
            Model.Target<M, S, H>,
            N,
            Prefix extends `${infer F}.` ? F : ''
          >
        }) &
      Hops<M, Model.Target<M, S, H>, J, readonly [Next, ...R], N, `${Prefix}${H}.`>
  : {}

/**
 * The options of `join`: `as`, the name of the binding (default: the association path joined with
 * `.`); `on`, a condition on the joined rows conjoined with the association's own in the ON clause.
 * The callback gets the joined row's columns, a scope over the joined schema `T` with the bindings
 * joined before it (`J`: a path's hops included, so the parent binding of a path's last hop is
 * `$.joined[prefix]`), and the columns of the query's root row (schema `S`; nullable after a `right`
 * or `full` join), the parent binding of a join of one association.
 *
 * @category model
 * @since 0.1.0
 */
export interface JoinOptions<
  M extends Model.AnyModel,
  T extends string,
  J extends Joins,
  A extends string,
  S extends string = never,
> {
  readonly as?: A
  readonly on?: (row: TableRefs<M, T>, $: Scope<M, T, J>, root: RootRefs<M, S, J>) => Pred.Pred
}

/**
 * A condition on the rows of a schema, with the association predicates of its scope: the filter
 * `$.exists`, `$.every` and the relation aggregates take for the associated rows (its scope starts
 * with no joined bindings: those belong to the outer query).
 *
 * @category model
 * @since 0.1.0
 */
export type Callback<M extends Model.AnyModel, S extends string> = (
  row: TableRefs<M, S>,
  $: Scope<M, S, {}>,
) => Pred.Pred

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const rootAlias = 't0'
const alias = (i: number): string => `t${i}`

/**
 * Whether a value is a query built by this module (`from`, `assoc` and the combinators), not merely
 * shaped like one (a value from untyped code shaped like `{ _tag: 'Query', select, errors: [] }` is not
 * a query, and every entry point answers it with a typed error). Total: a proxy whose traps throw is
 * not a query.
 *
 * @example
 * import { Column, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = Query.from(M, 'post')
 * assert.strictEqual(Query.isQuery(q), true)
 * assert.strictEqual(Query.isQuery({ ...q }), false)
 *
 * @category utils
 * @since 0.1.0
 */
export const isQuery: (u: unknown) => u is AnyQuery = Make.isQuery

const make = Make.make

const invalid = <M extends Model.AnyModel, S extends string>(
  model: M,
  schema: S,
  error: QueryError.QueryError,
): Query<M, S> => Make.invalid(model, schema, error) as Query<M, S>

const invalidArgument = (fn: string, message: string, schema: string | null = null): QueryError.QueryError =>
  QueryError.make('InvalidArgument', `Query.${fn}: ${message}`, schema)

// The rows a query reads, for messages: its schema, or the subquery it selects from.
const sourceOf = (q: AnyQuery): string =>
  q.derived === undefined
    ? `'${q.schema}'`
    : `the subquery of Query.fromQuery${q.derivedFrom === undefined ? '' : ` (a query of '${q.derivedFrom}')`}`

// The error of an association asked of a query over a subquery (`Query.fromQuery`): its root is a
// derived table of the subquery's outputs, which has no associations (the model has no schema '').
const noAssociations = (q: AnyQuery, asked: string, name: unknown): QueryError.QueryError => {
  const named = typeof name === 'string' ? `'${name}'` : show(name)
  return QueryError.make(
    'UnknownAssociation',
    `${asked}: the query selects from ${sourceOf(q)}: a derived table of its outputs (${(q.derived ?? []).map(([n]) => n).join(', ')}) has no associations, so it has no ${named}; ask for ${named} inside the subquery`,
    null,
    typeof name === 'string' ? name : show(name),
  )
}

// What a data-last combinator returns for a value that is not a query: an invalid query of no model,
// refused (with this error) when it is compiled or run.
const notAQuery = (fn: string, u: unknown): Query<never, string> =>
  invalid(
    undefined as never,
    '',
    invalidArgument(fn, `expected a query (Query.from(model, schema) ...), got ${show(u)}`),
  )

// The boundary of each entry point. Untyped callers can hand anything (a proxy whose traps throw, a
// getter that throws, a callback that throws); whatever throws while the input is read becomes an
// `InvalidArgument` of the query, so `toSql` and the interpreters answer it with a `Left` and nothing
// escapes as an exception (invariant 8). Checks before it give the precise errors; this is the net.
const guard = <Q>(fn: string, f: () => Q, onThrow: (e: QueryError.QueryError) => Q): Q => {
  try {
    return f()
  } catch (u) {
    return onThrow(
      invalidArgument(fn, `its input could not be read, or a callback threw: ${Invalid.describe(u)}`),
    )
  }
}

// The same for a combinator over a query `q`: its error is added to `q`'s.
const guardOn = <Q extends AnyQuery>(fn: string, q: Q, f: () => Q): Q =>
  guard(fn, f, e => make({ ...q, errors: [...q.errors, e] }))

/**
 * All rows of a schema's table.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * assert.deepStrictEqual(
 *   Query.toSql(Query.from(M, 'post')),
 *   E.right({ text: 'select "t0"."id", "t0"."title" from "posts" as "t0"', params: [] }),
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const from = <M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
): Query<M, S> =>
  guard(
    'from',
    () => {
      const table = Model.table(model, schema)
      if (table === undefined)
        return invalid(
          model,
          schema,
          QueryError.make(
            'UnknownSchema',
            `the model has no schema ${typeof schema === 'string' ? `'${schema}'` : show(schema)}`,
            typeof schema === 'string' ? schema : show(schema),
          ),
        )
      return make({
        _tag: 'Query' as const,
        model,
        schema,
        select: rootSelect(model, schema, table),
        aliases: 1,
        joined: new Map<string, Binding>(),
        preload: {},
        projected: false,
        errors: [],
        scope: Make.freshScope(),
      })
    },
    e => invalid(model, schema, e),
  )

// The select of `from`, one per table: a node is immutable, so every query that starts at the table
// shares it (and the caches keyed by nodes find it again).
const rootSelects = new WeakMap<Table.Table, Select.Select>()
const rootSelect = (model: Model.AnyModel, schema: string, table: Table.Table): Select.Select => {
  let s = rootSelects.get(table)
  if (s === undefined)
    rootSelects.set(
      table,
      (s = Select.create({ table: table.source, alias: rootAlias }, Chain.outputs(model, schema, rootAlias))),
    )
  return s
}

/**
 * The rows of a query (a projection) as the source of another, `select ... from (<the query>) as t0`:
 * the new query's row is the projection's, whose outputs its callbacks read as columns (`where`,
 * `select`, `groupBy`, `having`, `orderBy`, `joinQuery`), decoded as the projection decodes them; it
 * returns them as they are until it selects. It has no schema: association combinators (`$.count`,
 * `join`, `preload`) do not apply to it. A query of whole rows or with preloads is a `QueryError`.
 * Authors whose posts per month average more than 2:
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', {
 *   id: Column.serial, author_id: Column.integer, inserted_at: Column.timestamptz,
 * })
 * const M = Schema.modelOrThrow({ post }, {})
 * const monthly = pipe(
 *   Query.from(M, 'post'),
 *   Query.groupBy(p => [p.author_id, Fn.dateTrunc('month', p.inserted_at)]),
 *   Query.select(p => ({ author: p.author_id, month: Fn.dateTrunc('month', p.inserted_at), n: Fn.count() })),
 * )
 * const q = pipe(
 *   Query.fromQuery(monthly),
 *   Query.groupBy(m => [m.author]),
 *   Query.having(m => Pred.gt(Fn.avg(m.n), 2)),
 *   Query.select(m => ({ author: m.author, perMonth: Fn.avg(m.n) })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."author", avg("t0"."n") as "perMonth" from (select "s1_0"."author_id" as "author", ' +
 *       'date_trunc(\'month\', "s1_0"."inserted_at") as "month", count(*) as "n" from "posts" as "s1_0" ' +
 *       'group by "s1_0"."author_id", date_trunc(\'month\', "s1_0"."inserted_at")) as "t0" ' +
 *       'group by "t0"."author" having avg("t0"."n") > $1',
 *     params: [2],
 *   }),
 * )
 *
 * @category constructors
 * @since 0.2.0
 */
export const fromQuery = <M extends Model.AnyModel, R, Q extends Make.Query<M, string, unknown, Joins, R>>(
  sub: Q & Make.Query<M, string, unknown, Joins, R> & Projection<R>,
): Query<M, '', {}, FromQuery<R, MarksOf<Q>>, R> =>
  guard(
    'fromQuery',
    (): AnyQuery => {
      if (!isQuery(sub)) return notAQuery('fromQuery', sub)
      const fail = (message: string): AnyQuery =>
        invalid(sub.model, '', invalidArgument('fromQuery', message, sub.schema))
      // The subquery's own errors first: a refused projection is not one.
      if (sub.errors.length > 0)
        return make({
          ...invalid(sub.model, '', sub.errors[0] as QueryError.QueryError),
          errors: sub.errors.map(e => QueryError.make(e.code, e.message, e.schema, e.association)),
        })
      if (!sub.projected)
        return fail(
          `expected a projection (Query.select) to select from, got a query of whole rows of '${sub.schema}'`,
        )
      if (Keys.preloadsProjection(sub))
        return fail(
          'a query with preloads cannot be selected from (its preloads would not be loaded): preload in the query that runs',
        )
      // The relation aggregates of the subquery are lowered as they are where it runs on its own.
      const outputs = Make.outputInfos(sub)
      const embedded = Subquery.embed(
        'Query.fromQuery',
        Make.make({ ...sub, select: Lower.select(sub.select) }),
      )
      // (its message names Query.fromQuery already)
      if (typeof embedded === 'string')
        return invalid(sub.model, '', QueryError.make('InvalidArgument', embedded, sub.schema))
      // Built inside a callback, the subquery may read the outer rows (`t0` ...): the new root takes a
      // namespace of its own, apart from them (see ./Subquery.ts).
      const root = Subquery.nested() ? Subquery.aliasIn(Subquery.freshNamespace(), 0) : rootAlias
      const columns = outputs.map(([name, info]) => ({
        name,
        expr: Make.typed(Expr.column(root, name, refType(info)), info),
      }))
      return make({
        _tag: 'Query' as const,
        model: sub.model,
        schema: '',
        select: Select.create(Select.derived(embedded.select, root), columns),
        aliases: 1,
        joined: new Map<string, Binding>(),
        preload: {},
        projected: true,
        errors: [...embedded.errors],
        scope: Make.freshScope(),
        derived: outputs,
        derivedFrom: sub.derived === undefined ? sub.schema : (sub.derivedFrom ?? sub.schema),
      })
    },
    e => invalid(undefined as never, '', e),
  ) as never

const keysOf = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  column: string,
): ReadonlyArray<unknown> => {
  const seen = new Set<unknown>()
  const out: Array<unknown> = []
  for (const r of rows) {
    const k = r[column]
    if (k === null || k === undefined || seen.has(k)) continue
    seen.add(k)
    out.push(k)
  }
  return out
}

/**
 * The query of the records associated with some owners, by association name or by a path of names (a
 * dynamic through). One owner key compiles to `=`, several to `= any($1)` with one array parameter;
 * null keys are dropped; with no key the query returns no rows without a round trip. A through is
 * DISTINCT. The owner filter is a conjunct of its own: a later `or` cannot widen it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', {
 *   id: Column.serial, post_id: Column.integer, body: Column.text,
 * })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const posts = [{ id: 3, title: 'a' }, { id: 1, title: 'b' }]
 * assert.deepStrictEqual(
 *   Query.toSql(Query.assoc(M, 'post', 'comments')(posts)),
 *   E.right({
 *     text:
 *       'select "t0"."id", "t0"."post_id", "t0"."body" from "comments" as "t0" ' +
 *       'where "t0"."post_id" = any($1)',
 *     params: [[3, 1]],
 *   }),
 * )
 * // by a path of names, a through: Query.assoc(Blog, 'post', ['comments', 'author'])(posts)
 *
 * @category constructors
 * @since 0.1.0
 */
export function assoc<
  M extends Model.AnyModel,
  S extends Model.SchemaName<M>,
  const N extends Model.AssociationName<M, S>,
>(
  model: M,
  schema: S,
  name: N,
): (owners: Model.Row<M, S> | ReadonlyArray<Model.Row<M, S>>) => Query<M, Model.Target<M, S, N>>
export function assoc<
  M extends Model.AnyModel,
  S extends Model.SchemaName<M>,
  const P extends readonly [Model.AssociationName<M, S>, ...Array<string>],
>(
  model: M,
  schema: S,
  path: P & Model.Path<M, S, P>,
): (owners: Model.Row<M, S> | ReadonlyArray<Model.Row<M, S>>) => Query<M, Model.PathTarget<M, S, P>>
export function assoc(
  model: Model.AnyModel,
  schema: string,
  nameOrPath: string | ReadonlyArray<string>,
): (owners: never) => AnyQuery {
  const chain = guard(
    'assoc',
    (): E.Either<QueryError.QueryError, Chain.Chain> => {
      const path = typeof nameOrPath === 'string' ? [nameOrPath] : nameOrPath
      return Array.isArray(path)
        ? Chain.fromPath(model, schema, path)
        : E.left(
            invalidArgument(
              'assoc',
              `expected an association name or a path of names, got ${show(path)}`,
              null,
            ),
          )
    },
    E.left,
  )
  return owners => {
    if (E.isLeft(chain)) return invalid(model, schema, chain.left)
    const c = chain.right
    return guard(
      'assoc',
      () => {
        const list: ReadonlyArray<unknown> = Array.isArray(owners) ? owners : [owners]
        if (!list.every(o => typeof o === 'object' && o !== null))
          return invalid(
            model,
            c.target,
            invalidArgument('assoc', `assoc expects ${schema} rows, got ${show(owners)}`, schema),
          )
        const keys = keysOf(list as ReadonlyArray<Readonly<Record<string, unknown>>>, c.ownerCol)
        const select = Chain.backward(model, c, alias, (a, col) => Expr.inList(Expr.column(a, col), keys))
        return make({
          _tag: 'Query' as const,
          model,
          schema: c.target,
          select,
          aliases: c.links.length,
          joined: new Map<string, Binding>(),
          preload: {},
          projected: false,
          errors: [],
          scope: Make.freshScope(),
        })
      },
      e => invalid(model, c.target, e),
    )
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

// The column terms of a binding, built once per (model, schema, alias) and frozen. Each records its
// column's SQL type and decoder (`Make.typed`): `Fn` reads the type, a projection the decoder.
const termsCache = new WeakMap<Model.AnyModel, Map<string, Readonly<Record<string, Pred.Term<unknown>>>>>()

const termsOf = (
  model: Model.AnyModel,
  schema: string,
  a: string,
): Readonly<Record<string, Pred.Term<unknown>>> => {
  let bySchema = termsCache.get(model)
  if (bySchema === undefined) termsCache.set(model, (bySchema = new Map()))
  const key = `${schema}\u0000${a}`
  const hit = bySchema.get(key)
  if (hit !== undefined) return hit
  // A JSON column's term says so: what it is compared with is sent as JSON (see `Expr.Param.json`).
  const terms: Readonly<Record<string, Pred.Term<unknown>>> = Object.freeze(
    Object.fromEntries(
      [...(Model.table(model, schema)?.columns ?? [])].map(([c, col]) => [
        c,
        Make.typed(Expr.column(a, c, Column.jsonType(col) ?? refType(columnInfo(col))), columnInfo(col)),
      ]),
    ),
  )
  bySchema.set(key, terms)
  return terms
}

const columnInfo = Make.columnInfo

const refType = Make.refType

// The column terms a callback is given: copies of a binding's shared terms (`termsOf`, made when
// first read) owned by query identity `scope` under the binding's name, so that a combinator can tell
// its own terms from another query's of the same alias (see `Subquery.foreign`). From untyped input a callback
// may read a column the binding does not have: the read is recorded as `unknown(name)`, an error of the
// query, so the query is refused instead of failing to compile later.
const ownedRefs = (
  terms: Readonly<Record<string, Pred.Term<unknown>>>,
  owner: Make.Owner,
  errors: Array<QueryError.QueryError>,
  unknown: (name: string) => QueryError.QueryError,
): Readonly<Record<string, Pred.Term<unknown>>> => {
  return new Proxy(new RefsTarget(terms, owner, errors, unknown), refsHandler) as unknown as Readonly<
    Record<string, Pred.Term<unknown>>
  >
}

// The proxy's target: what the traps need (one shared handler, no closures) and the terms made so far.
// Its own fields are writable and configurable, so the traps may answer for any name (a column named
// `terms` included) without breaking a proxy invariant.
class RefsTarget {
  made: Record<string, Pred.Term<unknown>> | undefined = undefined
  constructor(
    readonly terms: Readonly<Record<string, Pred.Term<unknown>>>,
    readonly owner: Make.Owner,
    readonly errors: Array<QueryError.QueryError>,
    readonly unknown: (name: string) => QueryError.QueryError,
  ) {}
}

const ownedTerm = (t: RefsTarget, k: string): Pred.Term<unknown> => {
  const made = (t.made ??= {})
  return (made[k] ??= Make.owned(
    t.terms[k] as unknown as Expr.ColumnRef,
    t.owner,
  ) as unknown as Pred.Term<unknown>)
}

const refuse = (): boolean => false

const refsHandler: ProxyHandler<RefsTarget> = {
  get: (t, k) => {
    if (typeof k === 'string') {
      if (Object.hasOwn(t.terms, k)) return ownedTerm(t, k)
      t.errors.push(t.unknown(k))
    }
    return Reflect.get(t.terms, k)
  },
  has: (t, k) => Reflect.has(t.terms, k),
  ownKeys: t => Reflect.ownKeys(t.terms),
  getOwnPropertyDescriptor: (t, k) =>
    typeof k === 'string' && Object.hasOwn(t.terms, k)
      ? { value: ownedTerm(t, k), writable: false, enumerable: true, configurable: true }
      : undefined,
  getPrototypeOf: () => Object.prototype,
  set: refuse,
  defineProperty: refuse,
  deleteProperty: refuse,
}

const refs = (
  model: Model.AnyModel,
  schema: string,
  a: string,
  errors: Array<QueryError.QueryError>,
  scope: number,
  binding: string,
): Readonly<Record<string, Pred.Term<unknown>>> => {
  const terms = termsOf(model, schema, a)
  return ownedRefs(terms, { scope, schema, binding, terms }, errors, k =>
    QueryError.make('UnknownColumn', `schema '${schema}' has no column '${k}'`, schema),
  )
}

// The terms of a joined binding (named `name`): a schema's columns, or a joined subquery's outputs
// (typed as the subquery's outputs are; an unknown name is an error of the query).
const bindingRefs = (
  model: Model.AnyModel,
  b: Binding,
  errors: Array<QueryError.QueryError>,
  scope: number,
  name: string,
): Readonly<Record<string, Pred.Term<unknown>>> =>
  b.outputs === undefined
    ? refs(model, b.schema, b.alias, errors, scope, name)
    : outputRefs(b.alias, b.outputs, errors, scope, name, k =>
        QueryError.make(
          'UnknownColumn',
          `the joined subquery '${b.path}' has no output '${k}'`,
          undefined,
          b.path,
        ),
      )

// The terms of a subquery's outputs under an alias; reading another name records `unknown(name)`.
const outputRefs = (
  alias: string,
  outputs: ReadonlyArray<readonly [string, Make.TermInfo]>,
  errors: Array<QueryError.QueryError>,
  scope: number,
  binding: string,
  unknown: (name: string) => QueryError.QueryError,
): Readonly<Record<string, Pred.Term<unknown>>> => {
  const terms = Object.fromEntries(
    outputs.map(([name, info]) => [name, Make.typed(Expr.column(alias, name, refType(info)), info)]),
  ) as Readonly<Record<string, Pred.Term<unknown>>>
  return ownedRefs(terms, { scope, schema: '', binding, terms }, errors, unknown)
}

// The terms of a query's root binding: its schema's columns, or the outputs of the subquery it
// selects from (`fromQuery`).
const rootRefs = (
  q: AnyQuery,
  errors: Array<QueryError.QueryError>,
): Readonly<Record<string, Pred.Term<unknown>>> =>
  q.derived === undefined
    ? refs(q.model, q.schema, q.select.from.alias, errors, q.scope, q.schema)
    : outputRefs(q.select.from.alias, q.derived, errors, q.scope, fromQueryBinding, k =>
        QueryError.make('UnknownColumn', `the subquery of Query.fromQuery has no output '${k}'`, null),
      )

const fromQueryBinding = 'the row of Query.fromQuery'

// Where an aggregate may stand: in a projection, an order and a having (`'allowed'`), never in a
// filter or a grouping, where PostgreSQL refuses it.
type Aggregates = 'allowed' | 'refused'

// A callback's result from untyped code may be anything: only expressions built by Pred / Fn (branded
// by the AST companions; shape never counts) are accepted into a query, nested no deeper than
// `Expr.maxDepth`.
const checked = (
  e: unknown,
  schema: string,
  errors: Array<QueryError.QueryError>,
  what: {
    /** What stands there, for the messages: 'a where callback'. */
    readonly place: string
    /** The message when it is not a term; a function when it shows the value (built only then). */
    readonly expected: string | (() => string)
    readonly condition: boolean
    readonly aggregates: Aggregates
  } = whereCallback,
  scope?: number,
): Expr.Expr => {
  if (!what.condition && sound.has(e as Expr.Expr)) return e as Expr.Expr
  if (!Expr.isExpr(e)) {
    const expected = typeof what.expected === 'function' ? what.expected() : what.expected
    errors.push(QueryError.make('InvalidArgument', expected, schema))
    return Expr.bool(false)
  }
  // one walk for both, in the common case (see `Make.depthAndAggregate`)
  const walked = Make.depthAndAggregate(e)
  const depth = walked === undefined ? Expr.depth(e) : Math.abs(walked)
  if (depth > Expr.maxDepth) {
    errors.push(
      QueryError.make(
        'InvalidArgument',
        `a predicate nested ${depth} deep (and inside or inside and ...) is deeper than the ${Expr.maxDepth} levels a query accepts`,
        schema,
      ),
    )
    return Expr.bool(false)
  }
  // A predicate Pred built from misuse (see ./Invalid.ts), or a tree an untyped caller assembled from the
  // AST companions with fields no statement can hold, is refused with its reason.
  // The errors of the queries embedded in it (Pred.exists, Pred.in, Fn.scalar) are the query's.
  for (const err of Subquery.errorsIn(e)) errors.push(err)
  const reason = what.condition ? Check.condition(e) : Check.expr(e)
  if (reason !== undefined) {
    errors.push(QueryError.make('InvalidArgument', reason, schema))
    return Expr.bool(false)
  }
  // A term handed out by another query (kept from its callback) would compile to the alias it has
  // there, a binding of this query of another table or none: refused (see `Subquery.foreign`).
  const stray = scope === undefined ? undefined : Subquery.foreign(e, scope)
  if (stray !== undefined) {
    errors.push(Subquery.strayTerm(what.place, stray))
    return Expr.bool(false)
  }
  if (what.aggregates === 'refused' && (walked === undefined ? hasAggregate(e) : walked < 0)) {
    errors.push(
      QueryError.make(
        'InvalidArgument',
        `${what.place} cannot hold an aggregate (Fn.count, Fn.sum ...): filter groups with Query.having, or aggregate related records with $.count, $.sum ...`,
        schema,
      ),
    )
    return Expr.bool(false)
  }
  return e
}

const whereCallback = {
  place: 'a where callback',
  expected: 'a where callback must return a predicate built with Pred or $.exists / $.notExists / $.every',
  condition: true,
  aggregates: 'refused',
} as const

// -------------------------------------------------------------------------------------
// expression walks
// -------------------------------------------------------------------------------------

const innerOf = Make.innerOf
const hasAggregate = Make.hasAggregate

// Whether two expressions are the same for PostgreSQL's grouping: equal trees, where a value is never
// equal to another (each is a parameter of its own, `$1` is not `$2`). Compares the own enumerable
// keys of both as `Object.keys` lists them, with loops and no arrays (this runs for every term of a
// grouped select, after every combinator that changes it: see `settle`).
const same = (a: unknown, b: unknown): boolean => {
  if (Expr.isExpr(a) && (a._tag === 'Param' || a._tag === 'InList')) return false
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b)
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const x = a as Readonly<Record<string, unknown>>
  const y = b as Readonly<Record<string, unknown>>
  let n = 0
  for (const k in x) {
    if (!Object.hasOwn(x, k)) continue
    n++
    if (!Object.hasOwn(y, k) || !same(x[k], y[k])) return false
  }
  for (const k in y) if (Object.hasOwn(y, k)) n--
  return n === 0
}

const holdsValue = (e: Expr.Expr): boolean => {
  const stack: Array<Expr.Expr> = [e]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (x._tag === 'Param' || x._tag === 'InList' || (x._tag === 'Fragment' && x.args.length > 0)) return true
    for (const [c] of innerOf(x)) stack.push(c)
  }
  return false
}

// -------------------------------------------------------------------------------------
// checks of the whole query
// -------------------------------------------------------------------------------------

// What PostgreSQL would refuse in the grouping of a select: a column of the query's own bindings,
// outside an aggregate, that is neither grouped nor of a binding whose primary key is grouped (its
// functional dependency), in the outputs, the having, the order or the distinct on; an aggregate
// inside an aggregate. Only when the select is grouped (a group by, a having, or an aggregate).
const groupingProblem = (q: AnyQuery): string | undefined => {
  const s = q.select
  // the common case first, with nothing allocated: no grouping, and no aggregate anywhere
  if (s.groupBy.length === 0 && s.having.length === 0 && !aggregates(s)) return undefined
  // Walked in the order written, so that the first column named is the first one PostgreSQL would name.
  const walk = grouping(q)
  for (const o of s.columns) {
    const found = walk(o.expr, false)
    if (found !== undefined) return found
  }
  for (const e of s.having) {
    const found = walk(e, false)
    if (found !== undefined) return found
  }
  for (const t of s.orderBy) {
    const found = walk(t.expr, false)
    if (found !== undefined) return found
  }
  for (const e of s.distinctOn) {
    const found = walk(e, false)
    if (found !== undefined) return found
  }
  return undefined
}

// The walk of `groupingProblem` over one expression (in `inSub`: inside a subquery), depth first in
// the order written. What only a refused column needs (the bindings whose key is grouped, the names
// for the message) is found when one is met.
const grouping = (q: AnyQuery): ((x: Expr.Expr, inSub: boolean) => string | undefined) => {
  const s = q.select
  let dependent: ReadonlySet<string> | undefined
  const own = (alias: string): boolean =>
    alias === s.from.alias || s.joins.some(j => j.binding.alias === alias)
  const grouped = (alias: string, column: string): boolean =>
    s.groupBy.some(g => g._tag === 'ColumnRef' && g.alias === alias && g.column === column)
  const isGroupedTerm = (x: Expr.Expr): boolean => {
    for (const g of s.groupBy) if (g._tag === x._tag && same(g, x)) return true
    return false
  }
  const name = (alias: string, column: string): string => {
    const schemas = new Map<string, string>([[s.from.alias, q.schema]])
    for (const b of q.joined.values()) schemas.set(b.alias, b.schema)
    return `'${schemas.get(alias) || [s.from, ...s.joins.map(j => j.binding)].find(b => b.alias === alias)?.table || alias}.${column}'`
  }
  const walk = (x: Expr.Expr, inSub: boolean): string | undefined => {
    if (!inSub && isGroupedTerm(x)) return undefined
    if (!inSub && x._tag === 'Agg') {
      if (innerOf(x).some(([c]) => hasAggregate(c))) return 'an aggregate cannot hold another aggregate'
      return undefined
    }
    if (x._tag === 'ColumnRef') {
      if (
        own(x.alias) &&
        !grouped(x.alias, x.column) &&
        !(dependent ??= new Set<string>(keyedAliases(q, s.groupBy))).has(x.alias)
      )
        return `column ${name(x.alias, x.column)} is neither grouped (Query.groupBy) nor inside an aggregate; PostgreSQL refuses it (grouping by the primary key of its table allows all its columns)${holdsGroupedValue(s) ? '; a grouped expression that holds a value never matches (each value is a parameter of its own): group by the column' : ''}`
      return undefined
    }
    for (const [c, sub] of innerOf(x)) {
      const found = walk(c, inSub || sub)
      if (found !== undefined) return found
    }
    return undefined
  }
  return walk
}

// Whether an output, an order term or a distinct on expression holds an aggregate. Loops, not `some`:
// this runs after every combinator that changes the select (see `settle`), mostly over column reads.
const aggregates = (s: Select.Select): boolean => {
  for (let i = 0; i < s.columns.length; i++) {
    const e = (s.columns[i] as Select.Output).expr
    if (e._tag !== 'ColumnRef' && hasAggregate(e)) return true
  }
  for (let i = 0; i < s.orderBy.length; i++) {
    const e = (s.orderBy[i] as Select.OrderTerm).expr
    if (e._tag !== 'ColumnRef' && hasAggregate(e)) return true
  }
  for (let i = 0; i < s.distinctOn.length; i++) {
    const e = s.distinctOn[i] as Expr.Expr
    if (e._tag !== 'ColumnRef' && hasAggregate(e)) return true
  }
  return false
}

// The bindings whose primary key is entirely grouped: their other columns depend on the group (see
// `Select.keyed`).
const keyedAliases = (q: AnyQuery, groupBy: ReadonlyArray<Expr.Expr>): ReadonlyArray<string> => {
  const schemas = new Map<string, string>([[q.select.from.alias, q.schema]])
  for (const b of q.joined.values()) schemas.set(b.alias, b.schema)
  const grouped = (alias: string, column: string): boolean =>
    groupBy.some(g => g._tag === 'ColumnRef' && g.alias === alias && g.column === column)
  const out: Array<string> = []
  for (const [a, schema] of schemas) {
    const pk = Model.table(q.model, schema)?.primaryKey ?? []
    if (pk.length > 0 && pk.every(c => grouped(a, c))) out.push(a)
  }
  return out
}

const holdsGroupedValue = (s: Select.Select): boolean => s.groupBy.some(holdsValue)

const structural = new WeakSet<QueryError.QueryError>()

const problem = (code: QueryError.QueryErrorCode, message: string, schema: string): QueryError.QueryError => {
  const e = QueryError.make(code, message, schema)
  structural.add(e)
  return e
}

// What the query as a whole cannot be, whatever order its combinators came in: found again after
// each combinator that changes it (its earlier findings dropped), so that `select` then `groupBy` is
// judged on the grouped query, never on the step between.
const problems = (q: AnyQuery): ReadonlyArray<QueryError.QueryError> => {
  const s = q.select
  // the common case first, with nothing allocated: no join, no distinct, nothing grouped or aggregated
  if (plain(s)) return noProblems
  const out: Array<QueryError.QueryError> = []
  if (!q.projected && q.select.joins.some(j => j.kind === 'right' || j.kind === 'full'))
    out.push(
      problem(
        'Unsupported',
        `a right or full join leaves the columns of '${q.schema}' NULL on some rows: its whole rows cannot be loaded; select the columns you need with Query.select`,
        q.schema,
      ),
    )
  if (q.select.distinctOn.some(holdsValue))
    out.push(
      problem(
        'Unsupported',
        'a distinct on expression that holds a value cannot lead the order PostgreSQL needs (each value is a parameter of its own): distinct on columns or value-free expressions',
        q.schema,
      ),
    )
  if (q.select.distinct && q.select.distinctOn.length > 0)
    out.push(
      problem(
        'InvalidArgument',
        'Query.distinct and Query.distinctOn do not combine: distinct on keeps one row per value already',
        q.schema,
      ),
    )
  const g = groupingProblem(q)
  if (g !== undefined) out.push(problem('InvalidArgument', g, q.schema))
  return out
}

const noProblems: ReadonlyArray<QueryError.QueryError> = Object.freeze([])

// A select `problems` finds nothing in, whatever the query: no join, no distinct on, nothing grouped
// or aggregated.
const plain = (s: Select.Select): boolean =>
  s.joins.length === 0 &&
  s.distinctOn.length === 0 &&
  s.groupBy.length === 0 &&
  s.having.length === 0 &&
  !aggregates(s)

// A combinator's own errors beside the query's: before the structural ones, which judged the query as
// it was before this step (the whole rows of a grouped query, before the select that failed), so the
// first error names what this step was given.
const addErrors = (
  q: AnyQuery,
  errors: ReadonlyArray<QueryError.QueryError>,
): ReadonlyArray<QueryError.QueryError> => [
  ...q.errors.filter(e => !structural.has(e)),
  ...errors,
  ...q.errors.filter(e => structural.has(e)),
]

const settle = <Q extends AnyQuery>(q: Q): Q => {
  const found = problems(q)
  if (q.errors.length === 0 && found.length === 0) return q
  const kept = q.errors.filter(e => !structural.has(e))
  return kept.length === q.errors.length && found.length === 0
    ? q
    : make(Object.assign(Make.fieldsOf(q), { errors: [...kept, ...found] }))
}

// `settle` put off: the next query of a combinator that changes what `problems` judges (`changes` over
// the fields of `q`), whose `errors` are found when first read (the same list `settle` gives: the
// errors of its own and of earlier steps, then the structural ones of this query). A pipeline of
// such combinators (`groupBy`, `having`, `select`, `orderBy`) then judges the query once, when it is
// compiled or run (or its `errors` read), not after each step: the structural check walks every
// term of a grouped select, so bench W9 built per call ran it four times.
//
// The pending state is an own property under a module-private symbol, not enumerable: a spread or
// `Make.fieldsOf` of the query reads `errors` (and so settles it) and does not carry it. `errors` is an
// accessor of one shared getter, so the queries keep one hidden class (a getter per query would give
// each its own; see the note on `joined` in `scope`).
const pendingKey: unique symbol = Symbol('quiver.pending')

interface Pending {
  readonly own: ReadonlyArray<QueryError.QueryError>
  query?: AnyQuery
  errors?: ReadonlyArray<QueryError.QueryError>
}

function pendingErrors(this: unknown): ReadonlyArray<QueryError.QueryError> {
  const p = (this as { readonly [pendingKey]?: Pending })[pendingKey]
  if (p === undefined || p.query === undefined) return noProblems
  if (p.errors === undefined) {
    const found = problems(p.query)
    p.errors = found.length === 0 ? p.own : [...p.own, ...found]
  }
  return p.errors
}

// The errors of a query that are not structural, without settling a pending one.
const ownErrors = (q: AnyQuery): ReadonlyArray<QueryError.QueryError> => {
  const p = (q as { readonly [pendingKey]?: Pending })[pendingKey]
  if (p !== undefined) return p.own
  const errors = q.errors
  for (const e of errors) if (structural.has(e)) return errors.filter(x => !structural.has(x))
  return errors
}

const settleLater = <Q extends AnyQuery>(
  q: AnyQuery,
  changes: { readonly select: Select.Select; readonly projected?: boolean },
): Q => {
  const own = ownErrors(q)
  const projected = changes.projected ?? q.projected
  // nothing to find (the common case, cheap to tell): the errors as data, as `settle` gives them
  if (plain(changes.select)) {
    const d: { -readonly [K in keyof AnyQuery]: AnyQuery[K] } = {
      _tag: q._tag,
      model: q.model,
      schema: q.schema,
      select: changes.select,
      aliases: q.aliases,
      joined: q.joined,
      preload: q.preload,
      projected,
      errors: own,
      scope: q.scope,
    }
    if (q.derived !== undefined) d.derived = q.derived
    if (q.derivedFrom !== undefined) d.derivedFrom = q.derivedFrom
    return make(d) as unknown as Q
  }
  const c = {
    _tag: q._tag,
    model: q.model,
    schema: q.schema,
    select: changes.select,
    aliases: q.aliases,
    joined: q.joined,
    preload: q.preload,
    projected,
    scope: q.scope,
  }
  const pending: Pending = { own: own.length === 0 ? noProblems : [...own] }
  Object.defineProperty(c, 'errors', { get: pendingErrors, enumerable: true })
  Object.defineProperty(c, pendingKey, { value: pending })
  if (q.derived !== undefined) Object.defineProperty(c, 'derived', { value: q.derived, enumerable: true })
  if (q.derivedFrom !== undefined)
    Object.defineProperty(c, 'derivedFrom', { value: q.derivedFrom, enumerable: true })
  const out = make(c) as unknown as Q
  pending.query = out
  return out
}

// -------------------------------------------------------------------------------------
// scope
// -------------------------------------------------------------------------------------

type RelationAggregate = 'count' | 'sum' | 'avg' | 'min' | 'max'

// The shared expressions (`$.count(name)`) that pass every check of `checked` as a term (not a
// condition) and hold no aggregate of their own rows: not walked again where they stand.
const sound = new WeakSet<Expr.Expr>()

const countTerm = {
  place: '$.count',
  expected: '$.count',
  condition: false,
  aggregates: 'refused',
} as const

// The expression of `$.count(name)` (no filter) per model, by schema, association and place (the
// scope's depth, outer alias and namespace).
const counts = new WeakMap<Model.AnyModel, Map<string, Expr.Expr>>()

const aggregateOf: Readonly<Record<RelationAggregate, (t: Expr.Expr) => Expr.Expr>> = {
  count: () => Fn.count(),
  sum: t => Fn.sum(t as Pred.Term<number>),
  avg: t => Fn.avg(t as Pred.Term<number>),
  min: t => Fn.min(t),
  max: t => Fn.max(t),
}

// The binding aliases whose columns an expression reads outside its subqueries.
const aliasesRead = (e: Expr.Expr): ReadonlySet<string> => {
  const found = new Set<string>()
  const stack: Array<Expr.Expr> = [e]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (!Expr.isExpr(x)) continue
    if (x._tag === 'ColumnRef') found.add(x.alias)
    else for (const [y, inSub] of Make.innerOf(x)) if (!inSub) stack.push(y)
  }
  return found
}

// Errors found while a callback runs (an unknown association from untyped input) are collected here and
// attached to the query; the callback itself gets a predicate that is false.
const scope = (
  model: Model.AnyModel,
  schema: string,
  depth: number,
  outer: string,
  joined: ReadonlyMap<string, Binding>,
  errors: Array<QueryError.QueryError>,
  ns: string,
  // the identity of the query whose row this scope is of (its `$.joined` terms are that query's)
  own: number,
  // the query, when its rows are a subquery's (`Query.fromQuery`): it has no associations
  derived?: AnyQuery,
): Scope<Model.AnyModel, string, Joins> => {
  const a = (i: number) => `${Subquery.aggregatesIn(ns)}${depth}_${i}`
  const chainOf = (name: string, asked: string): Chain.Chain | undefined => {
    if (derived !== undefined) {
      errors.push(
        noAssociations(derived, `$.${asked}(${typeof name === 'string' ? `'${name}'` : show(name)})`, name),
      )
      return undefined
    }
    const chain = Chain.fromPath(model, schema, [name])
    if (E.isRight(chain)) return chain.right
    errors.push(chain.left)
    return undefined
  }
  const link = (c: Chain.Chain) => (first: string, col: string) =>
    Expr.eq(Expr.column(first, col), Expr.column(outer, c.ownerCol))
  const filtered = (
    s: Select.Select,
    target: string,
    at: string,
    name: string,
    f: Callback<Model.AnyModel, string> | undefined,
    negate = false,
  ): Select.Select => {
    if (f === undefined) return s
    // the associated records are a query of their own: their terms are theirs (see `Subquery.foreign`)
    const r = Make.freshScope()
    const cond = checked(
      Subquery.inCallback(
        () =>
          f(
            refs(model, target, at, errors, r, name),
            scope(model, target, depth + 1, at, new Map(), errors, ns, r),
          ),
        r,
      ),
      target,
      errors,
      whereCallback,
      r,
    )
    return Select.withWhere(negate ? Expr.notTrue(cond) : cond)(s)
  }
  const exists = (
    asked: string,
    name: string,
    f: Callback<Model.AnyModel, string> | undefined,
    negateInner: boolean,
  ): Expr.Expr => {
    const chain = chainOf(name, asked)
    if (chain === undefined) return Expr.bool(false)
    let s = Chain.backward(model, chain, a, link(chain))
    s = Select.set('distinct', false)(Select.set('columns', [])(s))
    return Expr.exists(filtered(s, chain.target, a(0), name, f, negateInner))
  }
  // A correlated subquery with the aggregate over the associated records: `(select count(*) from
  // comments where post_id = t0.id ...)`. Over a through, each target record counts once (as `assoc`
  // returns it once): the aggregate reads the target table, keeping the records some path reaches.
  const aggregate = (
    fn: RelationAggregate,
    name: string,
    value: Of<Model.AnyModel, string, unknown> | undefined,
    f: Callback<Model.AnyModel, string> | undefined,
  ): Expr.Expr => {
    const chain = chainOf(name, fn)
    if (chain === undefined) return Expr.param(null)
    const target = Model.table(model, chain.target)
    if (target === undefined) return Expr.param(null)
    let s: Select.Select
    // The correlating conjunct of a direct association, kept for `Lower` (see ./Lower.ts).
    let linked:
      { readonly link: Expr.Expr; readonly key: Expr.ColumnRef; readonly owner: Expr.ColumnRef } | undefined
    if (!chain.through) {
      const correlate = (first: string, col: string): Expr.Expr => {
        const key = Expr.column(first, col)
        const owner = Expr.column(outer, chain.ownerCol)
        const l = Expr.eq(key, owner)
        linked = { link: l, key, owner }
        return l
      }
      s = Select.set('distinct', false)(Select.set('columns', [])(Chain.backward(model, chain, a, correlate)))
    } else {
      const key = target.primaryKey
      if (key.length === 0) {
        errors.push(
          QueryError.make(
            'Unsupported',
            `$.${fn}('${name}'): schema '${chain.target}' has no primary key, so the records of the through cannot be told apart`,
            schema,
            name,
          ),
        )
        return Expr.param(null)
      }
      const paths = Chain.backward(model, chain, i => a(i + 1), link(chain))
      const same = Expr.and(key.map(c => Expr.eq(Expr.column(a(1), c), Expr.column(a(0), c))))
      const source = (chain.links[chain.links.length - 1] as Chain.Link).source
      s = Select.withWhere(
        Expr.exists(Select.set('distinct', false)(Select.set('columns', [])(Select.withWhere(same)(paths)))),
      )(Select.create({ table: source, alias: a(0) }, []))
    }
    s = filtered(s, chain.target, a(0), name, f)
    let v: Expr.Expr = Expr.bool(true)
    if (value !== undefined) {
      if (typeof value !== 'function') {
        errors.push(
          invalidArgument(fn, `$.${fn} takes a callback (row, $) => term, got ${show(value)}`, schema),
        )
        return Expr.param(null)
      }
      const r = Make.freshScope()
      v = checked(
        Subquery.inCallback(
          () =>
            value(
              refs(model, chain.target, a(0), errors, r, name),
              scope(model, chain.target, depth + 1, a(0), new Map(), errors, ns, r),
            ),
          r,
        ),
        chain.target,
        errors,
        {
          place: `the value callback of $.${fn}`,
          expected: `the value callback of $.${fn} must return a term`,
          condition: false,
          aggregates: 'refused',
        },
        r,
      )
      const read = aliasesRead(v)
      if (read.size > 0 && !read.has(a(0))) {
        // PostgreSQL gives an aggregate to the query level of the columns it reads: over the outer
        // row's columns alone it would be the outer query's aggregate (42803 there), not the relation's.
        errors.push(
          invalidArgument(
            fn,
            `the value of $.${fn}('${name}') reads no column of '${chain.target}' (only the rows around it): read a column of the associated record`,
            schema,
          ),
        )
        return Expr.param(null)
      }
    }
    const agg = checked(aggregateOf[fn](v), chain.target, errors, {
      place: `$.${fn}`,
      expected: `$.${fn}`,
      condition: false,
      aggregates: 'allowed',
    })
    s = Select.set('columns', [{ name: fn, expr: agg }])(s)
    const scalar = Make.typed(Expr.scalar(s), Make.infoOf(agg))
    if (linked === undefined) return scalar
    const pk = Model.table(model, schema)?.primaryKey ?? []
    const unique = pk.length === 1 && pk[0] === chain.ownerCol
    return Lower.record(scalar, { fn, ...linked, select: s, unique })
  }
  // `$.count(name)` with no filter is the same expression every time for the same association and
  // place: built once (a correlated subquery of several nodes, then checked, lowered and compiled by
  // identity), shared by every query that counts it (see `counts`).
  const plainCount = (name: string): Expr.Expr => {
    if (typeof name !== 'string') return aggregate('count', name, undefined, undefined)
    let byPlace = counts.get(model)
    if (byPlace === undefined) counts.set(model, (byPlace = new Map()))
    const key = `${schema}\u0000${name}\u0000${depth}\u0000${outer}\u0000${ns}`
    const hit = byPlace.get(key)
    if (hit !== undefined) return hit
    const before = errors.length
    const e = aggregate('count', name, undefined, undefined)
    if (errors.length === before) {
      // bounded: namespaces are made per nested query (`Subquery.freshNamespace`)
      if (byPlace.size >= 512) byPlace.clear()
      byPlace.set(key, e)
      const found: Array<QueryError.QueryError> = []
      if (checked(e, schema, found, countTerm) === e && found.length === 0 && !hasAggregate(e)) sound.add(e)
    }
    return e
  }
  // `joined` is a plain property, not a lazy getter: an object literal with a getter gets an accessor
  // pair and a map of its own per instance, which V8 keeps out of the young generation, so a `where` per
  // query filled the old generation with garbage (2-3 MB promoted per scavenge). Without joins it is an
  // empty view that only records unknown names.
  // `$` kept and called after its callback returned: its correlation would read its own query's row by
  // alias wherever the result is used. The result carries the error (`Subquery.carry`), which the
  // combinator that takes it finds.
  const stale = (fn: string, name: unknown): Expr.Expr | undefined =>
    Subquery.isRunning(own)
      ? undefined
      : Subquery.carry(Expr.bool(false), [
          QueryError.make(
            'InvalidArgument',
            `$.${fn}(${typeof name === 'string' ? `'${name}'` : show(name)}): the scope ($) of a callback over '${schema}' belongs to another query (it was kept and called after its callback returned): use the $ of the callback that builds the query`,
            schema,
            typeof name === 'string' ? name : null,
          ),
        ])
  return {
    exists: (name, f) => stale('exists', name) ?? exists('exists', name, f, false),
    notExists: (name, f) => stale('notExists', name) ?? Expr.not(exists('notExists', name, f, false)),
    every: (name, f) => stale('every', name) ?? Expr.not(exists('every', name, f, true)),
    count: (name, f) =>
      stale('count', name) ?? (f === undefined ? plainCount(name) : aggregate('count', name, undefined, f)),
    sum: (name, value, f) =>
      stale('sum', name) ?? aggregate('sum', name, value as Of<Model.AnyModel, string, unknown>, f),
    avg: (name, value, f) =>
      stale('avg', name) ?? aggregate('avg', name, value as Of<Model.AnyModel, string, unknown>, f),
    min: (name, value, f) => stale('min', name) ?? aggregate('min', name, value, f),
    max: (name, value, f) => stale('max', name) ?? aggregate('max', name, value, f),
    joined: new Proxy(
      joined.size === 0
        ? {}
        : Object.fromEntries([...joined].map(([k, b]) => [k, bindingRefs(model, b, errors, own, k)])),
      {
        get: (t, k) => {
          if (typeof k !== 'string' || Object.hasOwn(t, k)) return Reflect.get(t, k)
          errors.push(
            QueryError.make(
              'UnknownAssociation',
              `'${k}' is not joined; join it with Query.join first`,
              schema,
              k,
            ),
          )
          return {}
        },
      },
    ) as Scope<Model.AnyModel, string, Joins>['joined'],
  }
}

// The scope of a callback over a query's root row, with the bindings `joined`.
const rootScope = (
  q: AnyQuery,
  joined: ReadonlyMap<string, Binding>,
  errors: Array<QueryError.QueryError>,
): Scope<Model.AnyModel, string, Joins> =>
  scope(
    q.model,
    q.schema,
    1,
    q.select.from.alias,
    joined,
    errors,
    Subquery.namespaceOf(q.select),
    q.scope,
    q.derived === undefined ? undefined : q,
  )

// Runs a combinator's callback over the root row and the scope, collecting the errors of what it
// reads; `build` makes the new query from its result.
const withCallback = <Q extends AnyQuery, T>(
  fn: string,
  q: Q,
  f: unknown,
  shape: string,
  build: (result: T, errors: Array<QueryError.QueryError>, q: Q) => Q,
): Q => {
  if (typeof f !== 'function')
    return make({
      ...q,
      errors: [...q.errors, invalidArgument(fn, `expected a callback ${shape}, got ${show(f)}`, q.schema)],
    })
  return guardOn(fn, q, () => {
    // Inside another callback, the query takes a namespace of its own before its terms are handed out
    // (see ./Subquery.ts): the outer row's terms and its own stay apart.
    const own = Subquery.nested() && Subquery.namespaceOf(q.select) === '' ? Subquery.isolate(q) : q
    const errors: Array<QueryError.QueryError> = []
    const result = Subquery.inCallback(
      () => (f as (row: unknown, $: unknown) => T)(rootRefs(own, errors), rootScope(own, own.joined, errors)),
      own.scope,
    )
    return build(result, errors, own)
  })
}

/**
 * Adds a condition (a conjunct of its own). The callback gets the row's column terms and a scope with
 * `exists`, `notExists`, `every` and the relation aggregates (`count`, `sum` ...) over associations, and
 * the joined bindings. An aggregate of the query's own rows (`Fn.count()`) cannot stand here (filter
 * groups with `having`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', {
 *   id: Column.serial, post_id: Column.integer, body: Column.text,
 * })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const q = pipe(Query.from(M, 'post'), Query.where((p, $) => Pred.or(Pred.eq(p.id, 1), $.exists('comments'))))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."id", "t0"."title" from "posts" as "t0" where ("t0"."id" = $1 or ' +
 *       'exists (select 1 from "comments" as "e1_0" where "e1_0"."post_id" = "t0"."id"))',
 *     params: [1],
 *   }),
 * )
 *
 * @category combinators
 * @since 0.1.0
 */
export const where =
  <M extends Model.AnyModel, S extends string, P, J extends Joins, R, K = unknown>(
    f: (row: RootRefs<M, S, J>, $: Scope<M, S, J>) => Pred.Pred,
  ) =>
  (q: Query<M, S, P, J, R> & Carry<K>): Query<M, S, P, J, R> & Carry<K> => {
    if (!isQuery(q)) return notAQuery('where', q) as never
    return withCallback('where', q, f, '(row, $) => predicate', (p, errors, q) => {
      const e = checked(p, q.schema, errors, whereCallback, q.scope)
      const c = Make.fieldsOf(q)
      c.select = Select.withWhere(e)(q.select)
      if (errors.length > 0) c.errors = addErrors(q, errors)
      return make(c)
    })
  }

const joinKinds: ReadonlyArray<unknown> = [
  'inner',
  'left',
  'right',
  'full',
] satisfies ReadonlyArray<Expr.JoinKind>

/**
 * Joins an association (`inner` by default, `left`, `right` or `full`), or a path of associations at
 * any depth (each hop joined with the kind, a through as its chain); its filters go in the ON. The
 * binding is named by the path joined with `.` (`'comments.author'`) unless `{ as: name }` is given,
 * and each intermediate hop is bound under its own prefix (`'comments'`); a prefix already bound under
 * that name (by an earlier join of that path) is reused, not joined again. `{ on: (row, $) => pred }`
 * adds a condition on the joined rows to the ON (with a `left` join it filters the joined rows, never
 * the root's). The joined columns are available to later callbacks as `$.joined[name]`, typed
 * nullable where the join may leave them NULL (a `left` join's, and every binding before a `right`
 * join, the root included; a `full` join both). Whole rows stay the root's rows (a has-many join
 * repeats them, as SQL does); after a `right` or `full` join, which can leave the root's columns NULL,
 * only a projection (`select`) can be loaded. An unknown association, kind or option, and a name
 * bound twice, are `QueryError`s.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.nullable(Column.integer) })
 * const comment = Schema.table('comment', 'comments', {
 *   id: Column.serial, post_id: Column.integer, author_id: Column.integer, public: Column.boolean,
 * })
 * const M = Schema.modelOrThrow({ user, post, comment }, {
 *   post: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }), comments: Schema.hasMany('comment') },
 *   comment: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }) },
 * })
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.join('author', 'left'),
 *   Query.select((p, $) => ({ id: p.id, author: $.joined.author.name })),   // author: string | null
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select "t0"."id", "t1"."name" as "author" from "posts" as "t0" left join "users" as "t1" on "t1"."id" = "t0"."author_id"',
 *     params: [],
 *   }),
 * )
 * const commenters = pipe(
 *   Query.from(M, 'post'),
 *   Query.join(['comments', 'author'], 'left', { as: 'commenter', on: c => Pred.eq(c.name, 'ada') }),
 *   Query.select((p, $) => ({ id: p.id, open: $.joined.comments.public, by: $.joined.commenter.name })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(commenters),
 *   E.right({
 *     text:
 *       'select "t0"."id", "t1"."public" as "open", "t2"."name" as "by" from "posts" as "t0" ' +
 *       'left join "comments" as "t1" on "t1"."post_id" = "t0"."id" ' +
 *       'left join "users" as "t2" on "t2"."id" = "t1"."author_id" and "t2"."name" = $1',
 *     params: ['ada'],
 *   }),
 * )
 *
 * @category combinators
 * @since 0.1.0
 */
export function join<
  M extends Model.AnyModel,
  S extends string,
  J extends Joins,
  const N extends Model.AssociationName<M, S>,
  const K extends Expr.JoinKind = 'inner',
  const A extends string = N,
>(
  name: N,
  kind?: K,
  options?: JoinOptions<M, Model.Target<M, S, N>, J, A, S>,
): <P, R, X = unknown>(
  q: Query<M, S, P, J, R> & Carry<X>,
) => Query<M, S, P, AddJoin<J, A, Model.Target<M, S, N>, K>, R> & Carry<X>
export function join<
  M extends Model.AnyModel,
  S extends string,
  J extends Joins,
  const Path extends readonly [Model.AssociationName<M, S>, ...Array<string>],
  const K extends Expr.JoinKind = 'inner',
  const A extends string = PathName<Path>,
>(
  path: Path & Model.Path<M, S, Path>,
  kind?: K,
  options?: JoinOptions<
    M,
    Model.PathTarget<M, S, Path>,
    J & Hops<M, S, J, Path, K extends 'inner' ? false : true>,
    A,
    S
  >,
): <P, R, X = unknown>(
  q: Query<M, S, P, J, R> & Carry<X>,
) => Query<
  M,
  S,
  P,
  AddJoin<
    J,
    A,
    Model.PathTarget<M, S, Path>,
    K,
    Hops<M, S, J, Path, K extends 'inner' ? false : true>,
    PathFrom<Path>
  >,
  R
> &
  Carry<X>
export function join(nameOrPath: unknown, kind?: unknown, options?: unknown): (q: never) => unknown {
  return (q: unknown) => {
    if (!isQuery(q)) return notAQuery('join', q) as never
    return guardOn('join', q, () => joinPath(q, nameOrPath, kind, options)) as never
  }
}

const joinOptions: ReadonlyArray<string> = ['as', 'on'] satisfies ReadonlyArray<
  keyof JoinOptions<Model.AnyModel, string, {}, string>
>

// The options from untyped code, checked: each known key of the right type.
const readOptions = (
  options: unknown,
): E.Either<
  string,
  {
    readonly as: string | undefined
    readonly on: ((row: unknown, $: unknown, root: unknown) => unknown) | undefined
  }
> => {
  if (options === undefined) return E.right({ as: undefined, on: undefined })
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return E.left(`the options of a join are an object { as?, on? }, got ${show(options)}`)
  const o = options as Readonly<Record<string, unknown>>
  const unknown = Object.keys(o).find(key => !joinOptions.includes(key))
  if (unknown !== undefined) return E.left(`unknown option '${unknown}' (a join takes 'as' and 'on')`)
  const as = o['as']
  const on = o['on']
  if (as !== undefined && (typeof as !== 'string' || as === '' || as === '__proto__'))
    return E.left(`option 'as' must be a non-empty name, got ${show(as)}`)
  if (on !== undefined && typeof on !== 'function')
    return E.left(`option 'on' must be a callback (row, $, root) => predicate, got ${show(on)}`)
  return E.right({ as, on: on as ((row: unknown, $: unknown, root: unknown) => unknown) | undefined })
}

// The joins of an association path: each hop from the binding of the one before (a prefix already
// bound under its name is reused), the last under its name, with the `on` condition in its ON.
const joinPath = (q: AnyQuery, nameOrPath: unknown, kind: unknown, options: unknown): AnyQuery => {
  const fail = (e: QueryError.QueryError): AnyQuery => make({ ...q, errors: [...q.errors, e] })
  const path: ReadonlyArray<unknown> | undefined =
    typeof nameOrPath === 'string' ? [nameOrPath] : Array.isArray(nameOrPath) ? nameOrPath : undefined
  if (path === undefined || path.length === 0)
    return fail(
      invalidArgument(
        'join',
        `expected an association name or a non-empty path of names, got ${show(nameOrPath)}`,
        q.schema,
      ),
    )
  const k: unknown = kind === undefined ? 'inner' : kind
  if (!joinKinds.includes(k))
    return fail(
      invalidArgument(
        'join',
        `the kind of a join is 'inner', 'left', 'right' or 'full', got ${show(kind)}`,
        q.schema,
      ),
    )
  const opts = readOptions(options)
  if (E.isLeft(opts)) return fail(invalidArgument('join', opts.left, q.schema))
  const { as, on } = opts.right
  // Inside another callback, the query takes a namespace of its own before the `on` callback gets its
  // terms (as `withCallback` does).
  const own =
    on !== undefined && Subquery.nested() && Subquery.namespaceOf(q.select) === '' ? Subquery.isolate(q) : q
  const ns = Subquery.namespaceOf(own.select)
  const joined = new Map(own.joined)
  const joins: Array<Select.Join> = []
  const errors: Array<QueryError.QueryError> = []
  if (own.derived !== undefined) return fail(noAssociations(own, 'Query.join', path[0]))
  let at = own.schema
  let from = own.select.from.alias
  for (let i = 0; i < path.length; i++) {
    const hop = path[i]
    const chain = Chain.fromPath(own.model, at, [hop as string])
    if (E.isLeft(chain)) return fail(chain.left)
    const prefix = path.slice(0, i + 1).join('.')
    const last = i === path.length - 1
    const name = last && as !== undefined ? as : prefix
    const bound = joined.get(name)
    if (bound !== undefined && (last || bound.path !== prefix))
      return fail(
        QueryError.make(
          'InvalidArgument',
          last
            ? `Query.join: association '${prefix}' is joined twice under the name '${name}' (give another with { as })`
            : `Query.join: the name '${name}' is bound to the join of '${bound.path}', not of the path's prefix '${prefix}'`,
          own.schema,
          name,
        ),
      )
    if (bound !== undefined) {
      at = chain.right.target
      from = bound.alias
      continue
    }
    const forward = Chain.forward(chain.right, from, 'inner', j =>
      Subquery.aliasIn(ns, own.aliases + joins.length + j),
    )
    const hopJoins = forward.joins.map(j => Select.join(k as Expr.JoinKind, j.binding, j.on))
    if (last && on !== undefined) {
      const target = chain.right.target
      const alias = forward.targetAlias
      const p = Subquery.inCallback(
        () =>
          on(
            refs(own.model, target, alias, errors, own.scope, name),
            scope(own.model, target, 1, alias, joined, errors, ns, own.scope),
            rootRefs(own, errors),
          ),
        own.scope,
      )
      const extra = checked(
        p,
        target,
        errors,
        {
          place: 'a join on callback',
          expected: 'Query.join: option on must return a predicate built with Pred',
          condition: true,
          aggregates: 'refused',
        },
        own.scope,
      )
      const end = hopJoins[hopJoins.length - 1] as Select.Join
      hopJoins[hopJoins.length - 1] = Select.join(end.kind, end.binding, Expr.and([end.on, extra]))
    }
    joins.push(...hopJoins)
    joined.set(name, { alias: forward.targetAlias, schema: chain.right.target, path: prefix })
    at = chain.right.target
    from = forward.targetAlias
  }
  if (errors.length > 0) return make({ ...own, errors: [...own.errors, ...errors] })
  return settle(
    make({
      ...own,
      select: Select.withJoins(joins)(own.select),
      aliases: own.aliases + joins.length,
      joined,
    }),
  )
}

/**
 * The options of `joinQuery`: `as`, the name of the binding (required); `on`, the join condition over
 * the subquery's row, the query's root row and its scope (absent: `on true`).
 *
 * @category model
 * @since 0.2.0
 */
export interface JoinQueryOptions<
  M extends Model.AnyModel,
  S extends string,
  J extends Joins,
  R,
  A extends string,
> {
  readonly as: A
  readonly on?: (joined: Refs<R>, row: RootRefs<M, S, J>, $: Scope<M, S, J>) => Pred.Pred
}

// A subquery's outputs as a binding knows them: a column of a binding the subquery outer-joins may be
// NULL there, whatever its own type.
const bindingOutputs = (s: Select.Select): ReadonlyArray<readonly [string, Make.TermInfo]> =>
  Make.selectOutputInfos(s)

// Adds a derived-table join under `as` (a name no binding has) to a query: `select` is the embedded
// subquery (or the whole message of why there is none), `on` builds the condition once the binding is
// known to the scope.
const joinDerived = (
  fn: 'joinQuery' | 'joinLateral',
  q: AnyQuery,
  as: unknown,
  kind: unknown,
  lateral: boolean,
  sub: (own: AnyQuery, errors: Array<QueryError.QueryError>) => Subquery.Embedded | string,
  on: unknown,
): AnyQuery => {
  const fail = (e: QueryError.QueryError): AnyQuery => make({ ...q, errors: [...q.errors, e] })
  const kinds: ReadonlyArray<unknown> = lateral ? ['inner', 'left'] : joinKinds
  const k: unknown = kind === undefined ? 'inner' : kind
  if (!kinds.includes(k))
    return fail(
      invalidArgument(
        fn,
        `the kind of ${lateral ? 'a lateral join' : 'a join'} is ${lateral ? "'inner' or 'left'" : "'inner', 'left', 'right' or 'full'"}, got ${show(kind)}`,
        q.schema,
      ),
    )
  if (typeof as !== 'string' || as === '' || as === '__proto__')
    return fail(invalidArgument(fn, `option 'as' must be a non-empty name, got ${show(as)}`, q.schema))
  if (q.joined.has(as))
    return fail(
      QueryError.make('InvalidArgument', `Query.${fn}: the name '${as}' is already bound`, q.schema, as),
    )
  if (on !== undefined && typeof on !== 'function')
    return fail(
      invalidArgument(
        fn,
        `option 'on' must be a callback (joined, row, $) => predicate, got ${show(on)}`,
        q.schema,
      ),
    )
  const own = Subquery.nested() && Subquery.namespaceOf(q.select) === '' ? Subquery.isolate(q) : q
  const ns = Subquery.namespaceOf(own.select)
  const errors: Array<QueryError.QueryError> = []
  const embedded = sub(own, errors)
  if (typeof embedded === 'string') return fail(QueryError.make('InvalidArgument', embedded, q.schema))
  if (!embedded.select.columns.length)
    return fail(invalidArgument(fn, 'the joined query selects no output', q.schema))
  const alias = Subquery.aliasIn(ns, own.aliases)
  const binding: Binding = { alias, schema: '', path: as, outputs: bindingOutputs(embedded.select) }
  const joined = new Map(own.joined)
  joined.set(as, binding)
  let cond: Expr.Expr = Expr.bool(true)
  if (on !== undefined) {
    const p = Subquery.inCallback(
      () =>
        (on as (a: unknown, b: unknown, c: unknown) => unknown)(
          bindingRefs(own.model, binding, errors, own.scope, as),
          rootRefs(own, errors),
          rootScope(own, joined, errors),
        ),
      own.scope,
    )
    cond = checked(
      p,
      own.schema,
      errors,
      {
        place: `the on callback of Query.${fn}`,
        expected: `Query.${fn}: option on must return a predicate built with Pred`,
        condition: true,
        aggregates: 'refused',
      },
      own.scope,
    )
  }
  return settle(
    make({
      ...own,
      select: Select.withJoins([
        Select.join(k as Expr.JoinKind, Select.derived(embedded.select, alias, lateral), cond),
      ])(own.select),
      aliases: own.aliases + 1,
      joined,
      errors: [...own.errors, ...embedded.errors, ...errors],
    }),
  )
}

/**
 * Joins a subquery (a projection) as a binding named `as`, with `kind` (default `inner`) and an `on`
 * condition over its row, the root row and the scope. Its outputs are available to later callbacks as
 * `$.joined[as]`, typed as its projection (nullable after a `left` or `full` join). A query with no
 * projection, an unknown kind or option, or a name already bound is a `QueryError`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, comment }, {})
 * const counts = pipe(
 *   Query.from(M, 'comment'),
 *   Query.groupBy(c => [c.post_id]),
 *   Query.select(c => ({ post_id: c.post_id, n: Fn.count() })),
 * )
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.joinQuery(counts, 'left', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
 *   Query.select((p, $) => ({ title: p.title, comments: Fn.coalesce($.joined.stats.n, 0) })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."title", coalesce("t1"."n", $1) as "comments" from "posts" as "t0" left join ' +
 *       '(select "s1_0"."post_id", count(*) as "n" from "comments" as "s1_0" group by "s1_0"."post_id") as "t1" ' +
 *       'on "t1"."post_id" = "t0"."id"',
 *     params: [0],
 *   }),
 * )
 *
 * @category combinators
 * @since 0.2.0
 */
export const joinQuery =
  <
    M extends Model.AnyModel,
    S extends string,
    J extends Joins,
    R,
    const A extends string,
    const K extends Expr.JoinKind = 'inner',
    Q extends Make.Query<Model.AnyModel, string, unknown, Joins, R> = Make.Query<
      Model.AnyModel,
      string,
      unknown,
      Joins,
      R
    >,
  >(
    sub: Q & Make.Query<Model.AnyModel, string, unknown, Joins, R>,
    kind: K,
    options: JoinQueryOptions<M, S, J, R, A>,
  ) =>
  <P, R0, X = unknown>(
    q: Query<M, S, P, J, R0> & Carry<X>,
  ): Query<M, S, P, AddJoinedQuery<J, A, R, K, MarksOf<Q>>, R0> & Carry<X> => {
    if (!isQuery(q)) return notAQuery('joinQuery', q) as never
    const o: unknown = options
    const opts = typeof o === 'object' && o !== null ? (o as Readonly<Record<string, unknown>>) : {}
    return guardOn('joinQuery', q as AnyQuery, () =>
      joinDerived(
        'joinQuery',
        q as AnyQuery,
        opts['as'],
        kind,
        false,
        () =>
          Make.isQuery(sub) && !sub.projected
            ? 'Query.joinQuery: expected a projection (Query.select) to join, got a query of whole rows'
            : Subquery.embed('Query.joinQuery', sub),
        opts['on'],
      ),
    ) as never
  }

/**
 * The joins of a query after joining a subquery of row type `R` under name `N` with `kind` (see
 * `AddJoin`).
 *
 * @category model
 * @since 0.2.0
 */
export type AddJoinedQuery<
  J extends Joins,
  N extends string,
  R,
  K extends Expr.JoinKind,
  Mk = {},
> = (K extends 'right' | 'full'
  ? { readonly [X in keyof J]: NullableJoined<J[X]> } & { readonly '': Joined<string, true> }
  : J) & { readonly [X in N]: Make.JoinedQuery<R, K extends 'left' | 'full' ? true : false> & Marks<Mk> }

/**
 * A `lateral` join: the callback builds a query from the root row and the scope (a correlated
 * subquery: it may read the row, `$.joined` bindings included), run once per row; its outputs are
 * bound under `as`, typed as its projection (nullable with `left`, which keeps rows the subquery has no
 * row for). `kind` is `inner` (default) or `left`. The top 3 comments of each post, as rows:
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, {})
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.joinLateral('top', p =>
 *     pipe(
 *       Query.from(M, 'comment'),
 *       Query.where(c => Pred.eq(c.post_id, p.id)),
 *       Query.select(c => ({ body: c.body })),
 *       Query.orderBy([['desc', 'id']]),
 *       Query.limit(3),
 *     ),
 *   ),
 *   Query.select((p, $) => ({ title: p.title, body: $.joined.top.body })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."title", "t1"."body" from "posts" as "t0" inner join lateral (select "s1_0"."body" from ' +
 *       '"comments" as "s1_0" where "s1_0"."post_id" = "t0"."id" order by "s1_0"."id" desc limit $1) as "t1" on true',
 *     params: [3],
 *   }),
 * )
 *
 * @category combinators
 * @since 0.2.0
 */
export const joinLateral =
  <
    M extends Model.AnyModel,
    S extends string,
    J extends Joins,
    R,
    const A extends string,
    const K extends 'inner' | 'left' = 'inner',
    Q extends Make.Query<Model.AnyModel, string, unknown, Joins, R> = Make.Query<
      Model.AnyModel,
      string,
      unknown,
      Joins,
      R
    >,
  >(
    as: A,
    f: (
      row: RootRefs<M, S, J>,
      $: Scope<M, S, J>,
    ) => Q & Make.Query<Model.AnyModel, string, unknown, Joins, R>,
    kind?: K,
  ) =>
  <P, R0, X = unknown>(
    q: Query<M, S, P, J, R0> & Carry<X>,
  ): Query<M, S, P, AddJoinedQuery<J, A, R, K, MarksOf<Q>>, R0> & Carry<X> => {
    if (!isQuery(q)) return notAQuery('joinLateral', q) as never
    return guardOn('joinLateral', q as AnyQuery, () =>
      joinDerived(
        'joinLateral',
        q as AnyQuery,
        as,
        kind,
        true,
        (own, errors) => {
          if (typeof f !== 'function')
            return `Query.joinLateral: expected a callback (row, $) => query, got ${show(f)}`
          const built: unknown = Subquery.inCallback(
            () => f(rootRefs(own, errors) as never, rootScope(own, own.joined, errors) as never),
            own.scope,
          )
          return Make.isQuery(built) && !built.projected
            ? 'Query.joinLateral: expected the callback to return a projection (Query.select), got a query of whole rows'
            : Subquery.embed('Query.joinLateral', built)
        },
        undefined,
      ),
    ) as never
  }

// An order item: a name (an output of the projection, else a root column) or a term, with a direction.
const orderTerm = (q: AnyQuery, item: unknown): E.Either<QueryError.QueryError, Select.OrderTerm> => {
  // items may come from untyped input: anything but a name, a term, or a [direction, name or term]
  // pair is refused
  const [dir, what]: readonly [unknown, unknown] =
    typeof item === 'string' || Expr.isExpr(item)
      ? ['asc', item]
      : Array.isArray(item)
        ? [item[0], item[1]]
        : [null, null]
  const d = A.direction(dir)
  if (d !== undefined && Expr.isExpr(what)) {
    const errors: Array<QueryError.QueryError> = []
    const e = checked(what, q.schema, errors, orderCallback, q.scope)
    return errors[0] === undefined ? E.right({ expr: e, dir: d.dir, nulls: d.nulls }) : E.left(errors[0])
  }
  const output =
    q.projected && typeof what === 'string' ? q.select.columns.find(o => o.name === what) : undefined
  const known =
    output !== undefined ||
    (typeof what === 'string' &&
      (q.derived === undefined
        ? Model.table(q.model, q.schema)?.columns.has(what) === true
        : q.derived.some(([name]) => name === what)))
  if (d === undefined || !known)
    return E.left(
      QueryError.make(
        d !== undefined && typeof what === 'string' ? 'UnknownColumn' : 'InvalidArgument',
        // `show`, not JSON.stringify: an item may hold a BigInt or a cycle (issue 13, item 13)
        `cannot order by ${show(item)}${d !== undefined && typeof what === 'string' ? `: ${q.derived === undefined ? `schema '${q.schema}' has no column` : 'the subquery of Query.fromQuery has no output'} '${what}'${q.projected ? ' and the projection no output of that name' : ''}` : ''}`,
        q.schema,
      ),
    )
  // An output is ordered by its expression (PostgreSQL orders by a name only when it stands alone).
  return E.right({ expr: output?.expr ?? rootColumn(q, what as string), dir: d.dir, nulls: d.nulls })
}

// A root column by name, marked with its type as the root's terms are (see `refType`).
// A schema's column is made once per model, schema, alias and name (the `columnInfo` of its column
// is work: a codec asked what it decodes).
const rootColumn = (q: AnyQuery, name: string): Expr.Expr => {
  const a = q.select.from.alias
  if (q.derived !== undefined) {
    const info = q.derived.find(([n]) => n === name)?.[1]
    return Expr.column(a, name, info === undefined ? undefined : refType(info))
  }
  let byName = rootColumns.get(q.model)
  if (byName === undefined) rootColumns.set(q.model, (byName = new Map()))
  const key = `${q.schema}\u0000${a}\u0000${name}`
  const hit = byName.get(key)
  if (hit !== undefined) return hit
  const col = Model.table(q.model, q.schema)?.columns.get(name)
  const e = Expr.column(a, name, col === undefined ? undefined : refType(columnInfo(col)))
  if (col !== undefined) {
    // bounded: a nested query's aliases take a namespace of their own (`Subquery.freshNamespace`)
    if (byName.size >= 1024) byName.clear()
    byName.set(key, e)
  }
  return e
}

const rootColumns = new WeakMap<Model.AnyModel, Map<string, Expr.Expr>>()

const orderCallback = {
  place: 'an order item',
  expected: 'an order item must be a name, a term, or [direction, name or term]',
  condition: false,
  aggregates: 'allowed',
} as const

const orderTerms = (
  fn: string,
  q: AnyQuery,
  items: unknown,
): E.Either<QueryError.QueryError, ReadonlyArray<Select.OrderTerm>> => {
  if (!Array.isArray(items))
    return E.left(invalidArgument(fn, `expected a list of order terms, got ${show(items)}`, q.schema))
  const terms: Array<Select.OrderTerm> = []
  for (const item of items as ReadonlyArray<unknown>) {
    const t = orderTerm(q, item)
    if (E.isLeft(t)) return t
    terms.push(t.right)
  }
  return E.right(terms)
}

/**
 * Appends order terms: a list of names (the root's columns, or the outputs of a projection; ascending)
 * or `[direction, name]`, with the directions of `preloadOrder` (`asc`, `desc`, `asc_nulls_first`,
 * ...); or a callback `(row, $) => items` whose items may also be terms (any expression: `Fn`,
 * aggregates of a grouped query, `$.count('comments')`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const byLength = pipe(Query.from(M, 'post'), Query.orderBy(p => [['desc', Fn.length(p.title)], p.id]))
 * assert.deepStrictEqual(
 *   Query.toSql(byLength),
 *   E.right({
 *     text: 'select "t0"."id", "t0"."title" from "posts" as "t0" order by length("t0"."title") desc, "t0"."id" asc',
 *     params: [],
 *   }),
 * )
 *
 * @category combinators
 * @since 0.1.0
 */
export const orderBy =
  <M extends Model.AnyModel, S extends string, J extends Joins, R>(
    items:
      | ReadonlyArray<A.OrderItem<OrderNames<M, S, R>>>
      | ((
          row: RootRefs<M, S, J>,
          $: Scope<M, S, J>,
        ) => ReadonlyArray<A.OrderItem<OrderNames<M, S, R>> | Fn.Ordering>),
  ) =>
  <P, K = unknown>(q0: Query<M, S, P, J, R> & Carry<K>): Query<M, S, P, J, R> & Carry<K> => {
    const q = q0
    if (!isQuery(q)) return notAQuery('orderBy', q) as never
    const add = (
      list: unknown,
      errors: ReadonlyArray<QueryError.QueryError>,
      q: Query<M, S, P, J, R> = q0,
    ): Query<M, S, P, J, R> => {
      const terms = orderTerms('orderBy', q, list)
      if (errors.length > 0) return make({ ...q, errors: addErrors(q, errors) })
      if (E.isLeft(terms)) return make({ ...q, errors: [...q.errors, terms.left] })
      return settleLater(q, { select: Select.withOrder(terms.right)(q.select) })
    }
    return typeof items === 'function'
      ? withCallback('orderBy', q, items, '(row, $) => order items', add)
      : guardOn('orderBy', q, () => add(items, []))
  }

// A whole number >= 0, or a prepared query's placeholder (its value is checked on each run).
const count = (what: string, n: unknown, schema: string): E.Either<QueryError.QueryError, Expr.Count> =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
    ? E.right(n)
    : Expr.isExpr(n) && n._tag === 'Param' && Expr.isPlaceholder(n.value)
      ? E.right(n.value)
      : E.left(
          QueryError.make(
            'InvalidArgument',
            `${what} expects a whole number >= 0 or a prepared query's placeholder, got ${show(n)}`,
            schema,
          ),
        )

/**
 * At most `n` rows. Without `orderBy` which rows is up to the database, so pair it with one. With
 * `Query.preload` the limit is on the query's own rows, never on the preloaded ones (use a preload's
 * own query for those). `n` must be a whole number >= 0, or in a prepared query a placeholder of
 * numbers (`Query.limit(size)`: one statement text for every size; a run whose value is not a whole
 * number >= 0 is an `InvalidArgument` naming `limit`, before anything is sent); anything else is an
 * `InvalidArgument`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(Query.from(M, 'post'), Query.orderBy(['id']), Query.limit(2))
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({ text: 'select "t0"."id", "t0"."title" from "posts" as "t0" order by "t0"."id" asc limit $1', params: [2] }),
 * )
 * const tables = new Map([['posts', [{ id: 3, title: 'c' }, { id: 1, title: 'a' }, { id: 2, title: 'b' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 1, title: 'a' }, { id: 2, title: 'b' }]))
 * assert.ok(E.isLeft(Query.toSql(pipe(Query.from(M, 'post'), Query.limit(-1)))))
 *
 * @category combinators
 * @since 0.1.0
 */
export const limit =
  (n: number | Pred.Term<number>) =>
  <Q extends AnyQuery>(q: Q): Q => {
    if (!isQuery(q)) return notAQuery('limit', q) as never
    const c = count('limit', n, q.schema)
    return E.isLeft(c)
      ? make({ ...q, errors: [...q.errors, c.left] })
      : make({ ...q, select: Select.set('limit', O.some(c.right))(q.select) })
  }

/**
 * Skips the first `n` rows: with `limit` and `orderBy`, a page. The database still reads the skipped
 * rows, so a deep page costs as much as all the pages before it; for long lists filter on the last key
 * seen (`Pred.gt(p.id, last)`, `Pred.rowLt`) instead. Like `limit`, it takes a prepared query's
 * placeholder.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const page = (n: number) => pipe(Query.from(M, 'post'), Query.orderBy(['id']), Query.limit(2), Query.offset(2 * n))
 * assert.deepStrictEqual(
 *   Query.toSql(page(1)),
 *   E.right({
 *     text: 'select "t0"."id", "t0"."title" from "posts" as "t0" order by "t0"."id" asc limit $1 offset $2',
 *     params: [2, 2],
 *   }),
 * )
 * const tables = new Map([['posts', [1, 2, 3].map(id => ({ id, title: `p${id}` }))]])
 * assert.deepStrictEqual(await Memory.all(page(1))(tables)(), E.right([{ id: 3, title: 'p3' }]))
 *
 * @category combinators
 * @since 0.1.0
 */
export const offset =
  (n: number | Pred.Term<number>) =>
  <Q extends AnyQuery>(q: Q): Q => {
    if (!isQuery(q)) return notAQuery('offset', q) as never
    const c = count('offset', n, q.schema)
    return E.isLeft(c)
      ? make({ ...q, errors: [...q.errors, c.left] })
      : make({ ...q, select: Select.set('offset', O.some(c.right))(q.select) })
  }

/**
 * Drops duplicate rows (`select distinct`). Useful after a `select` projection or a join that repeats
 * the root's rows; whole rows of a table with a primary key are distinct already. `distinct(false)`
 * turns it off again, so a query built elsewhere can be reset.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const authors = pipe(Query.from(M, 'post'), Query.select(p => ({ author: p.author_id })), Query.distinct())
 * assert.deepStrictEqual(
 *   Query.toSql(authors),
 *   E.right({ text: 'select distinct "t0"."author_id" as "author" from "posts" as "t0"', params: [] }),
 * )
 * const tables = new Map([['posts', [{ id: 1, author_id: 7 }, { id: 2, author_id: 7 }]]])
 * assert.deepStrictEqual(await Memory.all(authors)(tables)(), E.right([{ author: 7 }]))
 *
 * @category combinators
 * @since 0.1.0
 */
export const distinct =
  (on = true) =>
  <Q extends AnyQuery>(q: Q): Q => {
    if (!isQuery(q)) return notAQuery('distinct', q) as never
    return typeof on === 'boolean'
      ? settle(make({ ...q, select: Select.set('distinct', on)(q.select) }))
      : make({
          ...q,
          errors: [
            ...q.errors,
            invalidArgument('distinct', `expected true or false, got ${show(on)}`, q.schema),
          ],
        })
  }

/**
 * Replaces whole rows with a projection: the callback returns an object of terms (the root's columns,
 * `$.joined` columns, `Fn` expressions and aggregates, relation aggregates such as `$.count('comments')`,
 * conditions), and each row of the query is an object of their values, typed term by term. Each output
 * is decoded: a column with its codec, a computed term as its `Fn` constructor says (see `Fn`). Applied
 * again, the last projection wins. With `Query.preload` the rows are the projection plus the preloaded
 * associations: the owner-key columns the preloads read are fetched, and returned only when selected.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.select((p, $) => ({ title: Fn.upper(p.title), comments: $.count('comments') })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select upper("t0"."title") as "title", coalesce("t0_j0"."v0", cast($1 as bigint)) as "comments" ' +
 *       'from "posts" as "t0" left join (select "e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "e1_0" ' +
 *       'group by "e1_0"."post_id") as "t0_j0" on "t0_j0"."k" = "t0"."id"',
 *     params: [0],
 *   }),
 * )
 * const tables = new Map([
 *   ['posts', [{ id: 1, title: 'hi' }, { id: 2, title: 'yo' }]],
 *   ['comments', [{ id: 1, post_id: 1 }, { id: 2, post_id: 1 }]],
 * ])
 * // typed ReadonlyArray<{ readonly title: string; readonly comments: number }>
 * assert.deepStrictEqual(
 *   await Memory.all(q)(tables)(),
 *   E.right([{ title: 'HI', comments: 2 }, { title: 'YO', comments: 0 }]),
 * )
 *
 * @category combinators
 * @since 0.1.0
 */
export const select =
  <M extends Model.AnyModel, S extends string, J extends Joins, const O extends Outputs>(
    f: (row: RootRefs<M, S, J>, $: Scope<M, S, J>) => O,
  ) =>
  <P, R>(q: Query<M, S, P, J, R>): Query<M, S, P, J, Selected<O>> & OutputMarks<O> => {
    type Out = Query<M, S, P, J, Selected<O>>
    if (!isQuery(q)) return notAQuery('select', q) as never
    return withCallback(
      'select',
      q as unknown as Out,
      f,
      '(row, $) => ({ name: term, ... })',
      (o, errors, q) => {
        const outputs = outputsOf(q.schema, o, errors, q.scope)
        if (errors.length > 0) return make({ ...q, errors: addErrors(q, errors) }) as unknown as Out
        return settleLater<Out>(q, { select: Select.set('columns', outputs)(q.select), projected: true })
      },
    )
  }

/**
 * The row type `selectMerge` starts from: the projection `R`, or the root's whole row (nullable after
 * a `right` or `full` join).
 *
 * @category model
 * @since 0.2.0
 */
export type MergeBase<M extends Model.AnyModel, S extends string, J extends Joins, R> = [R] extends [Whole]
  ? J extends { readonly '': Joined<string, true> }
    ? { readonly [K in keyof Model.Row<M, S>]: Model.Row<M, S>[K] | null }
    : Model.Row<M, S>
  : R

/**
 * The row type of `selectMerge`: the base row's fields, each field of `O` in place of a field of its
 * name (as Ecto's `select_merge` merges maps), then the new outputs.
 *
 * @category model
 * @since 0.2.0
 */
export type Merged<B, O> = {
  readonly [K in keyof B | keyof O]: K extends keyof O ? O[K] : K extends keyof B ? B[K] : never
}

/**
 * Adds outputs to the rows (Ecto's `select_merge`): the whole row of the root (every column, decoded
 * with its codec) plus the callback's outputs, or, after `select`, that projection plus them. An output
 * named like a column or an earlier output replaces it in its place, typed as the new term (as Ecto
 * merges maps: the later key wins), so a column can be returned transformed. The rows are a projection
 * from then on: `preload` reads the owner keys it needs even when an output replaced them (and returns
 * them only when selected), and the query runs prepared, in memory, as a preload query
 * (`Preload.query`) and under either strategy like any projection.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.selectMerge((p, $) => ({ title: Fn.upper(p.title), comments: $.count('comments') })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."id", upper("t0"."title") as "title", coalesce("t0_j0"."v0", cast($1 as bigint)) as "comments" ' +
 *       'from "posts" as "t0" left join (select "e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "e1_0" ' +
 *       'group by "e1_0"."post_id") as "t0_j0" on "t0_j0"."k" = "t0"."id"',
 *     params: [0],
 *   }),
 * )
 * const tables = new Map([
 *   ['posts', [{ id: 1, title: 'hi' }, { id: 2, title: 'yo' }]],
 *   ['comments', [{ id: 1, post_id: 1 }, { id: 2, post_id: 1 }]],
 * ])
 * // typed ReadonlyArray<{ readonly id: number; readonly title: string; readonly comments: number }>
 * assert.deepStrictEqual(
 *   await Memory.all(q)(tables)(),
 *   E.right([{ id: 1, title: 'HI', comments: 2 }, { id: 2, title: 'YO', comments: 0 }]),
 * )
 *
 * @category combinators
 * @since 0.2.0
 */
export const selectMerge =
  <M extends Model.AnyModel, S extends string, J extends Joins, const O extends Outputs>(
    f: (row: RootRefs<M, S, J>, $: Scope<M, S, J>) => O,
  ) =>
  <P, R>(q: Query<M, S, P, J, R>): Query<M, S, P, J, Merged<MergeBase<M, S, J, R>, Selected<O>>> => {
    type Out = Query<M, S, P, J, Merged<MergeBase<M, S, J, R>, Selected<O>>>
    if (!isQuery(q)) return notAQuery('selectMerge', q) as never
    return withCallback(
      'selectMerge',
      q as unknown as Out,
      f,
      '(row, $) => ({ name: term, ... })',
      (o, errors, q) => {
        const outputs = outputsOf(q.schema, o, errors, q.scope, 'selectMerge')
        if (errors.length > 0) return make({ ...q, errors: addErrors(q, errors) }) as unknown as Out
        const base = q.projected ? q.select.columns : wholeRow(q)
        const added = new Map(outputs.map(x => [x.name, x]))
        const merged = [
          ...base.map(b => added.get(b.name) ?? b),
          ...outputs.filter(x => !base.some(b => b.name === x.name)),
        ]
        return settle(
          make({ ...q, select: Select.set('columns', merged)(q.select), projected: true }),
        ) as unknown as Out
      },
    )
  }

// The root's columns as the outputs of a projection, each a column term that records its decoder.
const wholeRow = (q: AnyQuery): ReadonlyArray<Select.Output> =>
  Object.entries(termsOf(q.model, q.schema, q.select.from.alias)).map(([name, expr]) => ({
    name,
    expr: expr as Expr.Expr,
  }))

// `Select.set` for the grouping fields.
const selectCallback = {
  place: 'a select output',
  expected: 'a select callback must return an object of terms ({ name: p.column, n: Fn.count() ... })',
  condition: false,
  aggregates: 'allowed',
} as const

// The outputs of a select callback's object, each a checked term under a usable name. A bare value
// (`Pred.value(5)`) is cast to its JavaScript type's SQL type, which PostgreSQL would otherwise send
// back as text.
const outputsOf = (
  schema: string,
  o: unknown,
  errors: Array<QueryError.QueryError>,
  scope: number,
  fn = 'select',
): ReadonlyArray<Select.Output> => {
  if (typeof o !== 'object' || o === null || Array.isArray(o) || Expr.isExpr(o)) {
    errors.push(QueryError.make('InvalidArgument', selectCallback.expected, schema))
    return []
  }
  const entries = Object.entries(o)
  // A symbol key is no column name: `Object.entries` would drop it, and its term, silently.
  const symbol = Object.getOwnPropertySymbols(o).find(k => Object.prototype.propertyIsEnumerable.call(o, k))
  if (symbol !== undefined)
    errors.push(
      QueryError.make(
        'InvalidArgument',
        `Query.${fn}: output names are strings, got ${String(symbol)}`,
        schema,
      ),
    )
  if (entries.length === 0 && symbol === undefined)
    errors.push(
      QueryError.make('InvalidArgument', 'a select callback must return at least one output', schema),
    )
  return entries.map(([name, t]) => {
    const bad =
      name === '__proto__'
        ? `output name '__proto__' is not allowed`
        : Table.identifierProblem(name, 'output name')
    if (bad !== null) errors.push(QueryError.make('InvalidArgument', `Query.${fn}: ${bad}`, schema))
    const e = checked(
      t,
      schema,
      errors,
      {
        ...selectCallback,
        expected: () =>
          `Query.${fn}: output '${name}' must be a term (a column, Fn ..., $.count ...), got ${show(t)}`,
      },
      scope,
    )
    return { name, expr: e._tag === 'Param' && Make.recorded(e) === undefined ? bare(e) : e }
  })
}

const bare = (e: Expr.Param): Expr.Expr => {
  const v = e.value
  return typeof v === 'number'
    ? Fn.cast(e, 'double')
    : typeof v === 'string'
      ? Fn.cast(e, 'text')
      : typeof v === 'boolean'
        ? Fn.cast(e, 'boolean')
        : v instanceof Date
          ? Fn.cast(e, 'timestamptz')
          : e
}

/**
 * Groups the rows by the values of some terms: the callback returns a list of terms. Then every output,
 * order term and `having` must be grouped, be inside an aggregate (`Fn.count`, `Fn.sum` ...), or be a
 * column of a binding whose primary key is grouped (PostgreSQL's rule); anything else is a
 * `QueryError` before any SQL is sent. An aggregate cannot be grouped by.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Memory, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.groupBy(p => [p.author_id]),
 *   Query.select(p => ({ author: p.author_id, posts: Fn.count() })),
 *   Query.orderBy(['author']),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."author_id" as "author", count(*) as "posts" from "posts" as "t0" ' +
 *       'group by "t0"."author_id" order by "t0"."author_id" asc',
 *     params: [],
 *   }),
 * )
 * const tables = new Map([['posts', [{ id: 1, author_id: 7 }, { id: 2, author_id: 7 }, { id: 3, author_id: 8 }]]])
 * assert.deepStrictEqual(
 *   await Memory.all(q)(tables)(),
 *   E.right([{ author: 7, posts: 2 }, { author: 8, posts: 1 }]),
 * )
 *
 * @category combinators
 * @since 0.1.0
 */
export const groupBy =
  <M extends Model.AnyModel, S extends string, J extends Joins, R>(
    f: (row: RootRefs<M, S, J>, $: Scope<M, S, J>) => ReadonlyArray<Pred.Term<unknown>>,
  ) =>
  <P, K = unknown>(q: Query<M, S, P, J, R> & Carry<K>): Query<M, S, P, J, R> & Carry<K> => {
    if (!isQuery(q)) return notAQuery('groupBy', q) as never
    return withCallback('groupBy', q, f, '(row, $) => [terms]', (ts, errors, q) => {
      if (!Array.isArray(ts)) {
        errors.push(
          invalidArgument('groupBy', `the callback must return a list of terms, got ${show(ts)}`, q.schema),
        )
        return make({ ...q, errors: addErrors(q, errors) })
      }
      const es = (ts as ReadonlyArray<unknown>).map(t =>
        checked(
          t,
          q.schema,
          errors,
          {
            place: 'Query.groupBy',
            expected: () => `Query.groupBy: expected terms, got ${show(t)}`,
            condition: false,
            aggregates: 'refused',
          },
          q.scope,
        ),
      )
      if (errors.length > 0) return make({ ...q, errors: addErrors(q, errors) })
      const groupBy = [...q.select.groupBy, ...es]
      return settleLater(q, {
        select: Select.set('keyed', keyedAliases(q, groupBy))(Select.set('groupBy', groupBy)(q.select)),
      })
    })
  }

/**
 * Adds a condition on the groups (a conjunct of its own): aggregates may stand here, and every column
 * outside them must be grouped (see `groupBy`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.groupBy(p => [p.author_id]),
 *   Query.having(() => Pred.gt(Fn.count(), 3)),
 *   Query.select(p => ({ author: p.author_id })),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text: 'select "t0"."author_id" as "author" from "posts" as "t0" group by "t0"."author_id" having count(*) > $1',
 *     params: [3],
 *   }),
 * )
 *
 * @category combinators
 * @since 0.1.0
 */
export const having =
  <M extends Model.AnyModel, S extends string, J extends Joins, R>(
    f: (row: RootRefs<M, S, J>, $: Scope<M, S, J>) => Pred.Pred,
  ) =>
  <P, K = unknown>(q: Query<M, S, P, J, R> & Carry<K>): Query<M, S, P, J, R> & Carry<K> => {
    if (!isQuery(q)) return notAQuery('having', q) as never
    return withCallback('having', q, f, '(row, $) => predicate', (p, errors, q) => {
      const e = checked(
        p,
        q.schema,
        errors,
        {
          place: 'a having callback',
          expected: 'a having callback must return a predicate built with Pred over groups (Fn.count() ...)',
          condition: true,
          aggregates: 'allowed',
        },
        q.scope,
      )
      if (errors.length > 0) return make({ ...q, errors: addErrors(q, errors) })
      return settleLater(q, { select: Select.set('having', [...q.select.having, e])(q.select) })
    })
  }

/**
 * Keeps one row per distinct value of some terms (`distinct on`): the first in the query's order. The
 * items are terms or `[direction, term]`; they lead the order (PostgreSQL requires it), with their
 * directions, before any order given with `orderBy`, which then picks the row kept: so
 * `distinctOn(p => [p.author_id])` then `orderBy(p => [['desc', p.inserted_at]])` keeps each author's
 * latest post.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const latest = pipe(
 *   Query.from(M, 'post'),
 *   Query.distinctOn(p => [p.author_id]),
 *   Query.orderBy([['desc', 'id']]),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(latest),
 *   E.right({
 *     text:
 *       'select distinct on ("t0"."author_id") "t0"."id", "t0"."author_id", "t0"."title" from "posts" as "t0" ' +
 *       'order by "t0"."author_id" asc, "t0"."id" desc',
 *     params: [],
 *   }),
 * )
 *
 * @category combinators
 * @since 0.1.0
 */
export const distinctOn =
  <M extends Model.AnyModel, S extends string, J extends Joins, R>(
    f: (row: RootRefs<M, S, J>, $: Scope<M, S, J>) => ReadonlyArray<Fn.Ordering>,
  ) =>
  <P, K = unknown>(q: Query<M, S, P, J, R> & Carry<K>): Query<M, S, P, J, R> & Carry<K> => {
    if (!isQuery(q)) return notAQuery('distinctOn', q) as never
    return withCallback('distinctOn', q, f, '(row, $) => [terms]', (items, errors, q) => {
      if (errors.length > 0) return make({ ...q, errors: addErrors(q, errors) })
      const terms = orderTerms('distinctOn', q, items)
      if (E.isLeft(terms)) return make({ ...q, errors: [...q.errors, terms.left] })
      // PostgreSQL has no `distinct on ()`: an empty list is refused, not dropped (it would keep every row).
      if (terms.right.length === 0)
        return make({
          ...q,
          errors: [
            ...q.errors,
            invalidArgument(
              'distinctOn',
              `the callback returned no term for the rows of ${sourceOf(q)}: distinct on needs at least one (PostgreSQL has no distinct on ()); keep every row by leaving distinctOn out`,
              q.schema,
            ),
          ],
        })
      if (terms.right.some(t => t.expr._tag !== 'ColumnRef' && hasAggregate(t.expr)))
        return make({
          ...q,
          errors: [
            ...q.errors,
            invalidArgument('distinctOn', 'an aggregate cannot be a distinct on term', q.schema),
          ],
        })
      // The order starts with the distinct on terms so far (see `distinctOn`'s doc): these go after them.
      const s = q.select
      const at = s.distinctOn.length
      return settle(
        make({
          ...q,
          select: Select.set('orderBy', [...s.orderBy.slice(0, at), ...terms.right, ...s.orderBy.slice(at)])(
            Select.set('distinctOn', [...s.distinctOn, ...terms.right.map(t => t.expr)])(s),
          ),
        }),
      )
    })
  }

type JoinedProblems<
  M extends Model.AnyModel,
  S extends string,
  J extends Joins,
  P,
  Prefix extends string = '',
  Parent extends string | null = null,
> = [P] extends [never] ? never : JoinedProblemsOf<M, S, J, P, Prefix, Parent>

// One level of a spec under schema `S`, at association path `Prefix` (`comments.` under `comments`),
// under the join-preload of binding `Parent` (null: the root): each join-preload's binding (default:
// its path, as `Query.join` names it) is a binding of the query over the association's target, whose
// join hangs from `Parent`'s binding (known when the join was typed: a path's last hop hangs from its
// prefix's default name), and so on under it; a join-preload under an association that is not
// join-preloaded is refused.
type JoinedProblemsOf<
  M extends Model.AnyModel,
  S extends string,
  J extends Joins,
  P,
  Prefix extends string,
  Parent extends string | null,
> = {
  readonly [K in keyof P & string]: P[K] extends Spec.PreloadJoined<infer B, infer N>
    ? (B extends string ? B : `${Prefix}${K}`) extends infer Name extends string
      ? | (Name extends Exclude<keyof J, ''>
            ? J[Name]['schema'] extends Model.Target<M, S, K>
              ? HangsFrom<J[Name], Parent> extends true
                ? never
                : `preload ${Prefix}${K}: binding '${Name}' is not joined from binding '${Parent & string}' of the join-preload it nests under`
              : `preload ${Prefix}${K}: binding '${Name}' is not a join of schema '${Model.Target<M, S, K>}'`
            : `preload ${Prefix}${K}: the query joins no binding '${Name}'`)
        | JoinedProblems<M, Model.Target<M, S, K>, J, N, `${Prefix}${K}.`, Name>
      : never
    : HasJoined<P[K]> extends true
      ? `preload ${Prefix}${K}: a join-preload (Preload.joined) nests only under join-preloads`
      : never
}[keyof P & string]

// Whether a joined binding hangs from binding `Parent` (null: a top-level join-preload, checked by its
// path alone); a binding whose origin the types do not know (`string`) passes, the runtime checks it.
type HangsFrom<B extends Joined, Parent extends string | null> = Parent extends string
  ? string extends B['from']
    ? true
    : B['from'] extends Parent
      ? true
      : false
  : true

// Whether a spec value holds a join-preload at any depth (an untyped spec, `Spec.Input`, is not known to).
type HasJoined<V> =
  V extends Spec.PreloadJoined<string | undefined, unknown>
    ? true
    : V extends Spec.PreloadQuery<Spec.QueryOptions | Spec.FromQuery, infer N>
      ? HasJoined<N>
      : V extends object
        ? string extends keyof V
          ? false
          : true extends { readonly [K in keyof V]: HasJoined<V[K]> }[keyof V]
            ? true
            : false
        : false

/**
 * `unknown` when every join-preload (`Preload.joined`) of spec `P`, at any depth, names a binding of
 * the query's joins `J` over the association's target (a nested one's default binding is its path,
 * `'comments.author'`, and its join must hang from its parent's binding) and nests only under
 * join-preloads; otherwise a type no query has, naming the problem.
 *
 * @category model
 * @since 0.2.0
 */
export type JoinedValid<M extends Model.AnyModel, S extends string, J extends Joins, P> = [
  JoinedProblems<M, S, J, P>,
] extends [never]
  ? unknown
  : { readonly 'invalid join-preload': JoinedProblems<M, S, J, P> }

/**
 * Loads associations with the query's rows: a nested spec of association names (`true`, a nested spec,
 * or `Preload.query(...)` with a filter, an order and a per-parent limit). Applied twice, the specs
 * merge key by key. Misspelled names, and columns in a custom query that the target does not have, are
 * compile errors; from untyped input they are a `QueryError`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Preload, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', {
 *   id: Column.serial, post_id: Column.integer, body: Column.text,
 * })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * // Each post with its newest comment (the limit applies per post).
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.preload({ comments: Preload.query({ orderBy: [['desc', 'id']], limit: 1 }) }),
 * )
 * const tables = new Map([
 *   ['posts', [{ id: 1, title: 'hi' }, { id: 2, title: 'yo' }]],
 *   ['comments', [{ id: 1, post_id: 1, body: 'a' }, { id: 2, post_id: 1, body: 'b' }]],
 * ])
 * assert.deepStrictEqual(
 *   await Memory.all(q)(tables)(),
 *   E.right([
 *     { id: 1, title: 'hi', comments: [{ id: 2, post_id: 1, body: 'b' }] },
 *     { id: 2, title: 'yo', comments: [] },
 *   ]),
 * )
 * // nested: Query.preload({ comments: { author: true }, permalink: true })
 *
 * @category combinators
 * @since 0.1.0
 */
export const preload =
  <const P extends Spec.Input>(spec: P) =>
  <M extends Model.AnyModel, S extends string, P0, J extends Joins, R>(
    q: Query<M, S, P0, J, R> & Spec.Valid<M, S, P> & JoinedValid<M, S, J, P>,
  ): Query<M, S, P0 & P, J, R> => {
    if (!isQuery(q)) return notAQuery('preload', q) as never
    const base: Query<M, S, P0, J, R> = q
    return guardOn('preload', base as unknown as Query<M, S, P0 & P, J, R>, () => {
      if (base.derived !== undefined)
        return make({
          ...base,
          errors: [
            ...base.errors,
            invalidArgument(
              'preload',
              `a query over ${sourceOf(base as unknown as AnyQuery)} has no schema whose associations it could preload`,
            ),
          ],
        }) as never
      // A spec value of the query's own (not the caller's object): its normal form is kept for the run.
      const [merged, checked] = Spec.concatNormal(base.model, base.schema, base.preload, spec) as readonly [
        P0 & P,
        ReturnType<typeof Spec.normalize>,
      ]
      const c = Make.fieldsOf(base as Query<M, S, P0 & P, J, R>)
      c.preload = merged
      if (E.isLeft(checked)) c.errors = [...base.errors, checked.left]
      return settle(make(c))
    })
  }

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The SQL of a query, with no database: `{ text, params }`, or the query's first error. This is the
 * statement of the query's own rows; with preloads, `statements` shows everything a load sends. An
 * error made while building (an unknown column, a bad `limit`) surfaces here as a `Left`, as it would
 * when the query runs.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * assert.deepStrictEqual(
 *   Query.toSql(pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.title, 'hi')))),
 *   E.right({ text: 'select "t0"."id", "t0"."title" from "posts" as "t0" where "t0"."title" = $1', params: ['hi'] }),
 * )
 * const bad = Query.toSql(pipe(Query.from(M, 'post'), Query.offset(0.5)))
 * assert.ok(E.isLeft(bad) && bad.left.code === 'InvalidArgument')
 *
 * @category destructors
 * @since 0.1.0
 */
export const toSql = (q: AnyQuery): E.Either<QueryError.QueryError, Sql.CompiledQuery> => {
  if (!isQuery(q))
    return E.left(
      invalidArgument('toSql', `expected a query (Query.from(model, schema) ...), got ${show(q)}`),
    )
  const e = q.errors[0]
  if (e !== undefined) return E.left(e)
  // A query is ours, but its fields may have been replaced by a spread (`{ ...q, select: junk }`).
  try {
    // Join-preloads read the joined bindings' columns (`Joined.rootOf`).
    const nodes = Spec.normalize(q.model, q.schema, q.preload)
    if (E.isRight(nodes) && JoinPreload.hasJoined(nodes.right)) {
      const r = JoinPreload.rootOf(q, nodes.right)
      return E.isLeft(r) ? r : E.right(Sql.toSql(r.right.select))
    }
    // A projection that preloads also reads the owner keys its preloads need (`Keys.rootOf`).
    if (!Keys.preloadsProjection(q))
      return E.right(q.projected ? Compiled.projection(q.select) : Sql.toSql(q.select))
    const root = Keys.rootOf(q)
    return E.isLeft(root) ? root : E.right(Sql.toSql(root.right.select))
  } catch (u) {
    return E.left(
      invalidArgument('toSql', `the query's select could not be compiled: ${Invalid.describe(u)}`, q.schema),
    )
  }
}

export * from './Statements.js'
