/**
 * Prepared queries: a query built once over named placeholders and run many times with values. Its
 * parameters are declared as io-ts codecs, which give the builder typed terms (`Pred.eq(p.id, id)`) and
 * check each run's arguments. The query is built, its preload spec normalized and its lateral tree
 * planned once; an interpreter given a `Bind` may compile the statement once as well (PostgreSQL does)
 * and only puts the values in its parameters. Run one with `Run.prepared` / `Pg.prepared`.
 *
 * Placeholders stand for single values wherever a `where` callback takes a term: comparison operands,
 * row comparisons, `Pred.value`, fragment arguments, the callbacks of `$.exists` / `$.every`; and for
 * row counts: `Query.limit`, `Query.offset` and a preload's per-parent `limit` / `offset` (a through or
 * to-one association's included: `bindCounts`), each run's value checked to be a whole number >= 0
 * (`checkCount`) before anything is sent.
 * List membership (`Pred.in`) and preload filters given as options take plain values; a preload's
 * custom query given as a query value takes placeholders as a query does. A placeholder outside its
 * prepared query (a term kept from a builder) is refused when it runs.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type * as t from 'io-ts'
import * as Expr from '../ast/Expr.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Spec from '../plan/Spec.js'
import type * as Model from '../schema/Model.js'
import * as Invalid from './Invalid.js'
import * as Make from './Make.js'
import type * as Pred from './Pred.js'
import type { AnyQuery, Joins, Query, Whole } from './Query.js'

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
 * A query built once over placeholders, with the codecs its runs' arguments are checked against. Only
 * `make` makes one (`isPrepared` tells); the fields are there to inspect, not to rebuild from.
 *
 * @category model
 * @since 0.1.0
 */
export interface Prepared<M extends Model.AnyModel, S extends string, P, A extends Params, R = Whole> {
  readonly _tag: 'Prepared'
  readonly params: A
  /** The query over placeholders (its `errors` include bad declarations): run it through `Run.prepared`. */
  readonly query: Query<M, S, P, Joins, R>
  readonly placeholders: ReadonlyArray<Expr.Placeholder>
}

/**
 * A prepared query of any model, schema, parameters and projection: what code that takes any prepared
 * query (an interpreter, `bind`) accepts.
 *
 * @category model
 * @since 0.1.0
 */
export type AnyPrepared = Prepared<Model.AnyModel, string, unknown, Params, unknown>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// Reading a user's value may throw (a proxy, a getter): a codec that cannot be read is not a codec.
const isCodec = (u: unknown): u is t.Mixed => {
  try {
    return (
      typeof u === 'object' &&
      u !== null &&
      typeof (u as { readonly is?: unknown }).is === 'function' &&
      typeof (u as { readonly name?: unknown }).name === 'string'
    )
  } catch {
    return false
  }
}

// Prepared queries made here, by identity: a value from untyped code shaped like one
// (`{ _tag: 'Prepared', placeholders: [...] }`) is not one.
const made = new WeakSet<object>()

/**
 * Whether a value is a prepared query made by `make` (not merely shaped like one): an interpreter
 * checks this before it trusts the placeholders, so a look-alike from untyped code is a typed error.
 *
 * @example
 * import * as t from 'io-ts'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Prepared, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const byId = Prepared.make({ id: t.number }, ({ id }) => pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.id, id))))
 * assert.strictEqual(Prepared.isPrepared(byId), true)
 * assert.strictEqual(Prepared.isPrepared({ ...byId }), false)
 *
 * @category utils
 * @since 0.1.0
 */
export const isPrepared = (u: unknown): u is AnyPrepared => typeof u === 'object' && u !== null && made.has(u)

const refused = (message: string): QueryError.QueryError =>
  QueryError.make('InvalidArgument', `Prepared.make: ${message}`)

// The builder's query, or an invalid query saying why there is none: `make` never throws (invariant 8),
// its errors come out of the first run (or `Query.toSql(p.query)`) as a Left.
const built = <A extends Params>(build: unknown, terms: Terms<A>): AnyQuery => {
  if (typeof build !== 'function')
    return Make.invalid(undefined, '', refused(`expected a builder (terms) => query, got ${show(build)}`))
  try {
    const q: unknown = (build as (terms: Terms<A>) => unknown)(terms)
    return Make.isQuery(q)
      ? q
      : Make.invalid(
          undefined,
          '',
          refused(`the builder must return a query (Query.from ...), got ${show(q)}`),
        )
  } catch (u) {
    return Make.invalid(undefined, '', refused(`the builder threw: ${Invalid.describe(u)}`))
  }
}

const namesOf = (params: unknown): ReadonlyArray<string> | undefined => {
  try {
    return typeof params === 'object' && params !== null && !Array.isArray(params)
      ? Object.keys(params)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Builds the query once, with a placeholder term per declared parameter.
 *
 * @example
 * import * as t from 'io-ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Prepared, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const postById = Prepared.make({ id: t.number }, ({ id }) =>
 *   pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.id, id))),
 * )
 * const tables = new Map([['posts', [{ id: 1, title: 'hi' }, { id: 2, title: 'yo' }]]])
 * const loaded = await Memory.prepared(postById)({ id: 2 })(tables)()
 * assert.deepStrictEqual(loaded, E.right([{ id: 2, title: 'yo' }]))
 * // on PostgreSQL: await Pg.prepared(postById)({ id: 2 })(sql)()
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <
  const A extends Params,
  M extends Model.AnyModel,
  S extends string,
  P,
  J extends Joins,
  R = Whole,
>(
  params: A,
  build: (terms: Terms<A>) => Query<M, S, P, J, R>,
): Prepared<M, S, P, A, R> => {
  const names = namesOf(params)
  const placeholders = (names ?? []).map(Expr.placeholder)
  const terms = Object.freeze(
    Object.fromEntries(placeholders.map(p => [p.name, Expr.param(p)])),
  ) as unknown as Terms<A>
  const q = built(build, terms)
  // Each codec is read once, here; `bind` uses these (a getter could answer differently later).
  const codecs = new Map<string, t.Mixed>()
  const bad: Array<string> = []
  for (const n of names ?? []) {
    let c: unknown
    try {
      c = (params as Readonly<Record<string, unknown>>)[n]
    } catch {
      c = undefined
    }
    if (isCodec(c)) codecs.set(n, c)
    else bad.push(n)
  }
  const errors =
    names === undefined
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
  const p: Prepared<M, S, P, A, R> = Object.freeze({
    _tag: 'Prepared',
    params,
    query: (errors.length === 0 ? q : Make.make({ ...q, errors: [...q.errors, ...errors] })) as Query<
      M,
      S,
      P,
      Joins,
      R
    >,
    placeholders: Object.freeze(placeholders),
  })
  made.add(p)
  codecsOf.set(p, codecs)
  return p
}

const codecsOf = new WeakMap<object, ReadonlyMap<string, t.Mixed>>()

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Checks one run's arguments against the declared codecs and binds the placeholders to them; a missing
 * or ill-typed argument is an `InvalidArgument` naming the parameter. Interpreters call it before each
 * run, so a bad argument never reaches the database; call it yourself to check arguments early.
 *
 * @example
 * import * as t from 'io-ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Prepared, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const byId = Prepared.make({ id: t.number }, ({ id }) => pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.id, id))))
 * const bound = Prepared.bind(byId, { id: 2 })
 * assert.ok(E.isRight(bound) && [...bound.right.values()].includes(2))
 * assert.deepStrictEqual(
 *   pipe(Prepared.bind(byId, { id: '2' }), E.mapLeft(e => e.message)),
 *   E.left(`argument 'id' of a prepared query on 'post' is not number: "2"`),
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const bind = (p: AnyPrepared, args: unknown): E.Either<QueryError.QueryError, Expr.Bind> => {
  if (!isPrepared(p))
    return E.left(
      QueryError.make('InvalidArgument', `expected a prepared query (Prepared.make ...), got ${show(p)}`),
    )
  const schema = p.query.schema
  if (typeof args !== 'object' || args === null)
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `the arguments of a prepared query on '${schema}' must be a record`,
        schema,
      ),
    )
  const codecs = codecsOf.get(p)
  const values = new Map<Expr.Placeholder, unknown>()
  for (const ph of p.placeholders) {
    const codec = codecs?.get(ph.name)
    // The arguments are untyped (a proxy, a getter) and so may be a codec's own `is`: a throw is a Left.
    let v: unknown
    let ok: boolean
    try {
      v = (args as Readonly<Record<string, unknown>>)[ph.name]
      ok = codec !== undefined && codec.is(v)
    } catch (u) {
      return E.left(
        QueryError.make(
          'InvalidArgument',
          `argument '${ph.name}' of a prepared query on '${schema}' could not be read or checked: ${Invalid.describe(u)}`,
          schema,
        ),
      )
    }
    if (!ok)
      return E.left(
        QueryError.make(
          'InvalidArgument',
          `argument '${ph.name}' of a prepared query on '${schema}' is not ${codec?.name ?? 'declared with a codec'}: ${show(v)}`,
          schema,
        ),
      )
    values.set(ph, v)
  }
  const counts = preloadCounts(p)
  for (const c of counts) {
    const checked = checkCount(c.what, c.placeholder, values.get(c.placeholder))
    if (E.isLeft(checked)) return E.left(QueryError.make('InvalidArgument', checked.left.message, schema))
  }
  return E.right(values)
}

// The placeholders of a prepared query's preload counts (per-parent `limit` / `offset`, at any depth
// of its spec), found once per prepared query: `bind` checks their values before anything is sent.
const countsOf = new WeakMap<
  object,
  ReadonlyArray<{ readonly what: 'limit' | 'offset'; readonly placeholder: Expr.Placeholder }>
>()
const preloadCounts = (
  p: AnyPrepared,
): ReadonlyArray<{ readonly what: 'limit' | 'offset'; readonly placeholder: Expr.Placeholder }> => {
  const hit = countsOf.get(p)
  if (hit !== undefined) return hit
  const q = p.query as AnyQuery
  const nodes = q.errors.length > 0 ? E.right([]) : Spec.normalize(q.model, q.schema, q.preload)
  const out: Array<{ readonly what: 'limit' | 'offset'; readonly placeholder: Expr.Placeholder }> = []
  const walk = (ns: ReadonlyArray<Spec.Node>): void => {
    for (const n of ns) {
      for (const what of ['limit', 'offset'] as const) {
        const c = n.custom[what]
        if (O.isSome(c) && Expr.isPlaceholder(c.value)) out.push({ what, placeholder: c.value })
      }
      walk(n.children)
    }
  }
  if (E.isRight(nodes)) walk(nodes.right)
  countsOf.set(p, out)
  return out
}

/**
 * A normalised spec with the run's values in the per-parent counts that are not sent as parameters: a
 * through association's `limit` / `offset` (they cut the walked value in memory) and a to-one's (it
 * keeps at most one row, `least(1, limit)`), each checked (`checkCount`); the same nodes when none
 * holds a placeholder. A placeholder without a value (no `bind`: a builder's term run outside its
 * prepared query) is the `unbound` error. The runners call it before they plan or send anything, so
 * both strategies and both interpreters cut with the same number.
 *
 * @example
 * import * as t from 'io-ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Preload, Prepared, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const note = Schema.table('note', 'notes', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, note }, { post: { note: Schema.hasOne('note') } })
 * // A to-one's limit: 0 keeps no row, anything above keeps the first.
 * const p = Prepared.make({ n: t.number }, ({ n }) =>
 *   pipe(Query.from(M, 'post'), Query.preload({ note: Preload.query({ limit: n }) })),
 * )
 * const tables = new Map([['posts', [{ id: 1 }]], ['notes', [{ id: 5, post_id: 1 }]]])
 * assert.deepStrictEqual(await Memory.prepared(p)({ n: 0 })(tables)(), E.right([{ id: 1, note: O.none }]))
 * assert.deepStrictEqual(
 *   await Memory.prepared(p)({ n: 3 })(tables)(),
 *   E.right([{ id: 1, note: O.some({ id: 5, post_id: 1 }) }]),
 * )
 * assert.ok(E.isLeft(await Memory.prepared(p)({ n: -1 })(tables)()))
 *
 * @category destructors
 * @since 0.2.0
 */
export const bindCounts = (
  nodes: ReadonlyArray<Spec.Node>,
  bind: Expr.Bind | undefined,
): E.Either<QueryError.QueryError, ReadonlyArray<Spec.Node>> => {
  let error: QueryError.QueryError | null = null
  const value = (what: 'limit' | 'offset', c: O.Option<Expr.Count>): O.Option<Expr.Count> => {
    if (O.isNone(c) || !Expr.isPlaceholder(c.value) || error !== null) return c
    const p = c.value
    if (bind === undefined || !bind.has(p)) {
      error = unbound(p)
      return c
    }
    const n = checkCount(what, p, bind.get(p))
    if (E.isLeft(n)) {
      error = n.left
      return c
    }
    return O.some(n.right)
  }
  const level = (ns: ReadonlyArray<Spec.Node>): ReadonlyArray<Spec.Node> => {
    let changed = false
    const out = ns.map(n => {
      const children = level(n.children)
      const cut = n.assoc._tag === 'Through' || n.assoc.cardinality === 'one'
      const limit = cut ? value('limit', n.custom.limit) : n.custom.limit
      const given = cut ? value('offset', n.custom.offset) : n.custom.offset
      // A to-one with no offset needs a per-parent window only under `limit: 0` (it keeps the first row
      // anyway): with a placeholder for the limit, the batched statement would be one text for 0 and
      // another for the rest. An offset of 0 (which skips nothing) keeps the window for every value, so
      // every run sends one text and a prepared statement is reused.
      const offset =
        n.assoc._tag !== 'Through' &&
        n.assoc.cardinality === 'one' &&
        O.isSome(n.custom.limit) &&
        Expr.isPlaceholder(n.custom.limit.value) &&
        O.isNone(given)
          ? O.some(0)
          : given
      if (children === n.children && limit === n.custom.limit && offset === n.custom.offset) return n
      changed = true
      return Object.freeze({ ...n, children, custom: Object.freeze({ ...n.custom, limit, offset }) })
    })
    return changed ? Object.freeze(out) : ns
  }
  // Untyped callers: anything but a normalised spec's nodes (a proxy, junk) is a Left, never a throw.
  try {
    if (!Array.isArray(nodes))
      return E.left(
        QueryError.make(
          'InvalidArgument',
          `Prepared.bindCounts: expected the nodes of a normalised spec, got ${show(nodes)}`,
        ),
      )
    const out = level(nodes)
    return error !== null ? E.left(error) : E.right(out)
  } catch (u) {
    return E.left(QueryError.unreadable('Prepared.bindCounts', u))
  }
}

/**
 * Checks the value a placeholder has in a run where it stands for a row count (`Query.limit(size)`,
 * `Query.offset`, a preload's `limit`): a whole number >= 0, else an `InvalidArgument` naming the
 * option and the parameter. Interpreters call it before they send or evaluate anything, so a negative
 * count is this error on every interpreter, never PostgreSQL's 2201W / 2201X.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Prepared } from 'quiver-sql'
 * const size = Ast.Expr.placeholder('size')
 * assert.deepStrictEqual(Prepared.checkCount('limit', size, 3), E.right(3))
 * assert.deepStrictEqual(
 *   E.mapLeft((e: { readonly message: string }) => e.message)(Prepared.checkCount('limit', size, -1)),
 *   E.left(`limit expects a whole number >= 0, got -1 (argument 'size' of a prepared query)`),
 * )
 *
 * @category destructors
 * @since 0.2.0
 */
export const checkCount = (
  what: 'limit' | 'offset',
  p: Expr.Placeholder,
  value: unknown,
): E.Either<QueryError.QueryError, number> =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? E.right(value)
    : E.left(
        QueryError.make(
          'InvalidArgument',
          `${what === 'offset' ? 'offset' : 'limit'} expects a whole number >= 0, got ${show(value)} (argument ${placeholderName(p)} of a prepared query)`,
        ),
      )

/**
 * The error of a placeholder that has no value in a run: a term kept from a builder and used in another
 * query, or a prepared query's `query` run directly. An interpreter meeting such a placeholder returns
 * this error rather than sending SQL with a parameter nobody filled.
 *
 * @example
 * import * as t from 'io-ts'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Prepared, Pred, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const byId = Prepared.make({ id: t.number }, ({ id }) => pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.id, id))))
 * const e = Prepared.unbound(byId.placeholders[0]!)
 * assert.strictEqual(e.code, 'InvalidArgument')
 * assert.match(e.message, /^placeholder 'id' has no value/)
 *
 * @category destructors
 * @since 0.1.0
 */
export const unbound = (p: Expr.Placeholder): QueryError.QueryError =>
  QueryError.make(
    'InvalidArgument',
    `placeholder ${placeholderName(p)} has no value: the terms a prepared query's builder gets only run through Run.prepared or Pg.prepared`,
  )

// Total over untyped input: only a placeholder made by `Expr.placeholder` has a name to quote.
const placeholderName = (p: unknown): string => {
  try {
    return Expr.isPlaceholder(p) ? `'${p.name}'` : show(p)
  } catch {
    return show(p)
  }
}
