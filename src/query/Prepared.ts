/**
 * Prepared queries: a query built once over named placeholders and run many times with values. Its
 * parameters are declared as io-ts codecs, which give the builder typed terms (`Pred.eq(p.id, id)`) and
 * check each run's arguments. The query is built, its preload spec normalized and its lateral tree
 * planned once; an interpreter given a `Bind` may compile the statement once as well (PostgreSQL does)
 * and only puts the values in its parameters. Run one with `Run.prepared` / `Pg.prepared`.
 *
 * Placeholders stand for single values wherever a `where` callback takes a term: comparison operands,
 * `Pred.value`, fragment arguments, the callbacks of `$.exists` / `$.every`. List membership
 * (`Pred.in`), `limit`, `offset` and preload filters take plain values. A placeholder outside its
 * prepared query (a term kept from a builder) is refused when it runs.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import * as Expr from '../ast/Expr.js'
import * as QueryError from '../error/QueryError.js'
import type * as Model from '../schema/Model.js'
import type * as Pred from './Pred.js'
import type { Joins, Query } from './Query.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The declared parameters: a codec per name.
 *
 * @category model
 * @since 0.1.0
 */
export type Params = Readonly<Record<string, t.Mixed>>

/**
 * The arguments of one run.
 *
 * @category model
 * @since 0.1.0
 */
export type Args<A extends Params> = { readonly [K in keyof A]: t.TypeOf<A[K]> }

/**
 * What the builder gets: one term per parameter, typed by its codec.
 *
 * @category model
 * @since 0.1.0
 */
export type Terms<A extends Params> = { readonly [K in keyof A]: Pred.Term<t.TypeOf<A[K]>> }

/**
 * @category model
 * @since 0.1.0
 */
export interface Prepared<M extends Model.AnyModel, S extends string, P, A extends Params> {
  readonly _tag: 'Prepared'
  readonly params: A
  /** The query over placeholders (its `errors` include bad declarations): run it through `Run.prepared`. */
  readonly query: Query<M, S, P, Joins>
  readonly placeholders: ReadonlyArray<Expr.Placeholder>
}

/**
 * @category model
 * @since 0.1.0
 */
export type AnyPrepared = Prepared<Model.AnyModel, string, unknown, Params>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const isCodec = (u: unknown): u is t.Mixed =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as { readonly is?: unknown }).is === 'function' &&
  typeof (u as { readonly name?: unknown }).name === 'string'

/**
 * Builds the query once, with a placeholder term per declared parameter.
 *
 * @example
 * import * as t from 'io-ts'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Prepared, Pred, Query } from 'quiver-sql'
 * // const postById = Prepared.make({ id: t.number }, ({ id }) =>
 * //   pipe(Query.from(Blog, 'post'), Query.where(p => Pred.eq(p.id, id)), Query.preload({ comments: true })))
 * // await Pg.prepared(postById)({ id: 5 })(sql)()
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <const A extends Params, M extends Model.AnyModel, S extends string, P, J extends Joins>(
  params: A,
  build: (terms: Terms<A>) => Query<M, S, P, J>,
): Prepared<M, S, P, A> => {
  const isRecord = typeof params === 'object' && params !== null
  const names = isRecord ? Object.keys(params) : []
  const placeholders = names.map(Expr.placeholder)
  const terms = Object.freeze(
    Object.fromEntries(placeholders.map(p => [p.name, Expr.param(p)])),
  ) as unknown as Terms<A>
  const q = build(terms)
  const bad = names.filter(n => !isCodec(params[n]))
  const errors = !isRecord
    ? [
        QueryError.make(
          'InvalidArgument',
          'the parameters of a prepared query must be a record of io-ts codecs',
          q.schema,
        ),
      ]
    : bad.map(n =>
        QueryError.make(
          'InvalidArgument',
          `parameter '${n}' of a prepared query on '${q.schema}' is not an io-ts codec`,
          q.schema,
        ),
      )
  return Object.freeze({
    _tag: 'Prepared',
    params,
    query: errors.length === 0 ? q : Object.freeze({ ...q, errors: [...q.errors, ...errors] }),
    placeholders: Object.freeze(placeholders),
  })
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const show = (u: unknown): string => {
  try {
    return typeof u === 'bigint' ? `${u}n` : (JSON.stringify(u) ?? String(u))
  } catch {
    return String(u)
  }
}

/**
 * Checks one run's arguments against the declared codecs and binds the placeholders to them; a missing
 * or ill-typed argument is an `InvalidArgument` naming the parameter.
 *
 * @category destructors
 * @since 0.1.0
 */
export const bind = (p: AnyPrepared, args: unknown): E.Either<QueryError.QueryError, Expr.Bind> => {
  const schema = p.query.schema
  if (typeof args !== 'object' || args === null)
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `the arguments of a prepared query on '${schema}' must be a record`,
        schema,
      ),
    )
  const values = new Map<Expr.Placeholder, unknown>()
  for (const ph of p.placeholders) {
    const codec = p.params[ph.name] as t.Mixed
    const v = (args as Readonly<Record<string, unknown>>)[ph.name]
    if (!codec.is(v))
      return E.left(
        QueryError.make(
          'InvalidArgument',
          `argument '${ph.name}' of a prepared query on '${schema}' is not ${codec.name}: ${show(v)}`,
          schema,
        ),
      )
    values.set(ph, v)
  }
  return E.right(values)
}

/**
 * The error of a placeholder that has no value in a run: a term kept from a builder and used in another
 * query, or a prepared query's `query` run directly.
 *
 * @category destructors
 * @since 0.1.0
 */
export const unbound = (p: Expr.Placeholder): QueryError.QueryError =>
  QueryError.make(
    'InvalidArgument',
    `placeholder '${p.name}' has no value: the terms a prepared query's builder gets only run through Run.prepared or Pg.prepared`,
  )
