/**
 * The lateral strategy's PostgreSQL lowering: a whole preload tree as one statement. Each association
 * is a correlated subquery in its parent's select list (evaluated per parent row, after the root's
 * ORDER BY / LIMIT). A to-many one is `coalesce(json_agg(row_to_json(j)), '[]')` over a subquery of the
 * target's columns with its own ORDER BY / LIMIT / OFFSET (so top-N is per parent): the aggregate reads
 * the rows in the subquery's order, which PostgreSQL keeps when nothing stands between the ordered
 * subquery and the aggregate (no join, no grouping at the aggregate's level — and none is ever
 * generated there), so no rank column is computed or sent. A to-one one is `row_to_json(j)` of the
 * first row; a belongs_to to the target's primary key has no ORDER BY / LIMIT at all (one row at most).
 * A through that loads in one statement (`Plan.oneStatementThroughs`: hops hidden, serving nothing
 * else) is one subquery over its whole chain: `select distinct on (<target key>) ...` over the paths
 * in walk order keeps each target's first path, and the outer level re-sorts by the first paths'
 * order — the walk's deduplicated value, without the hops.
 * The JSON objects carry exactly the target's columns and the nested associations. Columns that must
 * cross JSON as text (int8, numeric) are cast `::text`, so that nested values decode to what top-level
 * rows hold; timestamptz crosses as ISO text and is turned back into a `Date` when decoded.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/lib/Option.js'
import type { SelectField } from '../ast/Expr.js'
import type * as Select from '../ast/Select.js'
import type { Root, Tree, TreeNode } from '../ast/Tree.js'
import * as Sql from './Compile.js'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const { ident } = Sql

// The clauses a node shares with any select (the compiler's `clause`, so both spell them alike).
const from = (ctx: Sql.Context, s: Select.Select): string =>
  Sql.clause.from(ctx, s.from) + Sql.clause.joins(ctx, s.joins) + Sql.clause.where(ctx, s.where)

const tail = (ctx: Sql.Context, s: Select.Select): string =>
  Sql.clause.orderBy(ctx, s.orderBy) + Sql.clause.limit(ctx, s.limit) + Sql.clause.offset(ctx, s.offset)

// A column read under its own name needs no alias (the output is named after the column).
const output = (ctx: Sql.Context, o: Select.Output, asText: boolean): string =>
  asText
    ? `${Sql.expr(ctx, o.expr)}::text as ${ident(o.name)}`
    : o.expr._tag === 'ColumnRef' && o.expr.column === o.name
      ? Sql.expr(ctx, o.expr)
      : `${Sql.expr(ctx, o.expr)} as ${ident(o.name)}`

const direction = Sql.direction

// What each field of a node's select renders in the node's subquery (the clauses any select has are
// the compiler's `clause`), so a new field does not compile until it says what it does here. A
// node's columns come with its children's subqueries, already rendered (their parameters come first).
const nodeClause: {
  readonly [K in SelectField]: (
    ctx: Sql.Context,
    v: Select.Select[K],
    node: TreeNode,
    children: ReadonlyArray<string>,
  ) => string
} = {
  _tag: () => '',
  // The planner sets neither on a node's select: a node's window is its own limit and offset, applied
  // inside its parent row's subquery (`perParent` is the batched strategy's), and its rows are distinct.
  distinct: () => '',
  perParent: () => '',
  distinctOn: (ctx, es) => Sql.clause.distinctOn(ctx, es),
  groupBy: (ctx, es) => Sql.clause.groupBy(ctx, es),
  having: (ctx, hs) => Sql.clause.having(ctx, hs),
  keyed: () => '',
  columns: (ctx, cs, node, children) =>
    [...cs.map(o => output(ctx, o, node.asText.includes(o.name))), ...children].join(', '),
  from: (ctx, b) => Sql.clause.from(ctx, b),
  joins: (ctx, js) => Sql.clause.joins(ctx, js),
  where: (ctx, w) => Sql.clause.where(ctx, w),
  orderBy: (ctx, ts) => Sql.clause.orderBy(ctx, ts),
  limit: (ctx, l) => Sql.clause.limit(ctx, l),
  offset: (ctx, o) => Sql.clause.offset(ctx, o),
}

// The rows of a node: its select, or for a one-statement through, the first path per target key
// (`distinct on` over the paths in walk order), re-sorted by the first paths' order.
const rows = (ctx: Sql.Context, node: TreeNode, depth: { n: number }): string => {
  const s = node.select
  const children = node.children.map(c => `${subquery(ctx, c, depth)} as ${ident(c.name)}`)
  const c = nodeClause
  if (O.isNone(node.firstOf))
    return `select ${c.distinct(ctx, s.distinct, node, children)}${c.distinctOn(ctx, s.distinctOn, node, children)}${c.columns(ctx, s.columns, node, children)}${c.from(ctx, s.from, node, children)}${c.joins(ctx, s.joins, node, children)}${c.where(ctx, s.where, node, children)}${c.groupBy(ctx, s.groupBy, node, children)}${c.having(ctx, s.having, node, children)}${c.orderBy(ctx, s.orderBy, node, children)}${c.limit(ctx, s.limit, node, children)}${c.offset(ctx, s.offset, node, children)}${c.perParent(ctx, s.perParent, node, children)}`
  const { keys, alias } = node.firstOf.value
  const x = ident(alias)
  const on = keys.map(k => Sql.expr(ctx, k))
  const inner = `select distinct on (${on.join(', ')}) ${[
    ...s.columns.map(o => `${Sql.expr(ctx, o.expr)} as ${ident(o.name)}`),
    ...s.orderBy.map((t, i) => `${Sql.expr(ctx, t.expr)} as "__o${i}"`),
  ].join(', ')}${from(ctx, s)} order by ${[
    ...on.map(k => `${k} asc`),
    ...s.orderBy.map(t => Sql.orderTerm(ctx, t)),
  ].join(', ')}`
  const cols = s.columns.map(
    o => `${x}.${ident(o.name)}${node.asText.includes(o.name) ? `::text as ${ident(o.name)}` : ''}`,
  )
  let text = `select ${[...cols, ...children].join(', ')} from (${inner}) as ${x}`
  if (s.orderBy.length > 0)
    text += ` order by ${s.orderBy.map((t, i) => `${x}."__o${i}" ${direction(t)}`).join(', ')}`
  return text + Sql.clause.limit(ctx, s.limit) + Sql.clause.offset(ctx, s.offset)
}

// The root's column list, rendered once per (frozen) list of outputs when it holds no parameter: a
// root is mostly its table's columns (`Chain.outputs`, the same list every time).
const rootColumnsText = new WeakMap<ReadonlyArray<Select.Output>, string>()
const rootColumns = (ctx: Sql.Context, cs: ReadonlyArray<Select.Output>): string => {
  const hit = rootColumnsText.get(cs)
  if (hit !== undefined) return hit
  const before = ctx.params.length
  const text = cs.map(o => output(ctx, o, false)).join(', ')
  if (ctx.params.length === before) rootColumnsText.set(cs, text)
  return text
}

// A node's rows as its JSON value, by cardinality: the first row's object, or the array of them.
const aggregate: Readonly<Record<TreeNode['cardinality'], (j: string, rows: string) => string>> = {
  one: (j, rows) => `(select row_to_json(${j}) from (${rows}) as ${j})`,
  many: (j, rows) => `(select coalesce(json_agg(row_to_json(${j})), '[]'::json) from (${rows}) as ${j})`,
}

const subquery = (ctx: Sql.Context, node: TreeNode, depth: { n: number }): string => {
  const j = ident(`j${depth.n++}`)
  return aggregate[node.cardinality](j, rows(ctx, node, depth))
}

// The statement around the subqueries, by what the tree hangs from.
const roots: {
  readonly [K in Root['_tag']]: (
    ctx: Sql.Context,
    root: Extract<Root, { readonly _tag: K }>,
    subs: string,
  ) => string
} = {
  Keys: (ctx, { alias, columns }, subs) => {
    // `run/Preload` refuses a key column whose type `typeName` does not spell (`text` is never reached).
    const arrays = columns.map(c => `${Sql.param(ctx, c.values)}::${Sql.typeName(c.sqlType) ?? 'text'}[]`)
    const names = [...columns.map(c => ident(c.name)), '"__ord"']
    return `select ${ident(alias)}."__ord"${subs === '' ? '' : `, ${subs}`} from unnest(${arrays.join(', ')}) with ordinality as ${ident(alias)}(${names.join(', ')}) order by ${ident(alias)}."__ord"`
  },
  Query: (ctx, { select: s }, subs) => {
    if (s.distinct || s.distinctOn.length > 0 || s.groupBy.length > 0 || s.having.length > 0) {
      // json has no equality: a distinct root is computed first, numbered in its order, then extended
      // (a grouped one too: the subqueries read the group's columns, not the rows under it).
      const inner = Sql.select(ctx, s)
      return `select ${ident(s.from.alias)}.*${subs === '' ? '' : `, ${subs}`} from (select "q".*, row_number() over () as "__ord" from (${inner}) as "q") as ${ident(s.from.alias)} order by ${ident(s.from.alias)}."__ord"`
    }
    const cols = rootColumns(ctx, s.columns)
    const list = cols === '' ? subs : subs === '' ? cols : `${cols}, ${subs}`
    return `select ${list}${from(ctx, s)}${tail(ctx, s)}`
  },
}

const lowered = new WeakMap<
  ReadonlyArray<TreeNode>,
  {
    /** The subqueries' select items, joined. */
    readonly subs: string
    readonly params: ReadonlyArray<unknown>
    readonly json: Readonly<Record<number, Sql.JsonParam>>
    readonly counts: Readonly<Record<number, Sql.CountParam>>
    /** Whether `json` / `counts` are empty (then not copied for each statement). */
    readonly noJson: boolean
    readonly noCounts: boolean
  }
>()

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The statement of a tree: the root's rows (or, for a `Keys` root, one row per position, in order),
 * each with one JSON column per direct association.
 *
 * @example
 * // Pg.all(pipe(Query.from(Blog, 'post'), Query.preload({ comments: { author: true } })), { strategy: 'lateral' })
 * // select "t0"."id" as "id", ..., (select coalesce(json_agg(row_to_json("j0")), '[]'::json) from
 * //   (select "p0_0"."id" as "id", ..., (select row_to_json("j1") from (select "p1_0"."id" as "id", ...
 * //   from "users" as "p1_0" where "p1_0"."id" = "p0_0"."author_id") as "j1") as "author"
 * //   from "comments" as "p0_0" where "p0_0"."post_id" = "t0"."id" order by "p0_0"."id" asc) as "j0") as "comments"
 * // from "posts" as "t0"
 *
 * @category destructors
 * @since 0.1.0
 */
export const toSql = (tree: Tree): Sql.CompiledQuery => {
  // The subqueries come first in the text's parameter order and depend on the nodes alone: lowered once
  // per node list (`Plan.treeOfQuery` returns the same list for the same spec), the root each time.
  let cached = lowered.get(tree.nodes)
  if (cached === undefined) {
    const c = Sql.context()
    const depth = { n: 0 }
    cached = {
      subs: tree.nodes.map(n => `${subquery(c, n, depth)} as ${ident(n.name)}`).join(', '),
      params: c.params,
      json: c.json,
      counts: c.counts,
      noJson: Object.keys(c.json).length === 0,
      noCounts: Object.keys(c.counts).length === 0,
    }
    lowered.set(tree.nodes, cached)
  }
  const ctx: Sql.Context = {
    params: cached.params.slice(),
    json: cached.noJson ? {} : { ...cached.json },
    counts: cached.noCounts ? {} : { ...cached.counts },
  }
  const text = (roots[tree.root._tag] as (ctx: Sql.Context, r: Root, subs: string) => string)(
    ctx,
    tree.root,
    cached.subs,
  )
  return Sql.compiled(ctx, text)
}
