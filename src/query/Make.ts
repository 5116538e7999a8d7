/**
 * The query value (its model, re-exported by `Query`) and its brand, shared by `Query` and `Prepared`
 * (the brand is internal: not exported from the package). A query is recognised by identity, as a
 * value `make` built (a module-private set), never by its shape: every combinator builds its result
 * through `make`, and a spread of a query made elsewhere is not a query.
 *
 * It also keeps what the query layer knows of each term it built (`TermInfo`: its SQL type and how its
 * values decode), by identity, in a module-private map: `Fn` records what it builds, `Query` records the
 * column terms of each binding, and `Query.select` reads it to give each output its decoder.
 *
 * @since 0.1.0
 */
import * as Ex from '../ast/Expr.js'
import type * as Expr from '../ast/Expr.js'
import * as Node from '../ast/Node.js'
import * as Select from '../ast/Select.js'
import type * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Column from '../schema/Column.js'
import type * as Model from '../schema/Model.js'
import type { Loaded } from './Loaded.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A joined binding as the types see it: its schema, whether its columns may be NULL (a `left` or
 * `full` join, or any binding before a `right` or `full` join), and the name of the binding its join
 * hangs from (`''` for the root, the prefix's name for a path's hop: `'comments'` for
 * `'comments.author'`; `string` when not known), which nested join-preloads check.
 *
 * @category model
 * @since 0.1.0
 */
export interface Joined<S extends string = string, N extends boolean = boolean, F extends string = string> {
  readonly schema: S
  readonly nullable: N
  readonly from: F
}

/**
 * Named joined bindings of a query: join name -> `Joined`. The key `''` (never an association's name)
 * stands for the root binding once a `right` or `full` join has made its columns nullable.
 *
 * @category model
 * @since 0.1.0
 */
export type Joins = Readonly<Record<string, Joined>>

/**
 * A joined subquery as the types see it (`Query.joinQuery`, `Query.joinLateral`): the row type of its
 * projection, and whether its columns may be NULL. Its `schema` is `''`: it is no schema of the model.
 *
 * @category model
 * @since 0.2.0
 */
export interface JoinedQuery<R = unknown, N extends boolean = boolean> extends Joined<'', N> {
  readonly rows: R
}

/**
 * A joined binding as the query keeps it: its SQL alias, its schema, and the association path from the
 * root that it joins (names joined with `.`), by which a later join over a longer path finds it.
 *
 * @category model
 * @since 0.1.0
 */
export interface Binding {
  readonly alias: string
  readonly schema: string
  readonly path: string
  /** A joined subquery's outputs and what is known of each (`schema` is then `''`). */
  readonly outputs?: ReadonlyArray<readonly [string, TermInfo]>
}

declare const wholeRows: unique symbol

/**
 * The projection of a query that returns whole rows of its schema (with their preloads): the default
 * of `Query`'s last type parameter, replaced by `Query.select`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Whole {
  readonly [wholeRows]: true
}

/**
 * How one output of a projection decodes: its name, its decoder, and what it expects (for errors).
 *
 * @category model
 * @since 0.1.0
 */
export interface OutputDecoder {
  readonly name: string
  readonly decode: Column.FastDecoder<unknown>
  readonly expected: string
  /**
   * For an output that may be NULL: the decoder of its other values (`decode` keeps NULL as null and
   * calls this one otherwise), for a decoder that reads NULL itself.
   *
   * @since 0.2.0
   */
  readonly nonNull?: Column.FastDecoder<unknown>
}

/**
 * A query over schema `S` of model `M`, with preload spec `P`, joined bindings `J` and projection `R`
 * (`Whole`: whole rows; else the type of each projected row).
 *
 * @category model
 * @since 0.1.0
 */
export interface Query<M extends Model.AnyModel, S extends string, P = {}, J extends Joins = {}, R = Whole> {
  readonly _tag: 'Query'
  readonly model: M
  readonly schema: S
  readonly select: Select.Select
  /** The next free binding number (`t0` is the root). */
  readonly aliases: number
  readonly joined: ReadonlyMap<string, Binding>
  /** The preload spec, kept as given (interpreted by the preload planner). */
  readonly preload: P
  /**
   * Whether `select.columns` is a projection (`Query.select`): its rows are decoded output by output
   * (`outputDecoders`), else they are whole rows decoded with the table's codecs.
   */
  readonly projected: boolean
  readonly errors: ReadonlyArray<QueryError.QueryError>
  /**
   * The query's identity as the owner of the column terms its callbacks hand out (`Owner`): made by
   * the constructors (`from`, `fromQuery`, `assoc` ...), kept by every combinator, and made anew when
   * its bindings take other aliases (`Subquery.isolate`). Never in the SQL.
   */
  readonly scope: number
  /**
   * The outputs of the subquery the query selects from (`Query.fromQuery`) and what is known of each:
   * the root's columns. Its `schema` is then `''`, no schema of the model.
   */
  readonly derived?: ReadonlyArray<readonly [string, TermInfo]>
  /**
   * The schema of the query `Query.fromQuery` selected from (through nested ones), for messages: a
   * derived table has no associations, and an error asking for one names where its rows came from.
   */
  readonly derivedFrom?: string
  readonly _J?: J
  readonly _R?: R
}

/**
 * A query of any model, schema, preload, joins and projection: the type of functions that only read
 * or run a query (`Query.toSql`, `Pg.all`) and keep no result type.
 *
 * @category model
 * @since 0.1.0
 */
export type AnyQuery = Query<Model.AnyModel, string, unknown, Joins, unknown>

/**
 * The type of the rows a query returns: its schema's rows with their preloads, or its projection with
 * its preloads (the preloaded fields of `Loaded`, without the schema's columns).
 *
 * @category model
 * @since 0.1.0
 */
export type Result<M extends Model.AnyModel, S extends string, P, R> = [R] extends [Whole]
  ? Loaded<M, S, P>
  : // `AnyQuery`'s projection: any query, whole rows or not.
    unknown extends R
    ? Loaded<M, S, P>
    : [keyof P] extends [never]
      ? R
      : R & Omit<Loaded<M, S, P>, keyof Model.Row<M, S>>

/**
 * The SQL type of a term's values, as far as the query layer needs it: what PostgreSQL makes of
 * arithmetic and aggregates over it, and how its values come back from postgres.js (which the memory
 * interpreter returns alike). `integer` covers `smallint` and `integer`; `unknown` is a type the layer
 * does not know (a custom column, a fragment).
 *
 * @category model
 * @since 0.1.0
 */
export type SqlType = Column.SqlType

/**
 * The JavaScript type of a term's decoded values (the TypeScript type its `Pred.Term` carries):
 * `bigint` and `numeric` columns are strings, counts are numbers.
 *
 * @category model
 * @since 0.1.0
 */
export type JsType = 'number' | 'string' | 'boolean' | 'Date' | 'other'

/**
 * What the query layer knows of a term: its SQL and JavaScript types, and the decoder of its non-null
 * values.
 *
 * @category model
 * @since 0.1.0
 */
export interface TermInfo {
  readonly sql: SqlType
  readonly js: JsType
  /** Decodes a non-null value (`Column.invalid` for a value of another type). */
  readonly decode: Column.FastDecoder<unknown>
  readonly expected: string
  /** Whether the term may be NULL whatever the joins (a nullable column; any computed term). */
  readonly nullable: boolean
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// Every query `make` built: a query is recognised by identity, which a spread (`{ ...q, select: junk
// }`), a prototype or a proxy of a real query does not carry (see `Node.members`).
const made = Node.members()

/**
 * Brands and freezes a query; `fields` is a fresh object of the caller's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <Q extends object>(fields: Q): Q => Object.freeze(made.stamp(fields))

let scopes = 0

/**
 * A query identity no query has yet (see `Query.scope`): a small integer, cheap to make and compare.
 *
 * @category constructors
 * @since 0.2.0
 */
export const freshScope = (): number => ++scopes

/**
 * Who handed out a column term: the query (its `scope`), and the binding's schema (`''` for a
 * subquery's outputs) and name, for the message that refuses the term in another query. `terms` are the
 * binding's shared, typed terms by column, by which an owned term's `TermInfo` is found (`recorded`).
 *
 * @category model
 * @since 0.2.0
 */
export interface Owner {
  readonly scope: number
  readonly schema: string
  readonly binding: string
  readonly terms: Readonly<Record<string, unknown>>
}

// An owned column term carries its owner in a private field installed before the node is frozen (not a
// property: invisible to the compilers, to structural comparison and to a spread; not a `WeakMap`,
// whose entries for short-lived nodes cost the collector far more, see `Node.members`).
class Base {
  constructor(o: object) {
    return o
  }
}
class Owned extends Base {
  readonly #owner: Owner
  constructor(o: object, owner: Owner) {
    super(o)
    this.#owner = owner
  }
  static of(u: unknown): Owner | undefined {
    return typeof u === 'object' && u !== null && #owner in u ? (u as Owned).#owner : undefined
  }
}

/**
 * A column term of `owner`: a copy of `ref` (same fields, so the same SQL) that says which query and
 * binding handed it out.
 *
 * @category constructors
 * @since 0.2.0
 */
export const owned = (ref: Expr.ColumnRef, owner: Owner): Expr.ColumnRef => {
  const fields =
    ref.json !== undefined
      ? { _tag: 'ColumnRef' as const, alias: ref.alias, column: ref.column, json: ref.json }
      : ref.decimal !== undefined
        ? { _tag: 'ColumnRef' as const, alias: ref.alias, column: ref.column, decimal: ref.decimal }
        : ref.float !== undefined
          ? { _tag: 'ColumnRef' as const, alias: ref.alias, column: ref.column, float: ref.float }
          : { _tag: 'ColumnRef' as const, alias: ref.alias, column: ref.column }
  new Owned(fields, owner)
  return Node.make(fields)
}

/**
 * The owner of a column term (`owned`), if it has one. Total.
 *
 * @category utils
 * @since 0.2.0
 */
export const ownerOf = (u: unknown): Owner | undefined => Owned.of(u)

/**
 * A query's fields in a fresh object, to change some and `make` a new query of: what `{ ...q }` gives,
 * as a literal (V8 spreads a frozen object on its slow path, several times the cost of this copy, and
 * the combinators copy a query at every step).
 *
 * @category constructors
 * @since 0.2.0
 */
export const fieldsOf = <Q extends AnyQuery>(q: Q): { -readonly [K in keyof Q]: Q[K] } => {
  const c: { -readonly [K in keyof AnyQuery]: AnyQuery[K] } = {
    _tag: q._tag,
    model: q.model,
    schema: q.schema,
    select: q.select,
    aliases: q.aliases,
    joined: q.joined,
    preload: q.preload,
    projected: q.projected,
    errors: q.errors,
    scope: q.scope,
  }
  if (q.derived !== undefined) c.derived = q.derived
  if (q.derivedFrom !== undefined) c.derivedFrom = q.derivedFrom
  return c as { -readonly [K in keyof Q]: Q[K] }
}

/**
 * A query that is refused with `error` when it is compiled or run. Its schema may be anything an
 * untyped caller passed: kept as text, rendered without throwing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const invalid = (model: unknown, schema: unknown, error: QueryError.QueryError): AnyQuery => {
  const name = typeof schema === 'string' ? schema : show(schema)
  return make({
    _tag: 'Query' as const,
    model: model as AnyQuery['model'],
    schema: name,
    select: Select.create({ table: name, alias: 't0' }, []),
    aliases: 1,
    joined: new Map(),
    preload: {},
    projected: false,
    errors: [error],
    scope: freshScope(),
  })
}

/**
 * The bindings of a select whose columns may be NULL: a `left` or `full` join's, and every binding
 * before a `right` or `full` join.
 *
 * @category utils
 * @since 0.1.0
 */
export const nullableAliases = (s: Select.Select): ReadonlySet<string> => {
  const nullable = new Set<string>()
  const before: Array<string> = [s.from.alias]
  for (const j of s.joins) {
    if (j.kind === 'right' || j.kind === 'full') for (const a of before) nullable.add(a)
    if (j.kind === 'left' || j.kind === 'full') nullable.add(j.binding.alias)
    before.push(j.binding.alias)
  }
  return nullable
}

const decoders = new WeakMap<object, ReadonlyArray<OutputDecoder>>()

/**
 * The decoder of each output of a projected query (computed once per query): a column's codec (which
 * takes NULL when the column or its binding may be NULL), a computed term's recorded decoder (NULL
 * always passes: SQL gives NULL for any type), a condition's boolean; a term of unknown type (a
 * fragment) passes its value as the interpreter returns it.
 *
 * @category utils
 * @since 0.1.0
 */
export const outputDecoders = (q: AnyQuery): ReadonlyArray<OutputDecoder> => {
  const hit = decoders.get(q)
  if (hit !== undefined) return hit
  const nullable = nullableAliases(q.select)
  const out = Object.freeze(
    q.select.columns.map(o => {
      const i = infoOf(o.expr)
      const orNull = i.nullable || (o.expr._tag === 'ColumnRef' && nullable.has(o.expr.alias))
      const d = i.decode
      return Object.freeze(
        orNull
          ? {
              name: o.name,
              decode: (u: unknown) => (u === null ? null : d(u)),
              expected: `${i.expected} or null`,
              nonNull: d,
            }
          : { name: o.name, decode: d, expected: i.expected },
      )
    }),
  )
  decoders.set(q, out)
  return out
}

/**
 * What is known of each output of a projected query, as a binding over its rows sees it: what
 * `outputDecoders` decodes (a column of an outer-joined binding may be NULL there).
 *
 * @category utils
 * @since 0.2.0
 */
export const outputInfos = (q: AnyQuery): ReadonlyArray<readonly [string, TermInfo]> =>
  selectOutputInfos(q.select)

/**
 * `outputInfos` of a select (an embedded one, its aliases renamed, says the same: its joins are its own).
 *
 * @category utils
 * @since 0.2.0
 */
export const selectOutputInfos = (s: Select.Select): ReadonlyArray<readonly [string, TermInfo]> => {
  const nullable = nullableAliases(s)
  return s.columns.map(o => {
    const i = infoOf(o.expr)
    const orNull = i.nullable || (o.expr._tag === 'ColumnRef' && nullable.has(o.expr.alias))
    return [o.name, orNull === i.nullable ? i : Object.freeze({ ...i, nullable: true })] as const
  })
}

/**
 * The expressions directly inside an expression, each with whether it stands in a subquery (over rows
 * of its own).
 *
 * @category model
 * @since 0.1.0
 */
export type Inner = ReadonlyArray<readonly [Expr.Expr, boolean]>

const selectParts = (s: Select.Select): ReadonlyArray<Expr.Expr> => [
  ...(s.from.select === undefined ? [] : selectParts(s.from.select)),
  ...s.columns.map(o => o.expr),
  ...s.joins.flatMap(j => [...(j.binding.select === undefined ? [] : selectParts(j.binding.select)), j.on]),
  ...s.where,
  ...s.groupBy,
  ...s.having,
  ...s.orderBy.map(t => t.expr),
  ...s.distinctOn,
  ...(s.perParent._tag === 'Some' ? s.perParent.value.keys : []),
]
const sub = (s: Select.Select): Inner => selectParts(s).map(e => [e, true] as const)
const here = (es: ReadonlyArray<Expr.Expr>): Inner => es.map(e => [e, false] as const)

const inner: { readonly [K in Expr.Expr['_tag']]: (e: Extract<Expr.Expr, { readonly _tag: K }>) => Inner } = {
  ColumnRef: () => [],
  Param: () => [],
  Bool: () => [],
  Compare: e => here([e.left, e.right]),
  RowCompare: e => here([...e.left, ...e.right]),
  InList: e => here([e.expr]),
  IsNull: e => here([e.expr]),
  Not: e => here([e.expr]),
  NotTrue: e => here([e.expr]),
  And: e => here(e.exprs),
  Or: e => here(e.exprs),
  Like: e => here([e.expr, e.pattern]),
  Fragment: e => here(e.args),
  Exists: e => sub(e.select),
  Scalar: e => sub(e.select),
  InSelect: e => [...here([e.expr]), ...sub(e.select)],
  InArray: e => here([e.expr, e.array]),
  Arith: e => here([e.left, e.right]),
  Call: e => here(e.args),
  Cast: e => here([e.expr]),
  Case: e =>
    here([
      ...e.whens.flatMap(w => [w.when, w.then]),
      ...(e.otherwise._tag === 'Some' ? [e.otherwise.value] : []),
    ]),
  Agg: e =>
    here([...e.args, ...(e.filter._tag === 'Some' ? [e.filter.value] : []), ...e.orderBy.map(t => t.expr)]),
}
/**
 * The expressions directly inside an expression (`Inner`); none inside a value.
 *
 * @category utils
 * @since 0.1.0
 */
export const innerOf = (e: Expr.Expr): Inner =>
  Ex.isExpr(e) ? (inner[e._tag] as (e: Expr.Expr) => Inner)(e) : []

/**
 * Whether an expression holds an aggregate of its own rows (not one of a subquery's).
 *
 * @category utils
 * @since 0.1.0
 */
export const hasAggregate = (e: Expr.Expr): boolean => {
  const stack: Array<Expr.Expr> = [e]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (x._tag === 'Agg') return true
    // what `innerOf` gives outside subqueries, without its pairs (this runs for every term checked)
    if (!Ex.isExpr(x)) continue
    switch (x._tag) {
      case 'Compare':
      case 'Arith':
        stack.push(x.left, x.right)
        break
      case 'InList':
      case 'IsNull':
      case 'Not':
      case 'NotTrue':
      case 'Cast':
      case 'InSelect':
        stack.push(x.expr)
        break
      case 'And':
      case 'Or':
        stack.push(...x.exprs)
        break
      case 'Fragment':
      case 'Call':
        stack.push(...x.args)
        break
      case 'Like':
        stack.push(x.expr, x.pattern)
        break
      case 'InArray':
        stack.push(x.expr, x.array)
        break
      case 'ColumnRef':
      case 'Param':
      case 'Bool':
      case 'Exists':
      case 'Scalar':
        break
      default:
        for (const [c, inSub] of innerOf(x)) if (!inSub) stack.push(c)
    }
  }
  return false
}

/**
 * `Expr.depth(e)` and `hasAggregate(e)` in one walk (what `Query` checks of every callback's result):
 * the depth, negated when the expression holds an aggregate of its own rows. Undefined when the tree
 * cannot be read this way (a field that throws, a subquery an untyped caller assembled): the caller
 * then asks the two functions, which answer such trees on their own terms.
 *
 * @category utils
 * @since 0.2.0
 */
export const depthAndAggregate = (e: Expr.Expr): number | undefined => {
  try {
    let max = 0
    let aggregate = false
    // three stacks side by side (a node, its depth, whether it stands in a subquery): no tuple per node
    const nodes: Array<Expr.Expr> = [e]
    const depths: Array<number> = [1]
    const subs: Array<boolean> = [false]
    for (let x = nodes.pop(), d = depths.pop(), inSub = subs.pop(); d !== undefined;) {
      if (d > max) max = d
      const n = d + 1
      if (x !== undefined && !inSub && x._tag === 'Agg') aggregate = true
      if (Ex.isExpr(x))
        switch (x._tag) {
          case 'ColumnRef':
          case 'Param':
          case 'Bool':
            break
          case 'Compare':
          case 'Arith':
            nodes.push(x.left, x.right)
            depths.push(n, n)
            subs.push(inSub === true, inSub === true)
            break
          case 'InList':
          case 'IsNull':
          case 'Not':
          case 'NotTrue':
          case 'Cast':
            nodes.push(x.expr)
            depths.push(n)
            subs.push(inSub === true)
            break
          case 'And':
          case 'Or':
            for (const c of x.exprs) {
              nodes.push(c)
              depths.push(n)
              subs.push(inSub === true)
            }
            break
          default:
            for (const [c, sub] of innerOf(x)) {
              nodes.push(c)
              depths.push(n)
              subs.push(inSub === true || sub)
            }
        }
      x = nodes.pop()
      d = depths.pop()
      inSub = subs.pop()
    }
    return aggregate ? -max : max
  } catch {
    return undefined
  }
}

/**
 * Whether a select aggregates its whole input into one group: no group by, and a having or an
 * aggregate of its own. It returns one row even when no row matches (`count(*)` is 0), so it is never
 * answered as empty without running.
 *
 * @category utils
 * @since 0.1.0
 */
export const oneGroup = (s: Select.Select): boolean =>
  s.groupBy.length === 0 &&
  (s.having.length > 0 ||
    [...s.columns.map(o => o.expr), ...s.orderBy.map(t => t.expr), ...s.distinctOn].some(hasAggregate))

// What the layer knows of each term it built, by identity (terms are AST nodes).
const infos = new WeakMap<object, TermInfo>()

/**
 * Records what a term is (returns it): `Fn` for what it builds, `Query` for column terms.
 *
 * @category constructors
 * @since 0.1.0
 */
export const typed = <E extends Expr.Expr>(e: E, info: TermInfo): E => {
  infos.set(e, info)
  return e
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const isPlain = (u: object): boolean => {
  const p: unknown = Object.getPrototypeOf(u)
  return p === Object.prototype || p === null
}

/**
 * A copy of a tree (a select, an expression) with some aliases renamed (bindings and column
 * references alike) and some nodes replaced, sharing what does not change. Values (a parameter's, a
 * list's) are data: never entered. What the query layer recorded of a term (`typed`) follows it to
 * its copy.
 *
 * @category utils
 * @since 0.2.0
 */
export const rewrite = (
  rename: (alias: string) => string | undefined,
  replace: ReadonlyMap<unknown, Expr.Expr> = new Map(),
): ((tree: unknown) => unknown) => {
  const walk = (x: unknown): unknown => {
    if (typeof x !== 'object' || x === null) return x
    const hit = replace.get(x)
    if (hit !== undefined) return hit
    if (Array.isArray(x)) {
      const out = x.map(walk)
      return out.every((y, i) => y === x[i]) ? x : Object.freeze(out)
    }
    const node = Node.isNode(x)
    if (!node && !isPlain(x)) return x
    const tag = (x as { readonly _tag?: unknown })._tag
    if (node && tag === 'Param') return x
    let changed = false
    const copy: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(x)) {
      let y: unknown = v
      if (k === 'alias' && typeof v === 'string') y = rename(v) ?? v
      // A grouped select's keyed bindings (`Select.keyed`) are aliases too.
      else if (k === 'keyed' && Array.isArray(v)) {
        const out = v.map((a: unknown) => (typeof a === 'string' ? (rename(a) ?? a) : a))
        y = out.every((a, i) => a === v[i]) ? v : Object.freeze(out)
      } else if (!(tag === 'InList' && k === 'values')) y = walk(v)
      if (y !== v) changed = true
      copy[k] = y
    }
    if (!changed) return x
    // an owned term's copy keeps its owner (and, through it, what is recorded of it)
    const owner = Owned.of(x)
    if (owner !== undefined) new Owned(copy, owner)
    const made = node ? Node.make(copy, tag === 'InList' ? 'values' : undefined) : Object.freeze(copy)
    if (owner !== undefined) return made
    const info = recorded(x)
    return info === undefined ? made : typed(made as unknown as Expr.Expr, info)
  }
  return walk
}

/**
 * Whether a value was built by `make`. Total: a proxy whose traps throw is not a query.
 *
 * @category utils
 * @since 0.1.0
 */
export const isQuery = (u: unknown): u is AnyQuery => made.has(u)

/**
 * What was recorded of a term (`typed`), if anything. Total.
 *
 * @category utils
 * @since 0.1.0
 */
export const recorded = (u: unknown): TermInfo | undefined => {
  if (typeof u !== 'object' || u === null) return undefined
  const hit = infos.get(u)
  if (hit !== undefined) return hit
  const owner = Owned.of(u)
  if (owner === undefined) return undefined
  const base = owner.terms[(u as Expr.ColumnRef).column]
  return typeof base === 'object' && base !== null ? infos.get(base) : undefined
}

/**
 * A condition's values: booleans.
 *
 * @category utils
 * @since 0.1.0
 */
export const booleanInfo: TermInfo = Object.freeze({
  sql: 'boolean' as const,
  js: 'boolean' as const,
  decode: (u: unknown) => (typeof u === 'boolean' ? u : Column.invalid),
  expected: 'a boolean',
  nullable: true,
})

/**
 * A term of a type the layer does not know (a fragment): any value, as the interpreter returns it.
 *
 * @category utils
 * @since 0.1.0
 */
export const unknownInfo: TermInfo = Object.freeze({
  sql: 'unknown' as const,
  js: 'other' as const,
  decode: (u: unknown) => u,
  expected: 'any value',
  nullable: true,
})

// The tags whose values are booleans: the conditions Pred builds.
const conditions: Readonly<Record<Expr.Expr['_tag'], boolean>> = {
  ColumnRef: false,
  Param: false,
  Bool: true,
  Compare: true,
  RowCompare: true,
  InList: true,
  IsNull: true,
  Not: true,
  NotTrue: true,
  And: true,
  Or: true,
  Like: true,
  Fragment: false,
  Exists: true,
  Arith: false,
  Call: false,
  Cast: false,
  Case: false,
  Agg: false,
  Scalar: false,
  InSelect: true,
  InArray: true,
}

/**
 * What the query layer knows of a term's values: what was recorded (by `Fn`, and for columns), a
 * condition's booleans, else unknown. Total: anything that cannot be read is unknown.
 *
 * @category utils
 * @since 0.1.0
 */
export const infoOf = (t: unknown): TermInfo => {
  const known = recorded(t)
  if (known !== undefined) return known
  try {
    return Ex.isExpr(t) && conditions[t._tag] === true ? booleanInfo : unknownInfo
  } catch {
    return unknownInfo
  }
}

/**
 * The `SqlType` of a column's declared SQL type (`Column.sqlTypeOf`).
 *
 * @category utils
 * @since 0.1.0
 */
export const sqlTypeOf = Column.sqlTypeOf

/**
 * The JavaScript type the built-in columns of an `SqlType` decode to.
 *
 * @category utils
 * @since 0.1.0
 */
export const jsTypeOf: Readonly<Record<SqlType, JsType>> = {
  integer: 'number',
  bigint: 'string',
  numeric: 'string',
  double: 'number',
  text: 'string',
  boolean: 'boolean',
  timestamptz: 'Date',
  date: 'Date',
  json: 'other',
  array: 'other',
  unknown: 'other',
}

/**
 * What the query layer knows of a column's values: its SQL type, what its codec decodes to, its
 * decoder, and whether it is nullable.
 *
 * @category utils
 * @since 0.2.0
 */
export const columnInfo = (col: Column.Column<unknown>): TermInfo => {
  const sql = sqlTypeOf(Column.isColumn(col) ? col.sqlType : null)
  const codec = Column.nonNull(col.codec)
  return Object.freeze({
    sql,
    js: jsOfCodec(codec) ?? jsTypeOf[sql],
    decode: Column.fastDecoder(codec),
    expected: codec.name,
    nullable: col.nullable === true,
  })
}

/**
 * What a column reference records of its term's type for the evaluators (`Expr.column`'s `type`):
 * JSON, decimal text, or a double (whose whole values are no integers); nothing for the others.
 *
 * @category utils
 * @since 0.2.0
 */
export const refType = (info: TermInfo): Ex.JsonType | Ex.DecimalType | Ex.FloatType | undefined =>
  info.sql === 'json'
    ? 'jsonb'
    : info.sql === 'numeric' || info.sql === 'bigint' || info.sql === 'double'
      ? info.sql
      : undefined

// The JavaScript type a column's codec decodes to, asked of the codec itself (a custom `bigint` column
// may decode to numbers): what `Fn.sum` and `Fn.avg` of it return is of that type.
const jsOfCodec = (codec: Column.Codec<unknown>): JsType | undefined => {
  try {
    return codec.is(1)
      ? 'number'
      : codec.is('1')
        ? 'string'
        : codec.is(true)
          ? 'boolean'
          : codec.is(new Date(0))
            ? 'Date'
            : undefined
  } catch {
    return undefined
  }
}

const isAnExpr = (u: unknown): u is Expr.Expr => {
  try {
    return Ex.isExpr(u)
  } catch {
    return false
  }
}
const int4Value = (u: unknown): boolean => typeof u === 'number' && u >= -2147483648 && u <= 2147483647
const decimalInput = /^\s*[+-]?((\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?|nan|inf|infinity)\s*$/i
// Text PostgreSQL's numeric input reads (the numeric column's codec): `'+nan'`, blanks it does not
// skip and out-of-range exponents are refused as they are on a column's writes.
const numericInput = Column.fastDecoder(Column.NumericCodec)

/**
 * Why a plain value cannot stand beside a term of a known type (`undefined` when it can): PostgreSQL
 * reads it as the term's type and would fail with a raw 22P02 / 22003 (or postgres.js refuse
 * `undefined`), where the memory interpreter answers otherwise. The value must be one the term's
 * decoder accepts, an integer one within `integer`'s range, a `numeric` text one decimal text. NULL,
 * terms, and values beside json or untyped terms are left alone. Shared by `Pred` and `Fn`.
 *
 * @category utils
 * @since 0.2.0
 */
export const badValue = (fn: string, term: unknown, value: unknown): string | undefined => {
  if (value === null || isAnExpr(value) || !isAnExpr(term)) return undefined
  const info = infoOf(term)
  if (info.sql === 'unknown' || info.sql === 'json') return undefined
  const ok =
    info.decode(value) !== Column.invalid &&
    (info.sql !== 'integer' || int4Value(value)) &&
    (info.sql !== 'numeric' ||
      typeof value !== 'string' ||
      (decimalInput.test(value) && numericInput(value) !== Column.invalid))
  if (ok) return undefined
  const what = term._tag === 'ColumnRef' ? `column '${term.column}'` : 'the term beside it'
  return `${fn}: ${show(value)} is not a value of ${what} (expected ${info.sql === 'integer' ? 'an integer within the range of integer' : info.expected})`
}
