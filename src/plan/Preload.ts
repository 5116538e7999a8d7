/**
 * The preload planner: pure and interpreter-neutral. From a normalised spec it builds the `Select` of
 * each association level, either keyed by a list of owner keys (the batched strategy: one statement per
 * level, `= any($1)`, the owner key carried as the `__owner` output, top-N per parent as
 * `Select.perParent`) or correlated to the parent row (the lateral strategy: a `Tree` that a capable
 * interpreter lowers to one statement).
 *
 * Order inside a group: the custom `orderBy`, else the association's `preloadOrder`, then the target's
 * primary key ascending, so that every pick is deterministic: a has_one without `preloadOrder` takes
 * the row with the lowest primary key, and both strategies return the same order. A batched to-many
 * whose order nobody asked for, on a one-column integer key, is sorted by that key in memory instead
 * (`memoryOrder`): the same order without an `order by` in its statement.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Expr from '../ast/Expr.js'
import * as AstNode from '../ast/Node.js'
import * as Select from '../ast/Select.js'
import type { KeyColumn, Tree, TreeNode } from '../ast/Tree.js'
import type * as QueryError from '../error/QueryError.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import * as Chain from './Chain.js'
import type { Custom, Node } from './Spec.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The name of the output that carries the owner key in a batched select.
 *
 * @category model
 * @since 0.1.0
 */
export const ownerOutput = '__owner'

/**
 * The output of a direct node's batched select that carries the owner key: the target's own key column
 * when the chain is one table (has_many, has_one, belongs_to: the owner key is that column's value),
 * else `__owner` (the join table's column of a many_to_many).
 *
 * @category model
 * @since 0.1.0
 */
export const ownerField = (c: Chain.Chain): string =>
  c.links.length === 1 ? (c.links[0] as Chain.Link).inCol : ownerOutput

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The chain of a direct node.
 *
 * @category constructors
 * @since 0.1.0
 */
export const chain = (model: Model.AnyModel, node: Node): E.Either<QueryError.QueryError, Chain.Chain> => {
  const hit = chains.get(node.assoc)
  if (hit !== undefined) return hit
  const c = Chain.fromPath(model, node.owner, [node.name])
  chains.set(node.assoc, c)
  return c
}

// A direct association's chain depends on the association alone (a value of one model).
const chains = new WeakMap<Model.Resolved, E.Either<QueryError.QueryError, Chain.Chain>>()

const order = (model: Model.AnyModel, node: Node, alias: string): ReadonlyArray<Select.OrderTerm> => {
  const assoc = node.assoc as Model.ResolvedDirect
  const items = O.getOrElse((): ReadonlyArray<Model.Order> => assoc.preloadOrder)(node.custom.orderBy)
  const pk = (Model.table(model, assoc.target)?.primaryKey ?? []).filter(
    c => !items.some(i => i.column === c),
  )
  const columns = Model.table(model, assoc.target)?.columns
  // marked with the column's type, as a query's terms are: the memory interpreter orders `bigint` and
  // `numeric` text by value (`'-9007199254740993'` before `'-3'`), not as text
  const ref = (c: string) => Expr.column(alias, c, orderType(columns?.get(c)))
  return [
    ...items.map(i => ({ expr: ref(i.column), dir: i.dir, nulls: i.nulls })),
    ...pk.map(c => ({ expr: ref(c), dir: 'asc' as const, nulls: 'default' as const })),
  ]
}

// What a column reference records of a column's type for the evaluators (as `Make.refType` does for a
// query's terms): JSON, decimal text, or a double; nothing for the others.
const orderType = (
  col: Column.Column<unknown> | undefined,
): Expr.JsonType | Expr.DecimalType | Expr.FloatType | undefined => {
  const json = Column.jsonType(col)
  if (json !== undefined || !Column.isColumn(col)) return json
  const t = Column.sqlTypeOf(col.sqlType)
  return t === 'bigint' || t === 'numeric' || t === 'double' ? t : undefined
}

// A to-one association keeps one row per parent: the first in order after the offset. (A run puts
// the value of a placeholder in a to-one's limit first, `Prepared.bindCounts`: here it is a number.)
const window = (
  node: Node,
): { readonly limit: O.Option<Expr.Count>; readonly offset: O.Option<Expr.Count> } =>
  node.assoc.cardinality === 'one'
    ? {
        limit: O.some(Math.min(1, O.getOrElse(() => 1)(Expr.countNumber(node.custom.limit)))),
        offset: node.custom.offset,
      }
    : { limit: node.custom.limit, offset: node.custom.offset }

/**
 * `Chain.backward`, the target rows read from a custom query's select when the node has one (a derived
 * table under the target's alias, reading the association's source table: a custom `source` included).
 *
 * @category constructors
 * @since 0.2.0
 */
export const backward = (
  model: Model.AnyModel,
  node: Node,
  c: Chain.Chain,
  alias: (i: number) => string,
  link: (firstAlias: string, inCol: string) => Expr.Expr,
): Select.Select => {
  const s = Chain.backward(model, c, alias, link)
  if (O.isNone(node.custom.from)) return s
  const d = node.custom.from.value
  const target = c.links[c.links.length - 1] as Chain.Link
  const from =
    d.from.select === undefined && d.from.table !== target.source
      ? AstNode.make({ ...d, from: { ...d.from, table: target.source } })
      : d
  // A projection's outputs (`__s<i>` of the derived table) are read beside the target's columns.
  const extra = O.isNone(node.custom.project)
    ? []
    : node.custom.project.value
        .filter(o => !o.own)
        .map(o => ({ name: o.column, expr: Expr.column(s.from.alias, o.column) }))
  return AstNode.make({
    ...s,
    columns: extra.length === 0 ? s.columns : [...s.columns, ...extra],
    from: Select.derived(from, s.from.alias),
  })
}

const base = (
  model: Model.AnyModel,
  node: Node,
  c: Chain.Chain,
  alias: (i: number) => string,
  link: (firstAlias: string, inCol: string) => Expr.Expr,
): Select.Select => {
  let s = backward(model, node, c, alias, link)
  for (const f of node.custom.where) s = Select.withWhere(Chain.filterExpr(alias(0), f))(s)
  return Select.withOrder(order(model, node, alias(0)))(s)
}

const integerKeys = new Set(['integer', 'int', 'int4', 'smallint', 'int2', 'bigint', 'int8'])

/**
 * The primary key column by which the batched strategy orders a to-many association's rows in memory
 * (each owner's group, while assembling) instead of sending an `order by` nobody asked for: a to-many
 * without a custom `orderBy`, `preloadOrder`, `limit` or `offset`, whose target has a one-column
 * integer primary key (integers order the same in JavaScript and in PostgreSQL, whatever the
 * collation; text would not). `null` otherwise: the select is ordered in SQL (a window or a to-one
 * picks rows by that order). The lateral strategy keeps its `order by` (the rows are aggregated in
 * SQL).
 *
 * @category utils
 * @since 0.2.0
 */
export const memoryOrder = (model: Model.AnyModel, node: Node): string | null => {
  const assoc = node.assoc
  if (assoc._tag === 'Through' || assoc.cardinality !== 'many' || assoc.preloadOrder.length > 0) return null
  const c = node.custom
  // A projection's rows need not carry the key (and its query's order, if any, is in SQL).
  if (O.isSome(c.orderBy) || O.isSome(c.limit) || O.isSome(c.offset) || O.isSome(c.project)) return null
  const table = Model.table(model, assoc.target)
  const pk = table?.primaryKey ?? []
  const col = pk[0]
  if (pk.length !== 1 || col === undefined) return null
  const type = Column.baseType(table?.columns.get(col)?.sqlType ?? null)?.toLowerCase()
  return type !== undefined && integerKeys.has(type) ? col : null
}

/**
 * The batched select of a direct node's rows for some owner keys: the target's columns plus
 * `__owner`; a per-parent limit/offset (or an offset on a to-one) becomes `perParent`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const batched = (
  model: Model.AnyModel,
  node: Node,
  c: Chain.Chain,
  keys: ReadonlyArray<unknown>,
): Select.Select => {
  const t = template(model, node, c)
  const s = withKeys(t, keys)
  instances.set(s, t)
  return s
}

const withKeys = (t: Template, keys: ReadonlyArray<unknown>): Select.Select => {
  const where = [...t.select.where]
  where[t.slot] = Expr.inList(t.key, keys)
  // Through the brand's constructor: a spread of a node is a plain object, never taken for a select.
  return AstNode.make({ ...t.select, where })
}

// The template of every select `batched` returned (its keys are `where[template.slot]`).
const instances = new WeakMap<Select.Select, Template>()

interface Slotted<C> {
  readonly compiled: C
  /** The index of the keys parameter (the one key, or the list of keys). */
  readonly at: number
}

/**
 * A select compiler that compiles the batched select of each association once per shape (one key is
 * `= $n`, several `= any($n)`) and then only puts the keys in its parameters; other selects are
 * compiled as they come. `compile` must be deterministic (the same text and parameter positions for
 * selects that differ in parameter values only), as `Sql.toSql` is.
 *
 * @category utils
 * @since 0.1.0
 */
export const memoCompile = <C extends { readonly text: string; readonly params: ReadonlyArray<unknown> }>(
  compile: (s: Select.Select) => C,
): ((s: Select.Select) => C) => {
  const cache = new WeakMap<Template, { one?: Slotted<C> | null; many?: Slotted<C> | null }>()
  const sentinel = (t: Template, one: boolean): Slotted<C> | null => {
    const marks = one ? [{}] : [{}, {}]
    const s = withKeys(t, marks)
    const list = s.where[t.slot] as Expr.Expr & { readonly values: ReadonlyArray<unknown> }
    const compiled = compile(s)
    const at = compiled.params.findIndex(p => (one ? p === list.values[0] : p === list.values))
    return at < 0 ? null : { compiled, at }
  }
  return s => {
    const t = instances.get(s)
    if (t === undefined) return compile(s)
    const list = s.where[t.slot] as Expr.Expr & { readonly values: ReadonlyArray<unknown> }
    const one = list.values.length === 1
    let entry = cache.get(t)
    if (entry === undefined) cache.set(t, (entry = {}))
    let slotted = one ? entry.one : entry.many
    if (slotted === undefined) {
      slotted = sentinel(t, one)
      if (one) entry.one = slotted
      else entry.many = slotted
    }
    if (slotted === null) return compile(s)
    const params = [...slotted.compiled.params]
    params[slotted.at] = one ? list.values[0] : list.values
    return Object.freeze({ ...slotted.compiled, params: Object.freeze(params) })
  }
}

// The batched select of a node without its keys, built once per association and custom query (both
// values of the model and of a normalised spec): `where[slot]` is the owner-key membership.
interface Template {
  readonly select: Select.Select
  readonly slot: number
  readonly key: Expr.Expr
}

const templates = new WeakMap<Model.Resolved, WeakMap<Custom, Template>>()

const template = (model: Model.AnyModel, node: Node, c: Chain.Chain): Template => {
  const hit = templates.get(node.assoc)?.get(node.custom)
  if (hit !== undefined) return hit
  const alias = (i: number) => `t${i}`
  const first = c.links[0] as Chain.Link
  const ownerAlias = alias(c.links.length - 1)
  const key = Expr.column(ownerAlias, first.inCol)
  const none: ReadonlyArray<unknown> = []
  let s = base(model, node, c, alias, () => Expr.inList(key, none))
  // A belongs_to to the target's primary key finds at most one row per key: no order to pick by; a
  // to-many whose order nobody asked for is ordered by key in memory (`memoryOrder`).
  if (uniqueLink(model, node, c) || memoryOrder(model, node) !== null) s = Select.set('orderBy', [])(s)
  const slot = s.where.findIndex(w => w._tag === 'InList' && w.expr === key)
  if (ownerField(c) === ownerOutput)
    s = Select.set('columns', [...s.columns, { name: ownerOutput, expr: key }])(s)
  const w = window(node)
  // A to-one without offset (and not `limit: 0`) needs no window: the first row per owner is picked
  // while grouping.
  const needed =
    node.assoc.cardinality === 'one'
      ? O.isSome(w.offset) || O.exists((l: Expr.Count) => l === 0)(w.limit)
      : O.isSome(w.limit) || O.isSome(w.offset)
  if (needed) {
    // Batched keys are distinct (`Batched.keysOf`), so the promise holds whenever the type is known.
    const distinctKeys = pipe(
      O.fromNullable(Column.baseType(Model.table(model, c.owner)?.columns.get(c.ownerCol)?.sqlType ?? null)),
      O.map(sqlType => ({ sqlType })),
    )
    s = Select.set('perParent', O.some({ keys: [key], limit: w.limit, offset: w.offset, distinctKeys }))(s)
  }
  const t: Template = { select: s, slot, key }
  let byCustom = templates.get(node.assoc)
  if (byCustom === undefined) templates.set(node.assoc, (byCustom = new WeakMap()))
  byCustom.set(node.custom, t)
  return t
}

/**
 * A through association that loads over its whole chain instead of hop by hop (one statement in the
 * lateral strategy; in the batched one, one, or two when the paths carry only the target's key).
 *
 * @category model
 * @since 0.1.0
 */
export interface OneStatementThrough {
  readonly node: Node
  readonly chain: Chain.Chain
  /** The node of each hop in path order: the first is a sibling of `node`, each next the only child of the previous. */
  readonly hops: ReadonlyArray<Node>
}

// A belongs_to on the target's single primary key: at most one row per owner key.
const toPrimaryKey = (model: Model.AnyModel, assoc: Model.Resolved): boolean => {
  if (assoc._tag !== 'BelongsTo') return false
  const pk = Model.table(model, assoc.target)?.primaryKey ?? []
  return pk.length === 1 && pk[0] === assoc.relatedKey
}

const plain = (c: Custom): boolean => O.isNone(c.limit) && O.isNone(c.offset)

/**
 * The throughs of a level that both strategies load with one statement over the whole chain, and the
 * rule that picks them, in one place. The walk (every hop in order, children in their group's order,
 * deduplicated by primary key, first occurrence wins) is then the chain's rows ordered hop by hop by
 * each hop's order (`orderBy`/`preloadOrder`, then primary key), deduplicated per owner by the
 * target's primary key: the same rows in the same order, without loading the intermediate rows.
 *
 * A through qualifies when its hops are hidden and serve nothing else: each hop node is hidden, has no
 * `limit`/`offset`, every hop but the last is the only child of the previous one and has no other child
 * but the next, and every other through of the level starting with the same hop has the same path; its
 * intermediate hops are has_many (a has_one keeps one row per parent, and a belongs_to or
 * many_to_many hop in the middle would multiply the paths); its last hop is has_many, many_to_many or
 * a belongs_to on the target's primary key. A nested spec on the through's rows (the last hop's
 * children) is loaded on them as usual. The first hop of a qualifying through is not loaded.
 *
 * @category constructors
 * @since 0.1.0
 */
export const oneStatementThroughs = (
  model: Model.AnyModel,
  nodes: ReadonlyArray<Node>,
): ReadonlyArray<OneStatementThrough> => {
  const out: Array<OneStatementThrough> = []
  for (const node of nodes) {
    if (node.assoc._tag !== 'Through') continue
    const path = node.assoc.path
    const hops: Array<Node> = []
    let level: ReadonlyArray<Node> = nodes
    for (const [k, name] of path.entries()) {
      const h = k === 0 ? level.find(n => n.name === name) : level.length === 1 ? level[0] : undefined
      if (
        h === undefined ||
        h.name !== name ||
        h.assoc._tag === 'Through' ||
        !h.hidden ||
        !plain(h.custom) ||
        O.isSome(h.custom.from)
      )
        break
      const last = k === path.length - 1
      const ok = last
        ? h.assoc._tag === 'HasMany' || h.assoc._tag === 'ManyToMany' || toPrimaryKey(model, h.assoc)
        : h.assoc._tag === 'HasMany' && h.custom.where.length === 0 && O.isNone(h.custom.orderBy)
      if (!ok) break
      hops.push(h)
      level = h.children
    }
    if (hops.length !== path.length || hops.length < 2) continue
    const shared = nodes.some(
      n =>
        n !== node &&
        n.assoc._tag === 'Through' &&
        n.assoc.path[0] === path[0] &&
        n.assoc.path.join('\u0000') !== path.join('\u0000'),
    )
    if (shared) continue
    const c = Chain.fromPath(model, node.owner, path)
    if (E.isRight(c)) out.push({ node, chain: c.right, hops })
  }
  return out
}

/**
 * The batched select of a one-statement through for some owner keys: the target's columns plus
 * `__owner`, every path of the chain (not distinct), ordered hop by hop as the walk visits them.
 *
 * @category constructors
 * @since 0.1.0
 */
export const batchedThrough = (
  model: Model.AnyModel,
  t: OneStatementThrough,
  keys: ReadonlyArray<unknown>,
): Select.Select => {
  const alias = (i: number) => `t${i}`
  const n = t.chain.links.length
  const first = t.chain.links[0] as Chain.Link
  const s = throughPaths(model, t, alias, (a, col) => Expr.inList(Expr.column(a, col), keys))
  return Select.set('columns', [
    ...s.columns,
    { name: ownerOutput, expr: Expr.column(alias(n - 1), first.inCol) },
  ])(s)
}

/**
 * `batchedThrough` carrying only the target's primary key and `__owner` on each path, for a target
 * with a single-column primary key: the target rows are then read once each (`byPrimaryKey`) instead
 * of once per path. `null` for any other key. When the last hop is a belongs_to on that key with no
 * filter on the target (`commenters` over `comments.author`), the paths stop one table short: the key
 * is the foreign key of the last table before the target, and the target is not read at all (a key
 * with no target row, or null, is skipped by the caller, as the join would have dropped its path).
 *
 * @category constructors
 * @since 0.1.0
 */
export const batchedThroughKeys = (
  model: Model.AnyModel,
  t: OneStatementThrough,
  keys: ReadonlyArray<unknown>,
): Select.Select | null => {
  const pk = Model.table(model, t.chain.target)?.primaryKey ?? []
  const col = pk[0]
  if (pk.length !== 1 || col === undefined) return null
  const alias = (i: number) => `t${i}`
  const link = (a: string, c: string) => Expr.inList(Expr.column(a, c), keys)
  const n = t.chain.links.length
  const first = t.chain.links[0] as Chain.Link
  const owner = { name: ownerOutput, expr: Expr.column(alias(n - 1), first.inCol) }
  const short = shortPaths(model, t)
  if (short !== null) {
    const s = throughPaths(model, { ...t, chain: short.chain }, i => alias(i + 1), link)
    return Select.set('columns', [{ name: col, expr: Expr.column(alias(1), short.key) }, owner])(s)
  }
  const s = throughPaths(model, t, alias, link)
  return Select.set('columns', [...s.columns.filter(o => o.name === col), owner])(s)
}

// The chain of a one-statement through without its target, when the target's key is the foreign key
// of the table before it (a last hop that is a belongs_to on the target's primary key, no filter on
// the target, the foreign key of the key's SQL type), with that column; `null` otherwise. Kept per
// through node.
const shortPaths = (
  model: Model.AnyModel,
  t: OneStatementThrough,
): { readonly chain: Chain.Chain; readonly key: string } | null => {
  const hit = shortChains.get(t.node)
  if (hit !== undefined && hit.chain === t.chain) return hit.short
  const made = ((): { readonly chain: Chain.Chain; readonly key: string } | null => {
    const last = t.hops[t.hops.length - 1] as Node
    const links = t.chain.links
    const n = links.length
    const target = links[n - 1] as Chain.Link
    const before = links[n - 2]
    if (
      before === undefined ||
      before.schema === null ||
      before.outCol === null ||
      !toPrimaryKey(model, last.assoc) ||
      last.custom.where.length > 0 ||
      target.where.length > 0
    )
      return null
    // The key must read as the target's (an int8 foreign key to an integer key would come as text).
    const typeOf = (schema: string, column: string): string | null =>
      Column.baseType(Model.table(model, schema)?.columns.get(column)?.sqlType ?? null)?.toLowerCase() ?? null
    const own = typeOf(before.schema, before.outCol)
    if (own === null || own !== typeOf(t.chain.target, target.inCol)) return null
    return {
      chain: { ...t.chain, links: links.slice(0, n - 1), target: before.schema },
      key: before.outCol,
    }
  })()
  shortChains.set(t.node, { chain: t.chain, short: made })
  return made
}

const shortChains = new WeakMap<
  Node,
  {
    readonly chain: Chain.Chain
    readonly short: { readonly chain: Chain.Chain; readonly key: string } | null
  }
>()

/**
 * The rows of a schema whose single-column primary key is one of `values` (in no particular order).
 *
 * @category constructors
 * @since 0.1.0
 */
export const byPrimaryKey = (
  model: Model.AnyModel,
  schema: string,
  values: ReadonlyArray<unknown>,
): Select.Select => {
  const table = Model.table(model, schema)
  const pk = table?.primaryKey[0] ?? 'id'
  return Select.withWhere(Expr.inList(Expr.column('t0', pk), values))(
    Select.create({ table: table?.source ?? schema, alias: 't0' }, Chain.outputs(model, schema, 't0')),
  )
}

// Every path of a one-statement through's chain (not distinct), ordered hop by hop as the walk visits
// them; the last hop's filters apply to the target. Also for a chain that stops before the target
// (`shortPaths`: the last hop has no filter, and orders nothing as a belongs_to on the target's key).
const throughPaths = (
  model: Model.AnyModel,
  t: OneStatementThrough,
  alias: (i: number) => string,
  link: (firstAlias: string, inCol: string) => Expr.Expr,
): Select.Select => {
  // links[k] is bound to alias(n - 1 - k)
  const n = t.chain.links.length
  let s = Chain.backward(model, t.chain, alias, link)
  const last = t.hops[t.hops.length - 1] as Node
  for (const f of last.custom.where) s = Select.withWhere(Chain.filterExpr(alias(0), f))(s)
  const terms: Array<Select.OrderTerm> = []
  let at = -1
  for (const h of t.hops) {
    at += h.assoc._tag === 'ManyToMany' ? 2 : 1
    if (!(h === last && toPrimaryKey(model, h.assoc))) terms.push(...order(model, h, alias(n - 1 - at)))
  }
  return Select.set('distinct', false)(Select.withOrder(terms)(s))
}

// A belongs_to to the target's primary key, with no custom limit or offset: at most one row.
const uniqueLink = (model: Model.AnyModel, node: Node, c: Chain.Chain): boolean => {
  if (node.assoc._tag !== 'BelongsTo' || c.links.length !== 1) return false
  if (O.isSome(node.custom.limit) || O.isSome(node.custom.offset)) return false
  const pk = Model.table(model, node.assoc.target)?.primaryKey ?? []
  return pk.length === 1 && pk[0] === c.links[0]?.inCol
}

const textColumns = (
  model: Model.AnyModel,
  schema: string,
  s: Select.Select,
  node?: Node,
): ReadonlyArray<string> => {
  const table = Model.table(model, schema)
  const own = s.columns.filter(o => table?.columns.get(o.name)?.json === 'text').map(o => o.name)
  const project = node?.custom.project ?? O.none
  return O.isNone(project)
    ? own
    : [...own, ...project.value.filter(o => o.asText && !o.own).map(o => o.column)]
}

// A one-statement through as a tree node: the chain's paths correlated to the parent row, one row per
// target primary key (the first path), re-sorted by the first paths' order; the nested spec of the
// through's rows (the last hop's children) under them.
const throughNode = (
  model: Model.AnyModel,
  t: OneStatementThrough,
  parent: Expr.Expr,
  next: () => number,
): E.Either<QueryError.QueryError, TreeNode> => {
  const k = next()
  const alias = (i: number) => `p${k}_${i}`
  const outer = `p${k}_x`
  const paths = throughPaths(model, t, alias, (a, col) => Expr.eq(Expr.column(a, col), parent))
  const w = window(t.node)
  const s: Select.Select = AstNode.make({ ...paths, limit: w.limit, offset: w.offset })
  const last = t.hops[t.hops.length - 1] as Node
  const children = treeNodes(model, last.children, (_, col) => Expr.column(outer, col), next, true)
  if (E.isLeft(children)) return children
  const pk = Model.table(model, t.chain.target)?.primaryKey ?? []
  return E.right({
    name: t.node.name,
    cardinality: t.node.assoc.cardinality,
    schema: t.chain.target,
    select: s,
    asText: textColumns(model, t.chain.target, s),
    children: children.right,
    firstOf: O.some({ keys: pk.map(c => Expr.column(alias(0), c)), alias: outer }),
  })
}

const treeNodes = (
  model: Model.AnyModel,
  nodes: ReadonlyArray<Node>,
  parent: (index: number, ownerCol: string) => Expr.Expr,
  next: () => number,
  oneStatement: boolean,
): E.Either<QueryError.QueryError, ReadonlyArray<TreeNode>> => {
  const out: Array<TreeNode> = []
  // The same throughs as the decoder (`Assemble`) and the batched strategy load in one statement.
  const ones = oneStatement ? oneStatementThroughs(model, nodes) : []
  const skip = new Set<Node>(ones.flatMap(t => [t.node, t.hops[0] as Node]))
  let index = 0
  for (const node of nodes) {
    if (node.assoc._tag === 'Through' || skip.has(node)) continue
    const c = chain(model, node)
    if (E.isLeft(c)) return c
    const k = next()
    const alias = (i: number) => `p${k}_${i}`
    const i = index++
    const b = backward(model, node, c.right, alias, (a, col) =>
      Expr.eq(Expr.column(a, col), parent(i, c.right.ownerCol)),
    )
    // A belongs_to to the target's primary key finds at most one row: nothing to pick, no order.
    const unique = uniqueLink(model, node, c.right)
    const w = window(node)
    // One new select (the same as `base` with the window), not one copy per combinator.
    const s: Select.Select = AstNode.make({
      ...b,
      where:
        node.custom.where.length === 0
          ? b.where
          : [...b.where, ...node.custom.where.map(f => Chain.filterExpr(alias(0), f))],
      orderBy: unique ? [] : [...b.orderBy, ...order(model, node, alias(0))],
      limit: unique ? O.none : w.limit,
      offset: unique ? O.none : w.offset,
    })
    const children = treeNodes(model, node.children, (_, col) => Expr.column(alias(0), col), next, true)
    if (E.isLeft(children)) return children
    out.push({
      name: node.name,
      cardinality: node.assoc.cardinality,
      schema: node.assoc.target,
      select: s,
      asText: textColumns(model, node.assoc.target, s, node),
      children: children.right,
      firstOf: O.none,
    })
  }
  for (const t of ones) {
    const n = throughNode(model, t, parent(-1, t.chain.ownerCol), next)
    if (E.isLeft(n)) return n
    out.push(n.right)
  }
  return E.right(out)
}

// Binding names are numbered per tree, so the same spec always gives the same SQL text.
const counter = (): (() => number) => {
  let n = 0
  return () => n++
}

/**
 * The lateral tree of a spec under a query's rows.
 *
 * @category constructors
 * @since 0.1.0
 */
export const treeOfQuery = (
  model: Model.AnyModel,
  root: Select.Select,
  nodes: ReadonlyArray<Node>,
): E.Either<QueryError.QueryError, Tree> => {
  const alias = root.from.alias
  let byAlias = queryTrees.get(nodes)
  if (byAlias === undefined || byAlias.model !== model)
    queryTrees.set(nodes, (byAlias = { model, trees: new Map() }))
  let ns = byAlias.trees.get(alias)
  if (ns === undefined) {
    ns = treeNodes(model, nodes, (_, col) => Expr.column(alias, col), counter(), true)
    byAlias.trees.set(alias, ns)
  }
  return E.isLeft(ns) ? ns : E.right({ _tag: 'Tree', root: { _tag: 'Query', select: root }, nodes: ns.right })
}

// The nodes under a query root depend on the spec's nodes and the root's alias alone: planned once, and
// the same array every time (the lateral lowering keeps the SQL of the subqueries with it).
const queryTrees = new WeakMap<
  ReadonlyArray<Node>,
  {
    readonly model: Model.AnyModel
    readonly trees: Map<string, E.Either<QueryError.QueryError, ReadonlyArray<TreeNode>>>
  }
>()

/**
 * The lateral tree of a spec under rows in memory: the direct nodes in order, each with its list of
 * owner keys (one per parent; `null` where nothing is to be fetched).
 *
 * @category constructors
 * @since 0.1.0
 */
export const treeOfKeys = (
  model: Model.AnyModel,
  nodes: ReadonlyArray<Node>,
  keys: ReadonlyArray<KeyColumn>,
): E.Either<QueryError.QueryError, Tree> => {
  const alias = 'k'
  // One key column per direct node, by position: every through is walked from its loaded hops here.
  const ns = treeNodes(model, nodes, i => Expr.column(alias, keys[i]?.name ?? ''), counter(), false)
  return E.isLeft(ns)
    ? ns
    : E.right({ _tag: 'Tree', root: { _tag: 'Keys', alias, columns: keys }, nodes: ns.right })
}
