/**
 * Preload specs: what the user writes (`{ comments: { author: true }, permalink: true }`, with
 * `Preload.query(...)` for a custom filter, order and per-parent limit), and its normal form, a tree of
 * `Node`s with every association resolved, every through rewritten into its hops, and equal keys merged.
 * The normal form is what the planner and both strategies work from; untyped input that names an
 * association the model does not have is a `QueryError` naming schema and association.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Expr from '../ast/Expr.js'
import * as SelectAst from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as A from '../schema/Association.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The options of a custom preload query. `where` uses the filter values of association `where`
 * options (a value, `null`, `Schema.notNull`, `Schema.isIn([...])`, `Schema.fragment`...`), `orderBy`
 * the items of `preloadOrder`; `limit` and `offset` apply per parent (top-N per parent). On a through
 * association `where` and `orderBy` go to its last hop, `limit`/`offset` cut the walked value, and
 * `hops: 'hide'` leaves the intermediate associations off the rows (they are shown by default, as in
 * Ecto).
 *
 * @category model
 * @since 0.1.0
 */
export interface QueryOptions {
  readonly where?: A.Where
  readonly orderBy?: ReadonlyArray<A.OrderItem>
  readonly limit?: CountOption
  readonly offset?: CountOption
  readonly hops?: 'show' | 'hide'
}

/**
 * A per-parent `limit` or `offset`: a whole number >= 0, or in a prepared query a placeholder term of
 * numbers (its value is checked on each run, before anything is sent). A through association's window,
 * cut from the walked value in memory, and a to-one's (which keeps at most one row) read the run's
 * value (`Prepared.bindCounts`).
 *
 * @category model
 * @since 0.2.0
 */
export type CountOption = number | (Expr.Expr & { readonly __type?: number })

/**
 * A query value given as a preload's custom query (`Preload.query(Query.from(model, 'comment') ...)`),
 * read by the query layer into what the planner needs: the model and schema it is over, its select
 * (joins, filters, order, relation aggregates as correlated subqueries; its `limit` and `offset` apply
 * per parent) and its first error. Recognised by identity.
 *
 * @category model
 * @since 0.2.0
 */
export interface FromQuery<S extends string = string, R = unknown> {
  readonly _tag: 'FromQuery'
  readonly model: Model.AnyModel
  readonly schema: S
  readonly select: SelectAst.Select
  /** The query's first error, or a reason the planner cannot use it (a grouping). */
  readonly error: O.Option<QueryError.QueryError>
  /** A projection's outputs (`Query.select`): the child rows are then its rows. `none`: whole rows. */
  readonly outputs: O.Option<ReadonlyArray<Output>>
  /**
   * On a through association: whether the intermediate associations are left off the rows, as the
   * `hops` option of `QueryOptions` says (`Preload.query(q, nested, { hops: 'hide' })`).
   */
  readonly hops?: 'show' | 'hide'
  /** The type of a projection's rows (`unknown`: whole rows); never set. */
  readonly _R?: R
}

/**
 * The options a preload query given as a query value takes besides the query: on a through
 * association, `hops` (see `QueryOptions`).
 *
 * @category model
 * @since 0.2.0
 */
export interface FromQueryOptions {
  readonly hops?: 'show' | 'hide'
}

/**
 * One output of a preload query's projection: its name, its decoder, what it expects (for errors) and
 * whether it crosses the lateral strategy's JSON as text (a `bigint` or `numeric` term, as the driver
 * returns it at the top level).
 *
 * @category model
 * @since 0.2.0
 */
export interface Output {
  readonly name: string
  readonly decode: (u: unknown) => unknown
  readonly expected: string
  readonly asText: boolean
}

/**
 * A preload query's projection in normal form: each output read from the private column `column` of
 * the child rows (`__s<i>`), decoded, under its name; the child rows keep only these outputs and their
 * own associations (the target's columns are read for keys and nested preloads, never returned).
 *
 * @category model
 * @since 0.2.0
 */
export interface Projected extends Output {
  readonly column: string
  /**
   * The output is a column of the target itself (`c.body`): read from the decoded row under that
   * column's name (`column`), not from a private one.
   */
  readonly own: boolean
}

/**
 * One output of a join-preload's projection in normal form: a column of the target (`own`), or a
 * computed output (`computed`: its expression over the projection's root binding `alias`), which the
 * root statement computes over the joined binding and the child rows carry under the private name
 * `column` (no column or association of the target has it) until the projection is shown.
 *
 * @category model
 * @since 0.2.0
 */
export interface JoinedOutput extends Projected {
  readonly computed?: { readonly expr: Expr.Expr; readonly alias: string }
}

/**
 * A custom preload query with the nested spec to load under its rows: a plain value, recognised by
 * identity (only `query` and the spec merge make one), never by its `_tag`.
 *
 * @category model
 * @since 0.1.0
 */
export interface PreloadQuery<Q extends QueryOptions | FromQuery = QueryOptions, N = {}> {
  readonly _tag: 'PreloadQuery'
  readonly options: Q
  readonly preload: N
}

/**
 * A join-preload: the association is filled from the rows of a binding the query already joins (Ecto's
 * `preload: [comments: c]` after `join: c in assoc(p, :comments)`), `binding` its name (the
 * association's name when not given), with a nested spec loaded under its rows, and, when `select` is
 * given (a projection over the target, `Query.select`, read by the query layer), child rows of that
 * projection's outputs (type `R`: columns and expressions over the row) instead of whole rows.
 * Recognised by identity.
 *
 * @category model
 * @since 0.2.0
 */
export interface PreloadJoined<
  B extends string | undefined = string | undefined,
  N = {},
  R = unknown,
  S extends string = string,
> {
  readonly _tag: 'PreloadJoined'
  readonly binding: B
  readonly preload: N
  readonly select?: FromQuery<S, R>
}

/**
 * What one association of a spec accepts: `true`, a nested spec, a `PreloadQuery` or a `PreloadJoined`.
 *
 * @category model
 * @since 0.1.0
 */
export type Value =
  true | PreloadQuery<QueryOptions | FromQuery, unknown> | PreloadJoined<string | undefined, unknown> | Input

/**
 * An untyped spec: association name -> value.
 *
 * @category model
 * @since 0.1.0
 */
export interface Input {
  readonly [name: string]: Value
}

/**
 * A custom query in normal form (every column checked against the target schema).
 *
 * @category model
 * @since 0.1.0
 */
export interface Custom {
  readonly where: ReadonlyArray<Model.Filter>
  /** `some` replaces the association's `preloadOrder`. */
  readonly orderBy: O.Option<ReadonlyArray<Model.Order>>
  readonly limit: O.Option<Expr.Count>
  readonly offset: O.Option<Expr.Count>
  /**
   * From a query value: the select the target rows are read from (a derived table under the first
   * alias: the target's columns plus the terms `orderBy` names as `__o<i>`), its joins, filters and
   * relation aggregates inside. `none`: the target's table.
   */
  readonly from: O.Option<SelectAst.Select>
  /** A projection of the query value (`from` then carries its outputs as `__s<i>`). */
  readonly project: O.Option<ReadonlyArray<Projected>>
}

/**
 * One association to load on the rows of `owner`. A through node loads nothing itself: its hops are
 * sibling nodes (merged with whatever the spec asks for them), and its value is walked from them.
 *
 * @category model
 * @since 0.1.0
 */
export interface Node {
  readonly name: string
  readonly owner: string
  readonly assoc: Model.Resolved
  readonly custom: Custom
  readonly children: ReadonlyArray<Node>
  /** Loaded only as a hop of throughs that hide their hops: removed from the rows once they are walked. */
  readonly hidden: boolean
  /** A join-preload: the name of the query's binding its rows come from. */
  readonly joined: O.Option<string>
  /**
   * A join-preload's projection (`Preload.joined(binding, nested, projection)`): each output a column
   * of the target (`own`) or computed over the joined row (`JoinedOutput.computed`), the child rows
   * holding only these and their associations.
   */
  readonly joinedProject?: ReadonlyArray<JoinedOutput>
}

// -------------------------------------------------------------------------------------
// type-level checks
// -------------------------------------------------------------------------------------

type ColumnOf<M extends Model.AnyModel, T extends string> = keyof Model.Row<M, T> & string

type OrderColumn<I> = I extends readonly [string, infer C] ? C : I

type QueryProblems<M extends Model.AnyModel, T extends string, Q, At extends string> =
  | (Q extends { readonly where: infer W }
      ? Exclude<keyof W & string, ColumnOf<M, T>> extends infer C extends string
        ? [C] extends [never]
          ? never
          : `preload ${At}: where: '${C}' is not a column of schema '${T}'`
        : never
      : never)
  | (Q extends { readonly orderBy: ReadonlyArray<infer I> }
      ? Exclude<OrderColumn<I> & string, ColumnOf<M, T>> extends infer C extends string
        ? [C] extends [never]
          ? never
          : `preload ${At}: orderBy: '${C}' is not a column of schema '${T}'`
        : never
      : never)

type FromQueryProblems<T extends string, Q, At extends string> =
  Q extends FromQuery<infer S>
    ? [S] extends [T]
      ? never
      : `preload ${At}: the query is over schema '${S}', not '${T}'`
    : never

type ValueProblems<M extends Model.AnyModel, T extends string, V, At extends string> = V extends true
  ? never
  : V extends PreloadJoined<string | undefined, infer N, unknown, infer S>
    ? | (string extends S
          ? never
          : [S] extends [T]
            ? never
            : `preload ${At}: the projection is over schema '${S}', not '${T}'`)
      | Problems<M, T, N, At>
    : V extends PreloadQuery<infer Q, infer N>
      ? Q extends FromQuery
        ? FromQueryProblems<T, Q, At> | Problems<M, T, N, At>
        : QueryProblems<M, T, Q, At> | Problems<M, T, N, At>
      : Problems<M, T, V, At>

/**
 * The problems of a spec on schema `S`, as messages (never when there is none).
 *
 * @category type-level checks
 * @since 0.1.0
 */
export type Problems<M extends Model.AnyModel, S extends string, P, At extends string = S> = {
  readonly [K in keyof P & string]: K extends Model.AssociationName<M, S>
    ? ValueProblems<M, Model.Target<M, S, K>, P[K], `${At}.${K}`>
    : `preload ${At}: schema '${S}' has no association '${K}'`
}[keyof P & string]

/**
 * `unknown` for a valid spec; otherwise a type no query has, whose one property names the problem
 * (so a misspelled association is a compile error that says which).
 *
 * @category type-level checks
 * @since 0.1.0
 */
export type Valid<M extends Model.AnyModel, S extends string, P> = [Problems<M, S, P>] extends [never]
  ? unknown
  : { readonly 'invalid preload': Problems<M, S, P> }

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A custom preload query, with an optional nested spec.
 *
 * @example
 * import { Preload } from 'quiver-sql'
 * // Query.preload({ comments: Preload.query({ where: { public: true }, orderBy: [['desc', 'id']], limit: 3 }, { author: true }) })
 * const q = Preload.query({ limit: 3 }, { author: true })
 * assert.strictEqual(q.options.limit, 3)
 *
 * @category constructors
 * @since 0.1.0
 */
export function query<const Q extends QueryOptions>(options: Q): PreloadQuery<Q, {}>
export function query<const Q extends QueryOptions, const N extends Input>(
  options: Q,
  preload: N,
): PreloadQuery<Q, N>
export function query(options: QueryOptions, preload: Input = {}): PreloadQuery<QueryOptions, Input> {
  return made(Object.freeze({ _tag: 'PreloadQuery' as const, options, preload }))
}

/**
 * A join-preload (see `PreloadJoined`), with an optional nested spec.
 *
 * @example
 * import { Preload } from 'quiver-sql'
 * // pipe(Query.from(Blog, 'post'), Query.join('comments', 'left'), Query.preload({ comments: Preload.joined() }))
 * assert.strictEqual(Preload.joined('c', { author: true }).binding, 'c')
 *
 * @category constructors
 * @since 0.2.0
 */
export function joined(): PreloadJoined<undefined, {}>
export function joined<const B extends string>(binding: B): PreloadJoined<B, {}>
export function joined<const N extends Input>(preload: N): PreloadJoined<undefined, N>
export function joined<const B extends string | undefined, const N extends Input>(
  binding: B,
  preload: N,
): PreloadJoined<B, N>
export function joined<const B extends string | undefined, const N extends Input, R, S extends string>(
  binding: B,
  preload: N,
  select: FromQuery<S, R>,
): PreloadJoined<B, N, R, S>
export function joined(
  binding?: unknown,
  preload: Input = {},
  select?: FromQuery,
): PreloadJoined<string | undefined, Input> {
  // `joined({ author: joined() })`: the default binding, with a nested spec.
  // (`typeof` only: junk such as a proxy that throws on every trap is not read here.)
  if (typeof binding === 'object' && binding !== null)
    return made(
      Object.freeze({ _tag: 'PreloadJoined' as const, binding: undefined, preload: binding as Input }),
    )
  return made(
    Object.freeze({
      _tag: 'PreloadJoined' as const,
      binding: binding as string | undefined,
      preload,
      ...(select === undefined ? {} : { select }),
    }),
  )
}

/**
 * Whether a value is a join-preload made by `joined`.
 *
 * @category utils
 * @since 0.2.0
 */
export const isPreloadJoined = (u: unknown): u is PreloadJoined<string | undefined, unknown> =>
  isOurs(u, 'PreloadJoined')

// Preload queries and merge conflicts made here, by identity: a value in a spec from JSON or untyped
// code shaped like one (`{ _tag: 'PreloadQuery', options: {...}, preload: {...} }`) is a nested spec
// like any other object, so its keys are association names (and `_tag` is none).
const ours = new WeakSet<object>()
const made = <A extends object>(a: A): A => {
  ours.add(a)
  return a
}

/**
 * Whether a value is a preload query made by `query` (not merely shaped like one).
 *
 * @category utils
 * @since 0.1.0
 */
export const isPreloadQuery = (u: unknown): u is PreloadQuery<QueryOptions | FromQuery, unknown> =>
  isOurs(u, 'PreloadQuery')

/**
 * A preload query's options read from a query value (by the query layer, `Preload.query`): the value
 * is recognised by identity afterwards.
 *
 * @category constructors
 * @since 0.2.0
 */
export const fromQuery = <S extends string>(q: Omit<FromQuery<S>, '_tag'>): FromQuery<S> =>
  made(Object.freeze({ _tag: 'FromQuery' as const, ...q }))

/**
 * Whether a value is a query's options made by `fromQuery`.
 *
 * @category utils
 * @since 0.2.0
 */
export const isFromQuery = (u: unknown): u is FromQuery => isOurs(u, 'FromQuery')

// A key given twice with different queries, left by `concat` for `normalize` to report.
const isConflict = (u: unknown): boolean => isOurs(u, 'PreloadConflict')

const isOurs = (u: unknown, tag: string): boolean =>
  typeof u === 'object' && u !== null && ours.has(u) && (u as { readonly _tag?: unknown })._tag === tag

const noCustom: Custom = Object.freeze({
  where: [],
  orderBy: O.none,
  limit: O.none,
  offset: O.none,
  from: O.none,
  project: O.none,
})

// Before resolution: a level is a map name -> entry; expansions of throughs merge into it.
interface Raw {
  readonly custom: QueryOptions | FromQuery | null
  readonly nested: ReadonlyMap<string, Raw>
  readonly hidden: boolean
  /** For a through: hide its hops. */
  readonly hide: boolean
  readonly expanded: boolean
  /** A join-preload's binding name. */
  readonly joined?: string
  /** A join-preload's projection. */
  readonly joinedSelect?: FromQuery
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !(u instanceof Date)

const bad = (schema: string, name: string | null, message: string) =>
  E.left(QueryError.make('InvalidArgument', message, schema, name))

// Structural equality of two queries' options, total over any value (a BigInt, a cycle, a Date):
// deep enough for any real query, and a value nested past that limit counts as different.
const sameValue = (a: unknown, b: unknown, depth: number): boolean => {
  if (Object.is(a, b)) return true
  if (depth > 32 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime())
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b))
    return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return (
    ka.length === kb.length &&
    ka.every(
      k =>
        Object.hasOwn(b, k) &&
        sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1),
    )
  )
}

// A query value is the same only as itself (its select is built afresh by every pipe).
const sameQuery = (a: QueryOptions | FromQuery, b: QueryOptions | FromQuery): boolean =>
  isFromQuery(a) || isFromQuery(b) ? a === b : sameValue(a, b, 0)

const merge = (schema: string, name: string, a: Raw, b: Raw): E.Either<QueryError.QueryError, Raw> => {
  if (a.custom !== null && b.custom !== null && !sameQuery(a.custom, b.custom))
    return bad(
      schema,
      name,
      `cannot preload '${name}' of schema '${schema}': it is given more than once with different queries`,
    )
  const nested = mergeLevels(schema, a.nested, b.nested)
  if (E.isLeft(nested)) return nested
  if (a.joined !== undefined && b.joined !== undefined && a.joined !== b.joined)
    return bad(
      schema,
      name,
      `cannot preload '${name}' of schema '${schema}': it is joined-preloaded from two bindings ('${a.joined}', '${b.joined}')`,
    )
  const joined = a.joined ?? b.joined
  if (a.joinedSelect !== undefined && b.joinedSelect !== undefined && a.joinedSelect !== b.joinedSelect)
    return bad(
      schema,
      name,
      `cannot preload '${name}' of schema '${schema}': it is joined-preloaded with two different projections`,
    )
  const joinedSelect = a.joinedSelect ?? b.joinedSelect
  return E.right({
    custom: a.custom ?? b.custom,
    nested: nested.right,
    hidden: a.hidden && b.hidden,
    hide: a.hide && b.hide,
    expanded: a.expanded && b.expanded,
    ...(joined === undefined ? {} : { joined }),
    ...(joinedSelect === undefined ? {} : { joinedSelect }),
  })
}

const mergeLevels = (
  schema: string,
  a: ReadonlyMap<string, Raw>,
  b: ReadonlyMap<string, Raw>,
): E.Either<QueryError.QueryError, ReadonlyMap<string, Raw>> => {
  const out = new Map(a)
  for (const [k, v] of b) {
    const prev = out.get(k)
    if (prev === undefined) out.set(k, v)
    else {
      const m = merge(schema, k, prev, v)
      if (E.isLeft(m)) return m
      out.set(k, m.right)
    }
  }
  return E.right(out)
}

// `prefix`: the association path to this level (`comments.`), the default binding of a nested
// join-preload being its path (`comments.author`, the name `Query.join(['comments', 'author'])` gives).
const parse = (
  schema: string,
  input: unknown,
  prefix = '',
): E.Either<QueryError.QueryError, ReadonlyMap<string, Raw>> => {
  if (!isRecord(input) || isPreloadQuery(input))
    return bad(
      schema,
      null,
      `invalid preload spec for schema '${schema}': expected an object of association names`,
    )
  const out = new Map<string, Raw>()
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    if (value === true) {
      out.set(name, { custom: null, nested: new Map(), hidden: false, hide: false, expanded: false })
      continue
    }
    if (isConflict(value))
      return bad(
        schema,
        name,
        `cannot preload '${name}' of schema '${schema}': it is given more than once with different queries`,
      )
    if (isPreloadQuery(value)) {
      const options: unknown = value.options
      if (!isRecord(options))
        return bad(schema, name, `invalid preload query for '${name}' of schema '${schema}'`)
      const nested = parse(schema, value.preload ?? {}, `${prefix}${name}.`)
      if (E.isLeft(nested)) return nested
      out.set(name, {
        custom: isFromQuery(options) ? options : (options as QueryOptions),
        nested: nested.right,
        hidden: false,
        hide: (isFromQuery(options) ? options.hops : options['hops']) === 'hide',
        expanded: false,
      })
      continue
    }
    if (isPreloadJoined(value)) {
      const binding: unknown = value.binding ?? `${prefix}${name}`
      if (typeof binding !== 'string')
        return bad(
          schema,
          name,
          `invalid join-preload of '${name}' of schema '${schema}': ${show(binding)} is not a binding name`,
        )
      const select: unknown = value.select
      if (select !== undefined && !isFromQuery(select))
        return bad(
          schema,
          name,
          `invalid join-preload of '${name}' of schema '${schema}': its projection must be a query with Query.select, got ${show(select)}`,
        )
      const nested = parse(schema, value.preload ?? {}, `${prefix}${name}.`)
      if (E.isLeft(nested)) return nested
      out.set(name, {
        custom: null,
        nested: nested.right,
        hidden: false,
        hide: false,
        expanded: false,
        joined: binding,
        ...(select === undefined ? {} : { joinedSelect: select }),
      })
      continue
    }
    if (isRecord(value)) {
      const nested = parse(schema, value, `${prefix}${name}.`)
      if (E.isLeft(nested)) return nested
      out.set(name, { custom: null, nested: nested.right, hidden: false, hide: false, expanded: false })
      continue
    }
    return bad(
      schema,
      name,
      `invalid preload of '${name}' in schema '${schema}': expected true, a nested spec or Preload.query(...), got ${show(value)}`,
    )
  }
  return E.right(out)
}

const unknownAssociation = (schema: string, name: string) =>
  E.left(
    QueryError.make('UnknownAssociation', `schema '${schema}' has no association '${name}'`, schema, name),
  )

// Rewrites every through of a level into its hops (Ecto's rewriting): `commentsAuthors` adds
// `comments: { author: <the through's where/order and nested spec> }`, merged with the level.
const expand = (
  model: Model.AnyModel,
  schema: string,
  level: ReadonlyMap<string, Raw>,
): E.Either<QueryError.QueryError, ReadonlyMap<string, Raw>> => {
  let current = level
  for (;;) {
    const next = [...current].find(
      ([name, raw]) => !raw.expanded && Model.association(model, schema, name)?._tag === 'Through',
    )
    if (next === undefined) return E.right(current)
    const [name, raw] = next
    const assoc = Model.association(model, schema, name) as Model.ResolvedThrough
    const hopQuery: QueryOptions | FromQuery | null =
      raw.custom === null
        ? null
        : isFromQuery(raw.custom)
          ? hopOf(raw.custom)
          : raw.custom.where === undefined && raw.custom.orderBy === undefined
            ? null
            : {
                ...(raw.custom.where === undefined ? {} : { where: raw.custom.where }),
                ...(raw.custom.orderBy === undefined ? {} : { orderBy: raw.custom.orderBy }),
              }
    let tail: Raw = {
      custom: hopQuery,
      nested: raw.nested,
      hidden: raw.hide,
      hide: raw.hide,
      expanded: false,
    }
    for (let i = assoc.path.length - 1; i > 0; i--)
      tail = {
        custom: null,
        nested: new Map([[assoc.path[i] as string, tail]]),
        hidden: raw.hide,
        hide: raw.hide,
        expanded: false,
      }
    const self: Raw = { ...raw, nested: new Map(), expanded: true }
    const merged = mergeLevels(
      schema,
      new Map([...current].map(([k, v]) => [k, k === name ? self : v])),
      new Map([[assoc.path[0] as string, tail]]),
    )
    if (E.isLeft(merged)) return merged
    current = merged.right
  }
}

// A through's query on its last hop: its joins, filters and order; its limit and offset cut the walk.
const hopOf = (q: FromQuery): FromQuery => {
  const hit = hops.get(q)
  if (hit !== undefined) return hit
  // `hops` is the through's, not its last hop's.
  const h = fromQuery({
    model: q.model,
    schema: q.schema,
    select: SelectAst.set('limit', O.none)(SelectAst.set('offset', O.none)(q.select)),
    error: q.error,
    outputs: q.outputs,
  })
  hops.set(q, h)
  return h
}
const hops = new WeakMap<FromQuery, FromQuery>()

const scalar = (u: unknown): boolean =>
  typeof u === 'string' || typeof u === 'number' || typeof u === 'boolean' || u instanceof Date

// The markers are recognised by their brand: a value shaped like one (`{ _tag: 'WhereNotNull' }` from
// JSON) is a plain value, and then not one a column accepts.
const condition = (value: unknown): Model.Condition | null => {
  if (value === null) return { _tag: 'IsNull' }
  if (scalar(value)) return { _tag: 'Eq', value }
  if (A.isNotNull(value)) return { _tag: 'NotNull' }
  if (A.isWhereIn(value)) {
    const values: unknown = value.values
    return Array.isArray(values) && values.every(scalar) ? { _tag: 'In', values } : null
  }
  if (A.isFragment(value)) {
    const { strings, args } = value
    if (!Array.isArray(strings) || !Array.isArray(args)) return null
    if (args.filter(A.isSelf).length !== 1) return null
    return {
      _tag: 'Fragment',
      strings,
      args: args.map(a => (A.isSelf(a) ? { _tag: 'Self' } : { _tag: 'Value', value: a })),
    }
  }
  return null
}

// A value its column's codec rejects can never equal a stored value: a typed error, not an empty load.
const rejectedValue = (column: Column.Column<unknown>, c: Model.Condition): O.Option<unknown> => {
  const decode = Column.fastDecoder(column.codec)
  const rejects = (v: unknown): boolean => {
    try {
      return decode(v) === Column.invalid
    } catch {
      return true
    }
  }
  switch (c._tag) {
    case 'Eq':
      return rejects(c.value) ? O.some(c.value) : O.none
    case 'In':
      return O.fromNullable(c.values.find(rejects))
    case 'IsNull':
    case 'NotNull':
    case 'Fragment':
      return O.none
  }
}

const count = (
  schema: string,
  name: string,
  option: string,
  n: unknown,
): E.Either<QueryError.QueryError, O.Option<Expr.Count>> =>
  n === undefined
    ? E.right(O.none)
    : typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
      ? E.right(O.some(n))
      : Expr.isExpr(n) && n._tag === 'Param' && Expr.isPlaceholder(n.value)
        ? E.right(O.some(n.value))
        : bad(
            schema,
            name,
            `preload '${name}' of schema '${schema}': ${option} expects a whole number >= 0 or a prepared query's placeholder, got ${show(n)}`,
          )

const resolveCustom = (
  model: Model.AnyModel,
  schema: string,
  name: string,
  assoc: Model.Resolved,
  q: QueryOptions | FromQuery | null,
): E.Either<QueryError.QueryError, Custom> => {
  if (q === null) return E.right(noCustom)
  if (isFromQuery(q)) return resolveQuery(model, schema, name, assoc, q)
  // `hops` is an option of through associations only, and is listed only for them.
  const known = ['where', 'orderBy', 'limit', 'offset', ...(assoc._tag === 'Through' ? ['hops'] : [])]
  for (const k of Object.keys(q))
    if (!known.includes(k))
      return bad(
        schema,
        name,
        `preload '${name}' of schema '${schema}': unknown option '${k}'; expected one of ${known.join(', ')}`,
      )
  if (q.hops !== undefined && (assoc._tag !== 'Through' || (q.hops !== 'show' && q.hops !== 'hide')))
    return bad(
      schema,
      name,
      `preload '${name}' of schema '${schema}': 'hops' ('show' | 'hide') applies to through associations only`,
    )
  const table = Model.table(model, assoc.target)
  const has = (c: unknown): c is string => typeof c === 'string' && (table?.columns.has(c) ?? false)
  const where: Array<Model.Filter> = []
  if (q.where !== undefined) {
    if (!isRecord(q.where))
      return bad(
        schema,
        name,
        `preload '${name}' of schema '${schema}': where expects an object of column filters`,
      )
    for (const [column, v] of Object.entries(q.where)) {
      if (!has(column))
        return E.left(
          QueryError.make(
            'UnknownColumn',
            `preload '${name}' of schema '${schema}': where: '${column}' is not a column of schema '${assoc.target}'`,
            schema,
            name,
          ),
        )
      const c = condition(v)
      if (c === null)
        return bad(
          schema,
          name,
          `preload '${name}' of schema '${schema}': where.${column}: invalid filter ${show(v)}; expected null, Schema.notNull, Schema.isIn([...]), Schema.fragment\`...\` or a plain value`,
        )
      const col = table?.columns.get(column)
      const rejected = col === undefined ? O.none : rejectedValue(col, c)
      if (O.isSome(rejected))
        return bad(
          schema,
          name,
          `preload '${name}' of schema '${schema}': where.${column}: ${show(rejected.value)} is not a value of column '${assoc.target}.${column}' (${col?.sqlType ?? col?.codec.name ?? 'unknown'})`,
        )
      const json = Column.jsonType(col)
      where.push({ column, condition: c, ...(json === undefined ? {} : { json }) })
    }
  }
  let orderBy: O.Option<ReadonlyArray<Model.Order>> = O.none
  if (q.orderBy !== undefined) {
    if (!Array.isArray(q.orderBy))
      return bad(schema, name, `preload '${name}' of schema '${schema}': orderBy expects a list`)
    const out: Array<Model.Order> = []
    for (const item of q.orderBy as ReadonlyArray<unknown>) {
      const [dir, column] = Array.isArray(item) ? [item[0], item[1]] : ['asc', item]
      const d = A.direction(dir)
      if (d === undefined || !has(column))
        return bad(
          schema,
          name,
          `preload '${name}' of schema '${schema}': cannot order by ${show(item)}; expected a column of schema '${assoc.target}' or [direction, column] with a direction of ${A.directionNames.join(', ')}`,
        )
      out.push({ column, ...d })
    }
    orderBy = O.some(out)
  }
  const limit = count(schema, name, 'limit', q.limit)
  if (E.isLeft(limit)) return limit
  const offset = count(schema, name, 'offset', q.offset)
  if (E.isLeft(offset)) return offset
  // On a through, where/orderBy were moved to the last hop.
  return E.right(
    assoc._tag === 'Through'
      ? {
          where: [],
          orderBy: O.none,
          limit: limit.right,
          offset: offset.right,
          from: O.none,
          project: O.none,
        }
      : { where, orderBy, limit: limit.right, offset: offset.right, from: O.none, project: O.none },
  )
}

// A join-preload's projection: a query over the association's target in the same model whose outputs
// are columns of the target or expressions over its row, and nothing else (the rows are the joined
// binding's: a filter, an order or a join belongs to the query's own join). A computed output is kept
// with its expression, which the query layer checks and reads over the joined binding (`Joined.rootOf`).
const joinedProjection = (
  model: Model.AnyModel,
  schema: string,
  name: string,
  assoc: Model.Resolved,
  q: FromQuery,
): E.Either<QueryError.QueryError, ReadonlyArray<JoinedOutput>> => {
  const at = `cannot join-preload '${name}' of schema '${schema}'`
  if (O.isSome(q.error)) {
    const e = q.error.value
    return E.left(QueryError.make(e.code, `${at}: ${e.message}`, schema, name))
  }
  if (q.model !== model)
    return bad(schema, name, `${at}: the projection is over another model than the query it preloads under`)
  if (q.schema !== assoc.target)
    return bad(
      schema,
      name,
      `${at}: the projection is over schema '${q.schema}', not the association's target '${assoc.target}'`,
    )
  const s = q.select
  if (O.isNone(q.outputs))
    return bad(schema, name, `${at}: the projection must select its columns (Query.select(c => ({ ... })))`)
  if (
    s.where.length > 0 ||
    s.joins.length > 0 ||
    s.groupBy.length > 0 ||
    s.having.length > 0 ||
    s.distinct ||
    s.distinctOn.length > 0 ||
    s.orderBy.length > 0 ||
    O.isSome(s.limit) ||
    O.isSome(s.offset)
  )
    return E.left(
      QueryError.make(
        'Unsupported',
        `${at}: a join-preload's projection only selects outputs over its row (its rows are the join's: filter, order and join in the query itself)`,
        schema,
        name,
      ),
    )
  const table = Model.table(model, assoc.target)
  // A computed output's private name on the child rows: no column or association of the target's.
  const taken = (k: string) =>
    table?.columns.has(k) === true || Model.association(model, assoc.target, k) !== undefined
  const privateName = (i: number): string => {
    let k = `__s${i}`
    while (taken(k)) k = `_${k}`
    return k
  }
  const out: Array<JoinedOutput> = []
  for (const [i, o] of q.outputs.value.entries()) {
    const e = s.columns.find(c => c.name === o.name)?.expr
    if (e === undefined)
      return bad(schema, name, `${at}: output '${o.name}' of its projection has no expression`)
    if (e._tag === 'ColumnRef' && e.alias === s.from.alias && table?.columns.has(e.column) === true)
      out.push({ ...o, column: e.column, own: true })
    else out.push({ ...o, column: privateName(i), own: false, computed: { expr: e, alias: s.from.alias } })
  }
  return E.right(Object.freeze(out))
}

// A query value as a custom query: over the association's target in the same model, no grouping,
// distinctness or projection (its rows are the target's rows). Its select becomes the derived table the
// target rows are read from; each order term that is not a plain column of the target is an output
// `__o<i>` of it, ordered by name outside. On a through, the query went to the last hop (`expand`) and
// its limit and offset cut the walk; its `hops` hid the hops (`parse`).
const resolveQuery = (
  model: Model.AnyModel,
  schema: string,
  name: string,
  assoc: Model.Resolved,
  q: FromQuery,
): E.Either<QueryError.QueryError, Custom> => {
  const at = `preload '${name}' of schema '${schema}'`
  if (O.isSome(q.error)) {
    const e = q.error.value
    return E.left(QueryError.make(e.code, `${at}: ${e.message}`, schema, name))
  }
  if (q.model !== model)
    return bad(schema, name, `${at}: the query is over another model than the query it preloads under`)
  if (q.schema !== assoc.target)
    return bad(
      schema,
      name,
      `${at}: the query is over schema '${q.schema}', not the association's target '${assoc.target}'`,
    )
  const s = q.select
  if (q.hops !== undefined && assoc._tag !== 'Through')
    return bad(schema, name, `${at}: 'hops' ('show' | 'hide') applies to through associations only`)
  if (assoc._tag === 'Through' && O.isSome(q.outputs))
    return E.left(
      QueryError.make(
        'Unsupported',
        `${at}: a preload query on a through association returns its records: it cannot have a projection (Query.select); project in a preload of its last hop`,
        schema,
        name,
      ),
    )
  if (assoc._tag === 'Through')
    return E.right({
      where: [],
      orderBy: O.none,
      limit: s.limit,
      offset: s.offset,
      from: O.none,
      project: O.none,
    })
  if (s.groupBy.length > 0 || s.having.length > 0 || s.distinct || s.distinctOn.length > 0)
    return E.left(
      QueryError.make(
        'Unsupported',
        `${at}: a preload query cannot group or be distinct (its rows are the associated records)`,
        schema,
        name,
      ),
    )
  const alias = s.from.alias
  const table = Model.table(model, assoc.target)
  const orderBy: Array<Model.Order> = []
  const extra: Array<SelectAst.Output> = []
  for (const [i, t] of s.orderBy.entries()) {
    const e = t.expr
    if (e._tag === 'ColumnRef' && e.alias === alias && table?.columns.has(e.column) === true)
      orderBy.push({ column: e.column, dir: t.dir, nulls: t.nulls })
    else {
      const output = `__o${i}`
      extra.push({ name: output, expr: e })
      orderBy.push({ column: output, dir: t.dir, nulls: t.nulls })
    }
  }
  // A projection's computed outputs ride along as `__s<i>` beside the target's columns (which link the
  // rows to their owners and to their own preloads, and give the outputs that are plain columns): the
  // child rows are made of them once loaded.
  const projected: Array<SelectAst.Output> = []
  const project = O.map((outputs: ReadonlyArray<Output>) =>
    outputs.map((o, i): Projected => {
      const e = s.columns.find(c => c.name === o.name)?.expr
      if (e?._tag === 'ColumnRef' && e.alias === alias && table?.columns.has(e.column) === true)
        return { ...o, column: e.column, own: true }
      if (e !== undefined) projected.push({ name: `__s${i}`, expr: e })
      return { ...o, column: `__s${i}`, own: false }
    }),
  )(q.outputs)
  const columns = [
    ...[...(table?.columns.keys() ?? [])].map(c => ({ name: c, expr: Expr.column(alias, c) })),
    ...extra,
    ...projected,
  ]
  const from = SelectAst.set(
    'columns',
    columns,
  )(SelectAst.set('orderBy', [])(SelectAst.set('limit', O.none)(SelectAst.set('offset', O.none)(s))))
  return E.right({
    where: [],
    orderBy: orderBy.length === 0 ? O.none : O.some(orderBy),
    limit: s.limit,
    offset: s.offset,
    from: O.some(from),
    project,
  })
}

const resolve = (
  model: Model.AnyModel,
  schema: string,
  level: ReadonlyMap<string, Raw>,
): E.Either<QueryError.QueryError, ReadonlyArray<Node>> => {
  for (const name of level.keys())
    if (Model.association(model, schema, name) === undefined) return unknownAssociation(schema, name)
  const expanded = expand(model, schema, level)
  if (E.isLeft(expanded)) return expanded
  const nodes: Array<Node> = []
  for (const [name, raw] of expanded.right) {
    const assoc = Model.association(model, schema, name)
    if (assoc === undefined) return unknownAssociation(schema, name)
    if (assoc._tag === 'Through') {
      const noPk = [assoc.owner, ...assoc.hops.map(h => h.target)].find(
        s => (Model.table(model, s)?.primaryKey.length ?? 0) === 0,
      )
      if (noPk !== undefined)
        return bad(
          schema,
          name,
          `cannot preload through association '${name}' of schema '${schema}': schema '${noPk}' has no primary key to deduplicate by`,
        )
    }
    if (raw.joined !== undefined && assoc._tag === 'Through')
      return E.left(
        QueryError.make(
          'Unsupported',
          `cannot join-preload '${name}' of schema '${schema}': it is a through association (join-preload its hops, or preload it)`,
          schema,
          name,
        ),
      )
    const custom = resolveCustom(model, schema, name, assoc, raw.custom)
    if (E.isLeft(custom)) return custom
    const children = resolve(model, assoc.target, raw.nested)
    if (E.isLeft(children)) return children
    const joinedProject =
      raw.joinedSelect === undefined
        ? E.right(undefined)
        : joinedProjection(model, schema, name, assoc, raw.joinedSelect)
    if (E.isLeft(joinedProject)) return joinedProject
    const own = joinedProject.right
    const joinedClash =
      own === undefined ? undefined : children.right.find(c => own.some(o => o.name === c.name))
    if (joinedClash !== undefined)
      return bad(
        schema,
        name,
        `preload '${name}' of schema '${schema}': the projection has an output named '${joinedClash.name}', the name of an association preloaded under it: rename the output`,
      )
    // A projected child row holds its outputs and its associations side by side.
    const clash = O.isNone(custom.right.project)
      ? undefined
      : children.right.find(c =>
          O.exists((ps: ReadonlyArray<Projected>) => ps.some(o => o.name === c.name))(custom.right.project),
        )
    if (clash !== undefined)
      return bad(
        schema,
        name,
        `preload '${name}' of schema '${schema}': the projection has an output named '${clash.name}', the name of an association preloaded under it: rename the output`,
      )
    nodes.push(
      Object.freeze({
        name,
        owner: schema,
        assoc,
        custom: custom.right,
        children: children.right,
        hidden: raw.hidden,
        joined: O.fromNullable(raw.joined),
        ...(own === undefined ? {} : { joinedProject: own }),
      }),
    )
  }
  return E.right(Object.freeze(nodes))
}

/**
 * The normal form of a spec on `schema`'s rows.
 *
 * @category constructors
 * @since 0.1.0
 */
export const normalize = (
  model: Model.AnyModel,
  schema: string,
  spec: unknown,
): E.Either<QueryError.QueryError, ReadonlyArray<Node>> => {
  const hit = Kept.of(spec, model, schema)
  if (hit !== undefined) return hit
  return byShape(model, schema, spec)
}

const byShape = (
  model: Model.AnyModel,
  schema: string,
  spec: unknown,
): E.Either<QueryError.QueryError, ReadonlyArray<Node>> => {
  if (typeof spec !== 'object' || spec === null) return compute(model, schema, spec)
  if (steps >= maxSteps) {
    // bounded: the tries start again once this many steps were made (specs are written at call
    // sites: few)
    shapes = new WeakMap()
    steps = 0
  }
  let m = shapes.get(model)
  if (m === undefined) shapes.set(model, (m = new Map()))
  let root = m.get(schema)
  if (root === undefined) m.set(schema, (root = shape()))
  const end = walkShape(root, spec)
  if (end === null) return compute(model, schema, spec)
  return (end.result ??= compute(model, schema, spec))
}

const compute = (
  model: Model.AnyModel,
  schema: string,
  spec: unknown,
): E.Either<QueryError.QueryError, ReadonlyArray<Node>> => {
  if (Model.table(model, schema) === undefined)
    return E.left(QueryError.make('UnknownSchema', `the model has no schema '${schema}'`, schema))
  const raw = parse(schema, spec)
  return E.isLeft(raw) ? raw : resolve(model, schema, raw.right)
}

// Specs made only of `true` and nested plain objects (the literal specs written at call sites) are
// normalised once per model, schema and shape: a call site that writes `{ comments: { author: true } }`
// gets the same nodes every time (so the decoders and plans compiled for them are reused). A shape is
// found in a trie of its keys and values, in order: one map lookup per key (its text is hashed once,
// where the JSON text of the whole spec was built and hashed on every call).
interface Shape {
  /** After a key. */
  readonly keys: Map<string, Shape>
  /** After a plain `Preload.query`, by its JSON text (it says all that normalising it reads). */
  readonly queries: Map<string, Shape>
  /** After `true`, the start of a nested spec, the end of one. */
  yes: Shape | undefined
  open: Shape | undefined
  close: Shape | undefined
  /** The normal form of the spec that ends here. */
  result: E.Either<QueryError.QueryError, ReadonlyArray<Node>> | undefined
}
const shape = (): Shape => {
  steps++
  return {
    keys: new Map(),
    queries: new Map(),
    yes: undefined,
    open: undefined,
    close: undefined,
    result: undefined,
  }
}
let shapes = new WeakMap<Model.AnyModel, Map<string, Shape>>()
const maxSteps = 4096
let steps = 0

const step = (m: Map<string, Shape>, k: string): Shape => {
  let next = m.get(k)
  if (next === undefined) m.set(k, (next = shape()))
  return next
}

// Where a spec of `true`, plain objects and plain `Preload.query` values ends (undefined entries
// skipped, as `parse` skips them), or null for any other spec (queries with filters, orders or query
// values, conflicts, invalid values: normalised on every call).
const walkShape = (from: Shape, u: object): Shape | null => {
  if (!isPlain(u)) return null
  let at = from
  for (const k in u) {
    if (k === '_tag') return null
    const v = (u as Record<string, unknown>)[k]
    if (v === undefined) continue
    at = step(at.keys, k)
    if (v === true) at = at.yes ??= shape()
    else if (typeof v !== 'object' || v === null) return null
    else if (isPreloadQuery(v)) {
      if (!plainQuery(v)) return null
      at = step(at.queries, JSON.stringify(v))
    } else {
      const inner = walkShape((at.open ??= shape()), v)
      if (inner === null) return null
      at = inner.close ??= shape()
    }
  }
  return at
}

const isPlain = (u: object): boolean => {
  const proto = Object.getPrototypeOf(u) as unknown
  return proto === Object.prototype || proto === null
}

const plainShape = (u: object): boolean => {
  if (!isPlain(u)) return false
  for (const k in u) {
    if (k === '_tag') return false
    const v = (u as Record<string, unknown>)[k]
    if (v === true || v === undefined) continue
    if (typeof v !== 'object' || v === null) return false
    if (isPreloadQuery(v) ? !plainQuery(v) : !plainShape(v)) return false
  }
  return true
}

// A `Preload.query` whose options are only a valid `limit`, `offset` and `hops` (no filter, order or
// query: values a key cannot spell) over a plain nested spec: its JSON text (`{"_tag":"PreloadQuery",
// ...}`, which no plain shape has) says all that normalising it reads.
const plainQuery = (q: PreloadQuery<QueryOptions | FromQuery, unknown>): boolean => {
  const o: unknown = q.options
  if (typeof o !== 'object' || o === null || !isPlain(o)) return false
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k]
    if (v === undefined) continue
    if (
      k === 'hops'
        ? v !== 'show' && v !== 'hide'
        : !(k === 'limit' || k === 'offset') || !Number.isSafeInteger(v)
    )
      return false
  }
  const n: unknown = q.preload
  return n === undefined || (typeof n === 'object' && n !== null && plainShape(n))
}

// The normal forms of the specs `Query.preload` builds (a query's own frozen spec value): computed
// once when the spec is applied, reused when the query is planned. Kept on the value itself, in a
// private field (not a property: nothing a user can read, copy or forge), so that the planner finds
// it by identity without a WeakMap entry per query (an ephemeron the collector must trace, which cost
// more than looking the spec's shape up again). The field is added while the value is still extensible.
class Extensible {
  constructor(o: object) {
    return o
  }
}
type Normal = E.Either<QueryError.QueryError, ReadonlyArray<Node>>
class Kept extends Extensible {
  readonly #model: Model.AnyModel
  readonly #schema: string
  readonly #normal: Normal
  constructor(o: object, model: Model.AnyModel, schema: string, normal: Normal) {
    super(o)
    this.#model = model
    this.#schema = schema
    this.#normal = normal
  }
  // The normal form kept on `u` for this model and schema, if any.
  static of(u: unknown, model: Model.AnyModel, schema: string): Normal | undefined {
    return typeof u === 'object' &&
      u !== null &&
      #normal in u &&
      (u as Kept).#model === model &&
      (u as Kept).#schema === schema
      ? (u as Kept).#normal
      : undefined
  }
}

/**
 * `concat(a, b)` with its normal form on `schema`'s rows: the merged value is new (unless `concat`
 * returns `b` itself) and keeps its normal form, which `normalize` finds again by identity.
 *
 * @category constructors
 * @since 0.2.0
 */
export const concatNormal = (
  model: Model.AnyModel,
  schema: string,
  a: unknown,
  b: unknown,
): readonly [unknown, E.Either<QueryError.QueryError, ReadonlyArray<Node>>] => {
  const out = mergeSpecs(a, b)
  if (out === null) return [b, normalize(model, schema, b)]
  const result = byShape(model, schema, out)
  new Kept(out, model, schema, result)
  return [Object.freeze(out), result]
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Two specs as one: equal keys merge their nested specs (a key given with two different queries is a
 * `QueryError` when the spec is normalised).
 *
 * @category combinators
 * @since 0.1.0
 */
export const concat = (a: unknown, b: unknown): unknown => {
  const out = mergeSpecs(a, b)
  return out === null ? b : Object.freeze(out)
}

// The merged object of `concat`, not frozen yet; null when `concat` is `b` itself.
const mergeSpecs = (a: unknown, b: unknown): Record<string, unknown> | null => {
  if (
    !isRecord(a) ||
    !isRecord(b) ||
    isPreloadQuery(a) ||
    isPreloadQuery(b) ||
    isPreloadJoined(a) ||
    isPreloadJoined(b)
  )
    return null
  const out: Record<string, unknown> = { ...a }
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k]
    out[k] = prev === undefined || prev === true ? v : v === true ? prev : mergeValue(prev, v)
  }
  return out
}

const mergeValue = (a: unknown, b: unknown): unknown => {
  const ja = isPreloadJoined(a) ? a : null
  const jb = isPreloadJoined(b) ? b : null
  if (ja !== null || jb !== null) {
    // Joined from one binding (the same name, or given once), with the nested specs merged.
    if (
      isPreloadQuery(a) ||
      isPreloadQuery(b) ||
      (ja !== null &&
        jb !== null &&
        (ja.binding !== jb.binding ||
          (ja.select !== undefined && jb.select !== undefined && ja.select !== jb.select)))
    )
      return made(Object.freeze({ _tag: 'PreloadConflict', a, b }))
    const select = ja?.select ?? jb?.select
    return made(
      Object.freeze({
        _tag: 'PreloadJoined',
        binding: (ja ?? jb)?.binding,
        preload: concat(ja === null ? a : ja.preload, jb === null ? b : jb.preload),
        ...(select === undefined ? {} : { select }),
      }),
    )
  }
  const qa = isPreloadQuery(a) ? a : null
  const qb = isPreloadQuery(b) ? b : null
  if (qa === null && qb === null) return concat(a, b)
  // A conflict between two different queries is reported by `normalize`; here the nested specs merge.
  if (qa !== null && qb !== null && !sameQuery(qa.options, qb.options))
    return made(Object.freeze({ _tag: 'PreloadConflict', a, b }))
  const options = (qa ?? qb)?.options
  return made(
    Object.freeze({
      _tag: 'PreloadQuery',
      options,
      preload: concat(qa === null ? a : qa.preload, qb === null ? b : qb.preload),
    }),
  )
}
