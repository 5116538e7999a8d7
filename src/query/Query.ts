/**
 * Queries as immutable values. `from` starts one over a schema of a model; `where`, `orderBy`, `limit`,
 * `offset`, `distinct` and `join` are data-last and return new values; `assoc` builds the query of the
 * records associated with some owners. A query built from untyped input that names something the model
 * does not have carries a `QueryError`, returned as a `Left` when it is compiled or run.
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
import * as Sql from '../sql/Compile.js'
import * as Invalid from './Invalid.js'
import * as Make from './Make.js'
import type * as Pred from './Pred.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type { AnyQuery, Binding, Joins, Query } from './Make.js'
import type { AnyQuery, Binding, Joins, Query } from './Make.js'

/**
 * Column terms of a row type, as the argument of a `where` callback.
 *
 * @category model
 * @since 0.1.0
 */
export type Refs<R> = { readonly [K in keyof R]-?: Pred.Term<R[K]> }

/**
 * The second argument of a `where` callback: predicates over associations, and joined bindings.
 *
 * @category model
 * @since 0.1.0
 */
export interface Scope<M extends Model.AnyModel, S extends string, J extends Joins> {
  /** Some associated record exists (satisfying `f` when given). */
  readonly exists: <N extends Model.AssociationName<M, S>>(
    name: N,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Pred
  /** No associated record exists (satisfying `f` when given). */
  readonly notExists: <N extends Model.AssociationName<M, S>>(
    name: N,
    f?: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Pred
  /** Every associated record satisfies `f` (vacuously true with none; a NULL result counts as not satisfied). */
  readonly every: <N extends Model.AssociationName<M, S>>(
    name: N,
    f: Callback<M, Model.Target<M, S, N>>,
  ) => Pred.Pred
  /** The columns of the joined bindings. */
  readonly joined: { readonly [K in keyof J]: Refs<Model.Row<M, J[K]>> }
}

/**
 * @category model
 * @since 0.1.0
 */
export type Callback<M extends Model.AnyModel, S extends string> = (
  row: Refs<Model.Row<M, S>>,
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
        select: Select.create(
          { table: table.source, alias: rootAlias },
          Chain.outputs(model, schema, rootAlias),
        ),
        aliases: 1,
        joined: new Map<string, Binding>(),
        preload: {},
        errors: [],
      })
    },
    e => invalid(model, schema, e),
  )

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
          errors: [],
        })
      },
      e => invalid(model, c.target, e),
    )
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

// The column terms of a binding, built once per (model, schema, alias) and frozen.
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
        Expr.column(a, c, Column.jsonType(col)),
      ]),
    ),
  )
  bySchema.set(key, terms)
  return terms
}

const refs = (
  model: Model.AnyModel,
  schema: string,
  a: string,
  errors?: Array<QueryError.QueryError>,
): Readonly<Record<string, Pred.Term<unknown>>> => {
  const terms = termsOf(model, schema, a)
  // From untyped input a callback may read a column the schema does not have: the read is recorded as
  // an error of the query, so the query is refused instead of failing to compile later.
  return errors === undefined
    ? terms
    : new Proxy(terms, {
        get: (t, k) => {
          if (typeof k === 'string' && !Object.hasOwn(t, k))
            errors.push(QueryError.make('UnknownColumn', `schema '${schema}' has no column '${k}'`, schema))
          return Reflect.get(t, k)
        },
      })
}

// A callback's result from untyped code may be anything: only expressions built by Pred (branded by the
// AST companions; shape never counts) are accepted into a query, nested no deeper than `Expr.maxDepth`.
const checked = (e: unknown, schema: string, errors: Array<QueryError.QueryError>): Expr.Expr => {
  if (!Expr.isExpr(e)) {
    errors.push(
      QueryError.make(
        'InvalidArgument',
        'a where callback must return a predicate built with Pred or $.exists / $.notExists / $.every',
        schema,
      ),
    )
    return Expr.bool(false)
  }
  const depth = Expr.depth(e)
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
  const reason = Check.condition(e)
  if (reason !== undefined) {
    errors.push(QueryError.make('InvalidArgument', reason, schema))
    return Expr.bool(false)
  }
  return e
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
): Scope<Model.AnyModel, string, Joins> => {
  const sub = (
    name: string,
    f: Callback<Model.AnyModel, string> | undefined,
    negateInner: boolean,
  ): Expr.Expr => {
    const chain = Chain.fromPath(model, schema, [name])
    if (E.isLeft(chain)) {
      errors.push(chain.left)
      return Expr.bool(false)
    }
    const a = (i: number) => `e${depth}_${i}`
    let s = Chain.backward(model, chain.right, a, (first, col) =>
      Expr.eq(Expr.column(first, col), Expr.column(outer, chain.right.ownerCol)),
    )
    s = Select.set('distinct', false)(Select.set('columns', [])(s))
    if (f !== undefined) {
      const inner = checked(
        f(
          refs(model, chain.right.target, a(0), errors),
          scope(model, chain.right.target, depth + 1, a(0), new Map(), errors),
        ),
        chain.right.target,
        errors,
      )
      s = Select.withWhere(negateInner ? Expr.notTrue(inner) : inner)(s)
    }
    return Expr.exists(s)
  }
  // `joined` is a plain property, not a lazy getter: an object literal with a getter gets an accessor
  // pair and a map of its own per instance, which V8 keeps out of the young generation, so a `where` per
  // query filled the old generation with garbage (2-3 MB promoted per scavenge). Without joins it is an
  // empty view that only records unknown names.
  return {
    exists: (name, f) => sub(name, f, false),
    notExists: (name, f) => Expr.not(sub(name, f, false)),
    every: (name, f) => Expr.not(sub(name, f, true)),
    joined: new Proxy(
      joined.size === 0
        ? {}
        : Object.fromEntries([...joined].map(([k, b]) => [k, refs(model, b.schema, b.alias, errors)])),
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

/**
 * Adds a condition (a conjunct of its own). The callback gets the row's column terms and a scope with
 * `exists`, `notExists`, `every` over associations and the joined bindings.
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
  <M extends Model.AnyModel, S extends string, P, J extends Joins>(
    f: (row: Refs<Model.Row<M, S>>, $: Scope<M, S, J>) => Pred.Pred,
  ) =>
  (q: Query<M, S, P, J>): Query<M, S, P, J> => {
    if (!isQuery(q)) return notAQuery('where', q) as never
    if (typeof f !== 'function')
      return make({
        ...q,
        errors: [
          ...q.errors,
          invalidArgument('where', `expected a callback (row, $) => predicate, got ${show(f)}`, q.schema),
        ],
      })
    return guardOn('where', q, () => {
      const errors: Array<QueryError.QueryError> = []
      const r = refs(q.model, q.schema, rootAlias, errors) as Refs<Model.Row<M, S>>
      const e = checked(
        f(r, scope(q.model, q.schema, 1, rootAlias, q.joined, errors) as unknown as Scope<M, S, J>),
        q.schema,
        errors,
      )
      return make({ ...q, select: Select.withWhere(e)(q.select), errors: [...q.errors, ...errors] })
    })
  }

/**
 * Joins an association (`inner` by default, or `left`) under its name; its filters go in the ON. The
 * rows stay the root's rows (a has-many join repeats them, as SQL does); the joined columns are
 * available to later `where` callbacks as `$.joined[name]`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const join =
  <M extends Model.AnyModel, S extends string, const N extends Model.AssociationName<M, S>>(
    name: N,
    kind: 'inner' | 'left' = 'inner',
  ) =>
  <P, J extends Joins>(
    q: Query<M, S, P, J>,
  ): Query<M, S, P, J & { readonly [K in N]: Model.Target<M, S, N> }> => {
    type Out = Query<M, S, P, J & { readonly [K in N]: Model.Target<M, S, N> }>
    if (!isQuery(q)) return notAQuery('join', q) as never
    return guardOn('join', q, () => {
      if (kind !== 'inner' && kind !== 'left')
        return make({
          ...q,
          errors: [
            ...q.errors,
            invalidArgument('join', `the kind of a join is 'inner' or 'left', got ${show(kind)}`, q.schema),
          ],
        })
      const chain = Chain.fromPath(q.model, q.schema, [name])
      if (E.isLeft(chain)) return make({ ...q, errors: [...q.errors, chain.left] })
      if (q.joined.has(name))
        return make({
          ...q,
          errors: [
            ...q.errors,
            QueryError.make('InvalidArgument', `association '${name}' is joined twice`, q.schema, name),
          ],
        })
      const { joins, targetAlias } = Chain.forward(chain.right, rootAlias, kind, i => alias(q.aliases + i))
      const joined = new Map(q.joined)
      joined.set(name, { alias: targetAlias, schema: chain.right.target })
      return make({
        ...q,
        select: Select.withJoins(joins)(q.select),
        aliases: q.aliases + joins.length,
        joined,
      })
    }) as unknown as Out
  }

/**
 * Appends order terms: column names (ascending) or `[direction, column]`, with the directions of
 * `preloadOrder` (`asc`, `desc`, `asc_nulls_first`, ...).
 *
 * @category combinators
 * @since 0.1.0
 */
export const orderBy =
  <M extends Model.AnyModel, S extends string>(
    items: ReadonlyArray<A.OrderItem<keyof Model.Row<M, S> & string>>,
  ) =>
  <P, J extends Joins>(q: Query<M, S, P, J>): Query<M, S, P, J> => {
    if (!isQuery(q)) return notAQuery('orderBy', q) as never
    return guardOn('orderBy', q, () => {
      if (!Array.isArray(items))
        return make({
          ...q,
          errors: [
            ...q.errors,
            invalidArgument('orderBy', `expected a list of order terms, got ${show(items)}`, q.schema),
          ],
        })
      const terms: Array<Select.OrderTerm> = []
      for (const item of items as ReadonlyArray<unknown>) {
        // items may come from untyped input: anything but a column name or a [direction, column] pair is refused
        const [dir, column]: readonly [unknown, unknown] =
          typeof item === 'string' ? ['asc', item] : Array.isArray(item) ? [item[0], item[1]] : [null, null]
        const d = A.direction(dir)
        const known =
          typeof column === 'string' && Model.table(q.model, q.schema)?.columns.has(column) === true
        if (d === undefined || !known)
          return make({
            ...q,
            errors: [
              ...q.errors,
              QueryError.make(
                d !== undefined && typeof column === 'string' ? 'UnknownColumn' : 'InvalidArgument',
                // `show`, not JSON.stringify: an item may hold a BigInt or a cycle (issue 13, item 13)
                `cannot order by ${show(item)}${d !== undefined && typeof column === 'string' ? `: schema '${q.schema}' has no column '${column}'` : ''}`,
                q.schema,
              ),
            ],
          })
        terms.push({ expr: Expr.column(rootAlias, column as string), ...d })
      }
      return make({ ...q, select: Select.withOrder(terms)(q.select) })
    })
  }

const count = (what: string, n: unknown, schema: string): E.Either<QueryError.QueryError, number> =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
    ? E.right(n)
    : E.left(
        QueryError.make('InvalidArgument', `${what} expects a whole number >= 0, got ${show(n)}`, schema),
      )

/**
 * @category combinators
 * @since 0.1.0
 */
export const limit =
  (n: number) =>
  <Q extends AnyQuery>(q: Q): Q => {
    if (!isQuery(q)) return notAQuery('limit', q) as never
    const c = count('limit', n, q.schema)
    return E.isLeft(c)
      ? make({ ...q, errors: [...q.errors, c.left] })
      : make({ ...q, select: Select.set('limit', O.some(c.right))(q.select) })
  }

/**
 * @category combinators
 * @since 0.1.0
 */
export const offset =
  (n: number) =>
  <Q extends AnyQuery>(q: Q): Q => {
    if (!isQuery(q)) return notAQuery('offset', q) as never
    const c = count('offset', n, q.schema)
    return E.isLeft(c)
      ? make({ ...q, errors: [...q.errors, c.left] })
      : make({ ...q, select: Select.set('offset', O.some(c.right))(q.select) })
  }

/**
 * @category combinators
 * @since 0.1.0
 */
export const distinct =
  (on = true) =>
  <Q extends AnyQuery>(q: Q): Q => {
    if (!isQuery(q)) return notAQuery('distinct', q) as never
    return typeof on === 'boolean'
      ? make({ ...q, select: Select.set('distinct', on)(q.select) })
      : make({
          ...q,
          errors: [
            ...q.errors,
            invalidArgument('distinct', `expected true or false, got ${show(on)}`, q.schema),
          ],
        })
  }

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
  <M extends Model.AnyModel, S extends string, P0, J extends Joins>(
    q: Query<M, S, P0, J> & Spec.Valid<M, S, P>,
  ): Query<M, S, P0 & P, J> => {
    if (!isQuery(q)) return notAQuery('preload', q) as never
    const base: Query<M, S, P0, J> = q
    return guardOn('preload', base as unknown as Query<M, S, P0 & P, J>, () => {
      const merged = Spec.concat(base.preload, spec) as P0 & P
      // A spec value of the query's own (not the caller's object): its normal form is kept for the run.
      const checked =
        typeof merged === 'object' && merged !== null && merged !== spec && merged !== base.preload
          ? Spec.normalizeOwn(base.model, base.schema, merged)
          : Spec.normalize(base.model, base.schema, merged)
      return make({
        ...base,
        preload: merged,
        errors: E.isLeft(checked) ? [...base.errors, checked.left] : base.errors,
      })
    })
  }

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The SQL of a query, with no database: `{ text, params }`, or the query's first error.
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
    return E.right(Sql.toSql(q.select))
  } catch (u) {
    return E.left(
      invalidArgument('toSql', `the query's select could not be compiled: ${Invalid.describe(u)}`, q.schema),
    )
  }
}

export * from './Statements.js'
