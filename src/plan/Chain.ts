/**
 * The planner's view of an association path: the owner column and the list of tables walked to reach
 * the target, each linked to the previous one by a column pair, each with its own filters. Every
 * association kind, and every through chain of any depth, becomes a chain, and the three lowerings
 * below (an `assoc` query, joins, an `exists` subquery) work on chains only.
 *
 * Unlike Ecto, no intermediate table is skipped: dropping a pass-through table relies on referential
 * integrity the model cannot see, and with a dangling key it changes the result.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { absurd } from 'fp-ts/lib/function.js'
import * as Expr from '../ast/Expr.js'
import * as Select from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Model from '../schema/Model.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export interface Link {
  readonly source: string
  /** The schema of the rows in this table, `null` for a join table given by name. */
  readonly schema: string | null
  /** Column of this table equal to the previous table's `outCol` (or the owner's `ownerCol`). */
  readonly inCol: string
  /** Column of this table equal to the next table's `inCol`; `null` on the target. */
  readonly outCol: string | null
  readonly where: ReadonlyArray<Model.Filter>
}

/**
 * @category model
 * @since 0.1.0
 */
export interface Chain {
  readonly owner: string
  readonly ownerCol: string
  /** First table after the owner ... the target, never empty. */
  readonly links: ReadonlyArray<Link>
  readonly target: string
  readonly hops: ReadonlyArray<Model.ResolvedDirect>
  /** A through (several hops): `assoc` is DISTINCT, as in Ecto. */
  readonly through: boolean
  readonly cardinality: 'one' | 'many'
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// The tables each kind of direct association walks: a many-to-many crosses its join table first.
const links: {
  readonly [K in Model.ResolvedDirect['_tag']]: (
    // `Extract` would miss `ResolvedHas`, whose tag is 'HasMany' | 'HasOne'
    hop: Model.ResolvedDirect & { readonly _tag: K },
  ) => ReadonlyArray<Link>
} = {
  HasMany: hop => [targetLink(hop)],
  HasOne: hop => [targetLink(hop)],
  BelongsTo: hop => [targetLink(hop)],
  ManyToMany: hop => [
    {
      source: hop.joinTable,
      schema: hop.joinSchema,
      inCol: hop.joinOwnerKey,
      outCol: hop.joinRelatedKey,
      where: hop.joinWhere,
    },
    targetLink(hop),
  ],
}

const targetLink = (hop: Model.ResolvedDirect): Link => ({
  source: hop.source,
  schema: hop.target,
  inCol: hop.relatedKey,
  outCol: null,
  where: hop.where,
})

const linksOf = (hop: Model.ResolvedDirect): ReadonlyArray<Link> =>
  (links[hop._tag] as (hop: Model.ResolvedDirect) => ReadonlyArray<Link>)(hop)

// A name from the caller, quoted as the messages quote names; anything else rendered by `show`.
const quoted = (u: unknown): string => (typeof u === 'string' ? `'${u}'` : show(u))

/**
 * The chain of a path of association names from `schema` (a single name is a path of one).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromPath = (
  model: Model.AnyModel,
  schema: string,
  path: ReadonlyArray<string>,
): E.Either<QueryError.QueryError, Chain> => {
  // `schema` and the names may come from untyped code: rendered with `show`, which never throws (a
  // template literal throws on a symbol or an object whose toString throws).
  if (Model.table(model, schema) === undefined)
    return E.left(
      QueryError.make(
        'UnknownSchema',
        `the model has no schema ${quoted(schema)}`,
        typeof schema === 'string' ? schema : show(schema),
      ),
    )
  if (path.length === 0)
    return E.left(QueryError.make('InvalidArgument', 'an association path needs at least one name', schema))
  const hops: Array<Model.ResolvedDirect> = []
  let cardinality: 'one' | 'many' = 'one'
  let at = schema
  for (const name of path) {
    const a = typeof name === 'string' ? Model.association(model, at, name) : undefined
    if (a === undefined)
      return E.left(
        QueryError.make(
          'UnknownAssociation',
          `schema '${at}' has no association ${quoted(name)}`,
          at,
          typeof name === 'string' ? name : show(name),
        ),
      )
    hops.push(...(a._tag === 'Through' ? a.hops : [a]))
    if (a.cardinality === 'many') cardinality = 'many'
    at = a.target
  }
  const first = hops[0] as Model.ResolvedDirect
  const walked: Array<Link> = []
  hops.forEach((hop, i) => {
    if (i > 0) {
      const prev = walked[walked.length - 1] as Link
      walked[walked.length - 1] = { ...prev, outCol: hop.ownerKey }
    }
    walked.push(...linksOf(hop))
  })
  // A single named association keeps its declared cardinality (a has-one-through is "one").
  const declared =
    path.length === 1 ? Model.association(model, schema, path[0] as string)?.cardinality : undefined
  return E.right({
    owner: schema,
    ownerCol: first.ownerKey,
    links: walked,
    target: at,
    hops,
    through: hops.length > 1,
    cardinality: declared ?? cardinality,
  })
}

// -------------------------------------------------------------------------------------
// lowerings
// -------------------------------------------------------------------------------------

/**
 * A model filter as an expression over a binding.
 *
 * @category lowerings
 * @since 0.1.0
 */
export const filterExpr = (alias: string, f: Model.Filter): Expr.Expr => {
  const col = Expr.column(alias, f.column, f.json)
  const c = f.condition
  switch (c._tag) {
    case 'IsNull':
      return Expr.isNull(col)
    case 'NotNull':
      return Expr.not(Expr.isNull(col))
    case 'Eq':
      return Expr.eq(col, Expr.param(c.value))
    case 'In':
      return Expr.inList(col, c.values)
    case 'Fragment':
      return Expr.fragment(
        c.strings,
        c.args.map(a =>
          a._tag === 'Self' ? col : a._tag === 'Value' ? Expr.param(a.value) : absurd<Expr.Expr>(a),
        ),
      )
  }
}

const linkOn = (alias: string, link: Link, prevAlias: string, prevCol: string): Expr.Expr =>
  Expr.and([
    Expr.eq(Expr.column(alias, link.inCol), Expr.column(prevAlias, prevCol)),
    ...link.where.map(f => filterExpr(alias, f)),
  ])

// Outputs per table value and alias: built once (every `Query.from` needs them), frozen.
const outputsCache = new WeakMap<object, Map<string, ReadonlyArray<Select.Output>>>()

/**
 * The output columns of a schema's table under a binding (the same frozen list for the same table and
 * alias).
 *
 * @category lowerings
 * @since 0.1.0
 */
export const outputs = (
  model: Model.AnyModel,
  schema: string,
  alias: string,
): ReadonlyArray<Select.Output> => {
  const table = Model.table(model, schema)
  if (table === undefined) return []
  let byAlias = outputsCache.get(table)
  if (byAlias === undefined) outputsCache.set(table, (byAlias = new Map()))
  const hit = byAlias.get(alias)
  if (hit !== undefined) return hit
  const out: ReadonlyArray<Select.Output> = Object.freeze(
    [...table.columns.keys()].map(name => Object.freeze({ name, expr: Expr.column(alias, name) })),
  )
  byAlias.set(alias, out)
  return out
}

/**
 * A select of the chain's target rows, read backward from the target (`alias(0)`) to the first table,
 * with `link` as the condition tying the first table to its owners. Intermediate filters go in the ON of
 * their join; the target's filters are WHERE conjuncts.
 *
 * @category lowerings
 * @since 0.1.0
 */
export const backward = (
  model: Model.AnyModel,
  chain: Chain,
  alias: (i: number) => string,
  link: (firstAlias: string, inCol: string) => Expr.Expr,
): Select.Select => {
  const n = chain.links.length
  const target = chain.links[n - 1] as Link
  // links[n-1-i] is bound to alias(i)
  const joins: Array<Select.Join> = []
  for (let i = 1; i < n; i++) {
    const l = chain.links[n - 1 - i] as Link
    const next = chain.links[n - i] as Link
    joins.push(
      Select.join(
        'inner',
        { table: l.source, alias: alias(i) },
        Expr.and([
          Expr.eq(Expr.column(alias(i), l.outCol as string), Expr.column(alias(i - 1), next.inCol)),
          ...l.where.map(f => filterExpr(alias(i), f)),
        ]),
      ),
    )
  }
  const first = chain.links[0] as Link
  let s = Select.create({ table: target.source, alias: alias(0) }, outputs(model, chain.target, alias(0)))
  s = Select.withJoins(joins)(s)
  s = Select.withWhere(link(alias(n - 1), first.inCol))(s)
  for (const f of target.where) s = Select.withWhere(filterExpr(alias(0), f))(s)
  return Select.set('distinct', chain.through)(s)
}

/**
 * The joins walking the chain forward from an owner binding; returns them and the target's alias.
 *
 * @category lowerings
 * @since 0.1.0
 */
export const forward = (
  chain: Chain,
  ownerAlias: string,
  kind: 'inner' | 'left',
  alias: (i: number) => string,
): { readonly joins: ReadonlyArray<Select.Join>; readonly targetAlias: string } => {
  const joins: Array<Select.Join> = []
  let prevAlias = ownerAlias
  let prevCol = chain.ownerCol
  chain.links.forEach((l, i) => {
    const a = alias(i)
    joins.push(Select.join(kind, { table: l.source, alias: a }, linkOn(a, l, prevAlias, prevCol)))
    prevAlias = a
    prevCol = l.outCol ?? ''
  })
  return { joins, targetAlias: prevAlias }
}
