/**
 * Relation aggregates lowered to grouped joins. `$.count('comments')` is built as a correlated scalar
 * subquery (`(select count(*) from comments where post_id = t0.id)`), which is what it means and what
 * a subquery, a preload query or an embedded query keeps. In the root select of a projection,
 * PostgreSQL answers the same question faster as one grouped derived table joined once:
 *
 *   left join (select e.post_id as k, count(*) as v from comments e
 *              where e.post_id = any(array(select t0.id from posts t0 where <the root's own filters>))
 *              group by e.post_id) as "t0_j0" on "t0_j0"."k" = "t0"."id"
 *
 * with `coalesce(v, 0)` for a count. The semi-join repeats the root's filters that read only the root
 * binding (a superset of the root's rows: any other filter still applies outside), so only the
 * aggregated rows of the root's rows are grouped. When those filters only compare the owner column
 * with values (`t0.id >= $1 and t0.id <= $2`, bench W8), they are restated over the key instead
 * (`e.post_id >= $1 and e.post_id <= $2`: the join makes the two equal), with no semi-join, as the
 * hand-written SQL reads. Measured on bench W8 (500 posts, comment and like counts): grouped joins
 * 5.7 ms, lateral counts 7.6 ms, correlated subqueries 8.8 ms; restating the range over the key saved
 * about a tenth of the statement's server CPU at scale 0.25 (none measurable at scale 4).
 *
 * An aggregate is lowered only where that is the same query: it is correlated to the root binding and
 * to nothing else; the root has no limit or offset (the correlated form then counts only the rows kept)
 * and no per-parent window; in a grouped select it stands only inside aggregates (a joined column
 * outside one would be neither grouped nor aggregated). Throughs keep the correlated form (each target
 * record counts once, which a grouped join of the paths does not give for `sum`).
 *
 * A grouped select with a `having` whose relation aggregates are counts summed per group (bench W9)
 * groups first instead, and counts only the records of the groups the `having` keeps (see
 * `groupsFirst` below).
 *
 * `Query` records each relation aggregate it builds (`record`); `select` rewrites a select. Both
 * interpreters run the lowered select, so the differential tests cover it.
 *
 * @since 0.2.0
 */
import * as O from 'fp-ts/lib/Option.js'
import * as Expr from '../ast/Expr.js'
import * as Node from '../ast/Node.js'
import * as Select from '../ast/Select.js'
import * as Sql from '../sql/Compile.js'
import * as Make from './Make.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a relation aggregate is made of: its function, the conjunct correlating it to the owner
 * (`key = outer.ownerColumn`), and its correlated select (one output: the aggregate).
 *
 * @category model
 * @since 0.2.0
 */
export interface Parts {
  readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max'
  readonly link: Expr.Expr
  readonly key: Expr.ColumnRef
  readonly owner: Expr.ColumnRef
  readonly select: Select.Select
  /** Whether the owner column is its table's primary key (one column): no two rows share a value. */
  readonly unique?: boolean
}

const parts = new WeakMap<object, Parts>()

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Records how a relation aggregate's scalar subquery was built (returns it).
 *
 * @category constructors
 * @since 0.2.0
 */
export const record = <E extends Expr.Expr>(scalar: E, p: Parts): E => {
  parts.set(scalar, p)
  return scalar
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The parts `record` kept of a relation aggregate's scalar subquery; `undefined` for any other node.
 *
 * @category utils
 * @since 0.2.0
 */
export const partsOf = (e: object): Parts | undefined => parts.get(e)

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

// The aliases a select binds, its derived tables' included.
const bound = (s: Select.Select, out: Set<string>): Set<string> => {
  for (const b of [s.from, ...s.joins.map(j => j.binding)]) {
    out.add(b.alias)
    if (b.select !== undefined) bound(b.select, out)
  }
  return out
}

// The aliases an expression reads that the selects inside it do not bind.
const freeRefs = (es: ReadonlyArray<Expr.Expr>): Set<string> => {
  const out = new Set<string>()
  const stack: Array<readonly [Expr.Expr, ReadonlySet<string>]> = es.map(e => [e, new Set<string>()] as const)
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [x, own] = top
    if (x._tag === 'ColumnRef') {
      if (!own.has(x.alias)) out.add(x.alias)
      continue
    }
    if (x._tag === 'Exists' || x._tag === 'Scalar' || x._tag === 'InSelect') {
      const inner = bound(x.select, new Set(own))
      for (const c of Expr.selectChildren(x.select)) stack.push([c, inner])
      if (x._tag === 'InSelect') stack.push([x.expr, own])
      continue
    }
    for (const [c] of Make.innerOf(x)) stack.push([c, own])
  }
  return out
}

interface Found {
  readonly scalar: Expr.Expr
  readonly parts: Parts
  /** Whether some occurrence stands outside an aggregate of the select's own rows. */
  bare: boolean
}

// The recorded relation aggregates among a select's own expressions (not inside its subqueries).
// Walked in the order written, so that the joins follow the order of the aggregates.
// `holders`, when given, gets each of `es` that holds one.
const findIn = (es: ReadonlyArray<Expr.Expr>, out: Map<Expr.Expr, Found>, holders?: Set<Expr.Expr>): void => {
  for (const e of es) findFrom(e, false, e, out, holders)
}

// `findIn` from one expression (`inAgg`: inside an aggregate of the select's rows), depth first in
// the order written, with no stack of pairs (this walks every term of a lowered select).
const findFrom = (
  x: Expr.Expr,
  inAgg: boolean,
  root: Expr.Expr,
  out: Map<Expr.Expr, Found>,
  holders: Set<Expr.Expr> | undefined,
): void => {
  const p = parts.get(x)
  if (p !== undefined) {
    const f = out.get(x) ?? { scalar: x, parts: p, bare: false }
    if (!inAgg) f.bare = true
    out.set(x, f)
    holders?.add(root)
    return
  }
  if (x._tag === 'ColumnRef' || x._tag === 'Param' || x._tag === 'Bool') return
  const agg = inAgg || x._tag === 'Agg'
  for (const [c, inSub] of Make.innerOf(x)) if (!inSub) findFrom(c, agg, root, out, holders)
}

// What is found of a relation aggregate once, kept with its parts: `$.count(name)` is built once per
// association and place (see ./Query.ts), so its parts come back for every query that counts it.
interface Memo {
  unlinked?: Select.Select
  closed?: boolean
  inner?: Select.Select
  readonly values: Map<string, Expr.Expr>
}

const memos = new WeakMap<Parts, Memo>()

const memoOf = (p: Parts): Memo => {
  let m = memos.get(p)
  if (m === undefined) memos.set(p, (m = { values: new Map() }))
  return m
}

// The correlated select without its correlating conjunct.
const withoutLink = (p: Parts): Select.Select =>
  (memoOf(p).unlinked ??= Node.make({ ...p.select, where: p.select.where.filter(w => w !== p.link) }))

// Whether the correlating conjunct is the only one that reads the owner: the select has it once, and
// reads no binding of its own select's outside (an aggregate that reads the owner elsewhere, or
// another outer binding, keeps the correlated form).
const closed = (p: Parts): boolean => {
  const m = memoOf(p)
  if (m.closed !== undefined) return m.closed
  const rest = p.select.where.filter(w => w !== p.link)
  let ok = rest.length === p.select.where.length - 1
  if (ok) {
    const own = bound(p.select, new Set())
    for (const a of freeRefs(Expr.selectChildren(withoutLink(p)))) if (!own.has(a)) ok = false
  }
  return (m.closed = ok)
}

// The tags of a filter that compares the owner column with values, and nothing else.
const comparing: ReadonlySet<string> = new Set([
  'ColumnRef',
  'Param',
  'Bool',
  'Compare',
  'InList',
  'IsNull',
  'Not',
  'NotTrue',
  'And',
  'Or',
])

// A root filter that only compares the owner column with values, restated over the key (the join
// makes them equal: `t0.id >= $1` is `e.post_id >= $1` for the rows joined), so the grouped rows are
// found by the key's index with no semi-join; undefined for any other filter.
const overKey = (w: Expr.Expr, p: Parts): Expr.Expr | undefined => {
  const refs = new Map<unknown, Expr.Expr>()
  const stack: Array<Expr.Expr> = [w]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (!comparing.has(x._tag)) return undefined
    if (x._tag === 'ColumnRef') {
      if (x.alias !== p.owner.alias || x.column !== p.owner.column) return undefined
      refs.set(x, p.key)
    }
    for (const [c] of Make.innerOf(x)) stack.push(c)
  }
  return Make.rewrite(() => undefined, refs)(w) as Expr.Expr
}

// A select's fields in a fresh literal, what `{ ...s }` gives for a select our constructors built
// (V8 spreads a frozen object on its slow path, several times the cost of this copy).
const fieldsOf = (s: Select.Select): Omit<Select.Select, keyof Node.Branded> => {
  if (!Node.isNode(s)) return { ...(s as Select.Select) }
  return {
    _tag: s._tag,
    from: s.from,
    columns: s.columns,
    joins: s.joins,
    where: s.where,
    orderBy: s.orderBy,
    limit: s.limit,
    offset: s.offset,
    distinct: s.distinct,
    distinctOn: s.distinctOn,
    groupBy: s.groupBy,
    having: s.having,
    keyed: s.keyed,
    perParent: s.perParent,
  }
}

const grouped = (s: Select.Select): boolean =>
  s.groupBy.length > 0 ||
  s.having.length > 0 ||
  s.columns.some(o => Make.hasAggregate(o.expr)) ||
  s.orderBy.some(t => Make.hasAggregate(t.expr)) ||
  s.distinctOn.some(Make.hasAggregate)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The scope of an expression: the aliases it reads that the selects inside it do not bind (`free`),
 * and the aliases those selects bind (`bound`), their derived tables' included. A tree moved over
 * another binding (a join-preload's computed output, `Joined.rootOf`) reads that binding only if it
 * read only its own root, and no select inside binds the new name.
 *
 * @category utils
 * @since 0.2.0
 */
export const scopeOf = (
  e: Expr.Expr,
): { readonly free: ReadonlySet<string>; readonly bound: ReadonlySet<string> } => {
  const inside = new Set<string>()
  const stack: Array<Expr.Expr> = [e]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (x._tag === 'Exists' || x._tag === 'Scalar' || x._tag === 'InSelect') bound(x.select, inside)
    for (const [c] of Make.innerOf(x)) stack.push(c)
  }
  return { free: freeRefs([e]), bound: inside }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

const lowered = new WeakMap<Select.Select, Select.Select>()

/**
 * A select with the relation aggregates correlated to its root binding lowered to grouped joins
 * (see the module doc); the select itself when none can be. Pure and total (computed once per select).
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Query, Schema } from 'quiver-sql'
 * import * as t from 'io-ts'
 * const Blog = Schema.model(
 *   {
 *     post: Schema.table('post', 'posts', { id: t.number, title: t.string }),
 *     comment: Schema.table('comment', 'comments', { id: t.number, post_id: t.number }),
 *   },
 *   { post: { comments: Schema.hasMany('comment') } },
 * )
 * if (E.isLeft(Blog)) throw new Error('model')
 * const q = pipe(Query.from(Blog.right, 'post'), Query.select((p, $) => ({ id: p.id, n: $.count('comments') })))
 * const sql = Query.toSql(q)
 * assert.ok(E.isRight(sql) && sql.right.text.includes('left join (select'))
 *
 * @category combinators
 * @since 0.2.0
 */
export const select = (s: Select.Select): Select.Select => {
  const hit = lowered.get(s)
  if (hit !== undefined) return hit
  const out = Node.total(
    'Lower.select',
    () => lower(s),
    () => s,
  )
  lowered.set(s, out)
  return out
}

const lower = (s: Select.Select): Select.Select => {
  if (O.isSome(s.limit) || O.isSome(s.offset) || O.isSome(s.perParent)) return s
  const first = groupsFirst(s)
  if (first !== undefined) return first
  const root = s.from.alias
  const found = new Map<Expr.Expr, Found>()
  const holders = new Set<Expr.Expr>()
  for (const o of s.columns) findFrom(o.expr, false, o.expr, found, holders)
  findIn(s.where, found, holders)
  for (const t of s.orderBy) findFrom(t.expr, false, t.expr, found, holders)
  findIn(s.having, found, holders)
  findIn(s.distinctOn, found, holders)
  findIn(s.groupBy, found, holders)
  if (found.size === 0) return s
  const isGrouped = grouped(s)
  const eligible = [...found.values()].filter(f => {
    if (isGrouped && f.bare) return false
    const p = f.parts
    return p.owner.alias === root && closed(p)
  })
  if (eligible.length === 0) return s
  // The root's filters that read the root binding only, and no lowered aggregate: the semi-join that
  // keeps the grouping to the aggregated rows of the root's rows.
  const lowerable = new Set(eligible.map(f => f.scalar))
  const pushable =
    s.from.select === undefined
      ? s.where.filter(w => {
          const inner = new Map<Expr.Expr, Found>()
          findIn([w], inner)
          if ([...inner.keys()].some(k => lowerable.has(k))) return false
          const refs = freeRefs([w])
          return refs.size === 1 && refs.has(root)
        })
      : []
  // Aggregates over the same rows (the same association, filters and key) share one derived table;
  // their rows are compiled to be compared only when another aggregate reads the same table.
  interface Group {
    rows?: Sql.CompiledQuery
    readonly members: Array<Found>
  }
  const rowsOf = (f: Found): Sql.CompiledQuery =>
    Sql.toSql(Select.set('columns', [{ name: 'k', expr: f.parts.key }])(withoutLink(f.parts)))
  const groups: Array<Group> = []
  for (const f of eligible) {
    const table = f.parts.select.from.table
    const candidates = groups.filter(x => (x.members[0] as Found).parts.select.from.table === table)
    const rows = candidates.length === 0 ? undefined : rowsOf(f)
    const g =
      rows === undefined
        ? undefined
        : candidates.find(x => {
            const other = (x.rows ??= rowsOf(x.members[0] as Found))
            return (
              other.text === rows.text &&
              other.params.length === rows.params.length &&
              other.params.every((v, i) => Object.is(v, rows.params[i]))
            )
          })
    if (g === undefined) groups.push(rows === undefined ? { members: [f] } : { rows, members: [f] })
    else g.members.push(f)
  }
  const replace = new Map<unknown, Expr.Expr>()
  const joins: Array<Select.Join> = []
  groups.forEach(({ members }, i) => {
    const p = (members[0] as Found).parts
    const alias = `${root}_j${i}`
    const grouping = (): Select.Select =>
      Select.set('groupBy', [p.key])(
        Select.set('columns', [
          { name: 'k', expr: p.key },
          ...members.map((m, j) => ({
            name: `v${j}`,
            expr: m.parts.select.columns[0]?.expr ?? Expr.agg('count', []),
          })),
        ])(withoutLink(p)),
      )
    // the grouped rows of one aggregate alone are the same select every time
    let inner = members.length === 1 ? (memoOf(p).inner ??= grouping()) : grouping()
    const onKey = pushable.map(w => overKey(w, p))
    if (onKey.every(w => w !== undefined)) for (const w of onKey) inner = Select.withWhere(w)(inner)
    else {
      let keys = Select.create({ table: s.from.table, alias: root }, [
        { name: p.owner.column, expr: Expr.column(root, p.owner.column) },
      ])
      for (const w of pushable) keys = Select.withWhere(w)(keys)
      inner = Select.withWhere(Expr.inSelect(p.key, keys, true))(inner)
    }
    joins.push(
      Select.join(
        'left',
        Select.derived(inner, alias),
        Expr.eq(Expr.column(alias, 'k'), Expr.column(root, p.owner.column)),
      ),
    )
    members.forEach((m, j) => {
      const values = memoOf(m.parts).values
      const name = `${alias}\u0000${j}`
      let value = values.get(name)
      if (value === undefined) {
        // marked with the aggregate's type, as a column of it would be (a double's whole values, decimal text)
        const v = Expr.column(alias, `v${j}`, Make.refType(Make.infoOf(m.scalar)))
        value = Make.typed(
          m.parts.fn === 'count' ? Expr.call('coalesce', [v, Expr.cast(Expr.param(0), 'bigint')]) : v,
          Make.infoOf(m.scalar),
        )
        if (values.size < 64) values.set(name, value)
      }
      replace.set(m.scalar, value)
    })
  })
  // Only the expressions that hold an aggregate are rewritten; the rest of the select is kept as it is.
  const walk = Make.rewrite(() => undefined, replace)
  const swap = (e: Expr.Expr): Expr.Expr => (holders.has(e) ? (walk(e) as Expr.Expr) : e)
  const swapList = (es: ReadonlyArray<Expr.Expr>): ReadonlyArray<Expr.Expr> =>
    es.some(e => holders.has(e)) ? es.map(swap) : es
  return Node.make({
    ...fieldsOf(s),
    columns: s.columns.some(o => holders.has(o.expr))
      ? s.columns.map(o => (holders.has(o.expr) ? { ...o, expr: swap(o.expr) } : o))
      : s.columns,
    joins: [...s.joins, ...joins],
    where: swapList(s.where),
    orderBy: s.orderBy.some(t => holders.has(t.expr))
      ? s.orderBy.map(t => (holders.has(t.expr) ? { ...t, expr: swap(t.expr) } : t))
      : s.orderBy,
    having: swapList(s.having),
    distinctOn: swapList(s.distinctOn),
    groupBy: swapList(s.groupBy),
  })
}

// A grouped select with a `having` whose relation aggregates are counts summed per group, each an
// output of its own (`comments: Fn.sum($.count('comments'))`, bench W9), groups first and counts
// after: the groups are made and filtered by the `having` in a derived table that also gathers the
// owner keys of each group's rows (`array_agg`), and each sum is the count of the associated records
// whose key is one of them:
//
//   select g.c0 as user_id, ..., cast((select count(*) from comments e
//       where e.post_id = any(g.ids)) as numeric) as comments
//     from (select t0.user_id as c0, ..., array_agg(t0.id) as ids from posts t0 where <the filters>
//           group by ... having ...) g
//     order by g.c0, ...
//
// so only the records of the groups kept are counted (one index probe per key), where the grouped
// join counts those of every row before grouping, and a group's rows are never looked for again. The
// sum of the per-row counts is the count over the group's keys when no two rows of a group share an
// owner key (the owner column is the root's primary key, and there is no join to repeat a row). The
// cast keeps `sum`'s type (numeric). An order term that is an output is ordered by that output; the
// derived table holds each term once. Anything else keeps the grouped join.
//
// Measured against other lowerings of bench W9 (backend CPU per prepared execution, utime + stime
// over 40-60 interleaved runs, 2026-12-07, loaded machine; this form / the alternative / hand-written
// raw-separate's two statements, ms): one statement counting each group's unnested keys joined to the
// comments, 5.7 / 7.5 / 4.3 at scale 0.25 and 9.3 / 11.5 / 10.3 at scale 4; the comments
// pre-aggregated by key for the root's filtered rows and joined to the unnested keys, 6.5 / 9.8 / 4.5
// (0.25); the same pre-aggregation over the kept groups' keys found by grouping again, 6.5 / 6.5 / 4.5
// (0.25) and 9.3 / 13.5 / 10.3 (4); with the groups in a CTE read twice (the AST has no CTE), 6.8 /
// 4.8 / 4.8 (0.25) but 9.3 / 10.5 / 10.0 (4). None is cheaper at every scale, so this form stays: at
// small scale its ~130 index probes (one per group) visit more heap pages than one probe of all the
// kept keys (5,034 buffer hits against 1,863), at large scale they do not. PostgreSQL's first five
// executions of a prepared statement plan it with its values, estimate 661 groups for 130 and
// cross `jit_above_cost` (cost 217,655 at scale 0.25), paying 20-30 ms of JIT; the generic plan
// from the sixth on does not (cost 2,707).
const groupsFirst = (s: Select.Select): Select.Select | undefined => {
  if (
    s.groupBy.length === 0 ||
    s.having.length === 0 ||
    s.from.select !== undefined ||
    s.joins.length > 0 ||
    s.distinct ||
    s.distinctOn.length > 0
  )
    return undefined
  const root = s.from.alias
  // The outputs that are a sum of a relation count, the only place a relation aggregate stands.
  const summed = new Map<number, Parts>()
  s.columns.forEach((o, i) => {
    const e = o.expr
    if (e._tag !== 'Agg' || e.fn !== 'sum' || e.distinct || O.isSome(e.filter) || e.orderBy.length > 0) return
    const arg = e.args[0]
    const p = arg === undefined || e.args.length !== 1 ? undefined : parts.get(arg)
    if (p !== undefined) summed.set(i, p)
  })
  if (summed.size === 0) return undefined
  for (const p of summed.values()) {
    if (p.fn !== 'count' || p.unique !== true || p.owner.alias !== root || !closed(p)) return undefined
  }
  const elsewhere = new Map<Expr.Expr, Found>()
  s.columns.forEach((o, i) => {
    if (!summed.has(i)) findFrom(o.expr, false, o.expr, elsewhere, undefined)
  })
  findIn(s.where, elsewhere)
  for (const t of s.orderBy) findFrom(t.expr, false, t.expr, elsewhere, undefined)
  findIn(s.having, elsewhere)
  findIn(s.groupBy, elsewhere)
  if (elsewhere.size > 0) return undefined
  const g = `${root}_g`
  // Each term of the outputs and the order once (an order term naming an output is that output's term).
  const columns: Array<Select.Output> = []
  const column = (e: Expr.Expr, name: string): Expr.Expr => {
    const same = columns.find(c => c.expr === e)
    if (same !== undefined) return Expr.column(g, same.name, Make.refType(Make.infoOf(e)))
    columns.push({ name, expr: e })
    return Expr.column(g, name, Make.refType(Make.infoOf(e)))
  }
  const outputs = s.columns.map((o, i) => (summed.has(i) ? undefined : column(o.expr, `c${i}`)))
  const order = s.orderBy.map((t, k) => ({ ...t, expr: column(t.expr, `o${k}`) }))
  const ids = `${root}_ids`
  const owner = (summed.values().next().value as Parts).owner.column
  if ([...summed.values()].some(p => p.owner.column !== owner)) return undefined
  columns.push({ name: ids, expr: Expr.agg('arrayAgg', [Expr.column(root, owner)]) })
  const inner = Node.make({ ...fieldsOf(s), columns, orderBy: [] })
  return Node.make({
    ...fieldsOf(
      Select.create(
        Select.derived(inner, g),
        s.columns.map((o, i) => {
          const p = summed.get(i)
          if (p === undefined) return { name: o.name, expr: outputs[i] as Expr.Expr }
          // the count over a group's keys is the same expression for every query of this aggregate
          const values = memoOf(p).values
          const name = `groups\u0000${g}\u0000${ids}`
          let expr = values.get(name)
          if (expr === undefined) {
            const count = Select.withWhere(Expr.inArray(p.key, Expr.column(g, ids)))(withoutLink(p))
            expr = Expr.cast(Expr.scalar(count), 'numeric')
            if (values.size < 64) values.set(name, expr)
          }
          return { name: o.name, expr }
        }),
      ),
    ),
    orderBy: order,
  })
}
