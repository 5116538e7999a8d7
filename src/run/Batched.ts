/**
 * The batched strategy, on any interpreter through `Interpreter.select` alone: one statement per
 * association level (`owner_key = any($1)`, one array parameter, the keys deduplicated and without
 * nulls; no statement at all when there is no key), sibling associations concurrently, nested levels
 * after their parents. Rows are grouped by owner key with a `Map`, so parents with equal keys share
 * the same children and the order inside a group is the select's order. Associations already loaded
 * on a row are kept (unless `force`), and the nested spec is applied to their rows. A through whose
 * hops are hidden (`Plan.oneStatementThroughs`) is loaded hop by hop without building its
 * intermediate rows: one single-table `= any($1)` statement per hop reading only the keys (whole rows
 * on the last hop), each hop's keys feeding the next, the walk done in memory.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Assemble from '../decode/Assemble.js'
import * as Decode from '../decode/Decode.js'
import * as DecodeError from '../error/DecodeError.js'
import type { LoadError } from '../error/Errors.js'
import * as QueryError from '../error/QueryError.js'
import * as Plan from '../plan/Preload.js'
import type { Node } from '../plan/Spec.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import type { Interpreter } from './Interpreter.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export type { LoadError } from '../error/Errors.js'

type Row = Assemble.Row

const empty: ReadonlyArray<Row> = Object.freeze([])

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

type Result<A> = Promise<E.Either<LoadError, A>>

// The value each parent gets for one association: looked up by the parent's owner key in `values`
// (`none` without a key or a match), unless `kept` has one for the parent (an association the
// parent came with).
interface Value {
  readonly ownerCol: string
  readonly values: ReadonlyMap<unknown, unknown>
  readonly none: unknown
  readonly kept: ((parent: Row) => unknown) | null
}

// The distinct non-null keys of `col` on the parents whose association is not kept.
const keysOf = (parents: ReadonlyArray<Row>, col: string, kept: (p: Row) => boolean): Array<unknown> => {
  const keys: Array<unknown> = []
  const seen = new Set<unknown>()
  for (let j = 0; j < parents.length; j++) {
    const p = parents[j] as Row
    if (kept(p)) continue
    const k = p[col]
    if (k === null || k === undefined) continue
    const key = Assemble.keyOf(k)
    if (seen.has(key)) continue
    seen.add(key)
    keys.push(k)
  }
  return keys
}

// The owner keys of one column on all the parents: each parent's `Map` key (`undefined` for none),
// and the distinct non-null values (the statement's parameter). Computed once per level and column:
// sibling associations with the same owner column (a post's comments, permalink and tags) share them,
// and each parent's row is read once per column instead of once per association.
interface OwnerKeys {
  readonly at: ReadonlyArray<unknown>
  readonly keys: ReadonlyArray<unknown>
}
type KeyCache = Map<string, OwnerKeys>

const ownerKeys = (parents: ReadonlyArray<Row>, col: string, cache: KeyCache): OwnerKeys => {
  const hit = cache.get(col)
  if (hit !== undefined) return hit
  const at: Array<unknown> = new Array(parents.length)
  const keys: Array<unknown> = []
  const seen = new Set<unknown>()
  for (let j = 0; j < parents.length; j++) {
    const k = (parents[j] as Row)[col]
    if (k === null || k === undefined) continue
    const key = Assemble.keyOf(k)
    at[j] = key
    if (seen.has(key)) continue
    seen.add(key)
    keys.push(k)
  }
  const made = { at, keys }
  cache.set(col, made)
  return made
}

const unknownSchema = (node: Node) =>
  E.left(QueryError.make('UnknownSchema', `cannot preload '${node.name}'`, node.owner, node.name))

const failed: unique symbol = Symbol('failed')

interface OwnerDecoder {
  /** The owner column's codec, without its `| null` (`Column.nonNull`). */
  readonly base: Column.Codec<unknown>
  /** The owner key of a batched row's `__owner` output, or `failed`. */
  readonly decode: (o: unknown) => unknown
  readonly error: (o: unknown) => DecodeError.DecodeError
}

const ownerDecoders = new WeakMap<Model.Resolved, OwnerDecoder>()

// Decodes the `__owner` output of a batched row with the owner column's codec.
const ownerDecoder = (model: Model.AnyModel, node: Node, col: string): OwnerDecoder | undefined => {
  const hit = ownerDecoders.get(node.assoc)
  if (hit !== undefined) return hit
  const owner = Model.table(model, node.owner)
  const codec = owner?.columns.get(col)?.codec
  if (codec === undefined) return undefined
  const name = owner?.name ?? node.owner
  const d: OwnerDecoder = {
    base: Column.nonNull(codec),
    decode: o => {
      if (codec.is(o)) return o
      const k = codec.decode(o)
      return E.isLeft(k) ? failed : k.right
    },
    error: o => DecodeError.make(name, col, o, codec.name),
  }
  ownerDecoders.set(node.assoc, d)
  return d
}

// Integer keys (numbers, or `bigint` as decoded: a bigint or a string of digits) in ascending order,
// as PostgreSQL orders them (`Plan.memoryOrder`).
const compareKeys = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const x = typeof a === 'bigint' ? a : BigInt(a as string | number)
  const y = typeof b === 'bigint' ? b : BigInt(b as string | number)
  return x < y ? -1 : x > y ? 1 : 0
}

const comparators = new Map<string, (x: Row, y: Row) => number>()

// A row comparator on one integer key column (the same function per column).
const byKey = (col: string): ((x: Row, y: Row) => number) => {
  let f = comparators.get(col)
  if (f === undefined) comparators.set(col, (f = (x, y) => compareKeys(x[col], y[col])))
  return f
}

// Parents `[0, owned)` are rows this load decoded from its own statements (with exactly their table's
// columns, so no association loaded yet); the others are rows given to `into`, or already loaded on
// them, whose loaded associations are kept unless `force`.
const loadNode = async (
  i: Interpreter,
  model: Model.AnyModel,
  node: Node,
  force: boolean,
  parents: ReadonlyArray<Row>,
  owned: number,
  cache: KeyCache,
): Result<Value> => {
  const c = Plan.chain(model, node)
  if (E.isLeft(c)) return c
  const ownerCol = c.right.ownerCol
  const target = Model.table(model, node.assoc.target)
  const decodeOwner = ownerDecoder(model, node, ownerCol)
  if (target === undefined || decodeOwner === undefined) return unknownSchema(node)
  const loaded: Array<Row> = []
  let ranges: Map<Row, readonly [number, number]> | undefined
  if (!force)
    for (let j = owned; j < parents.length; j++) {
      const p = parents[j] as Row
      const v = p[node.name]
      if (v === undefined) continue
      const rows = Assemble.rowsOf(v)
      ranges ??= new Map()
      ranges.set(p, [loaded.length, loaded.length + rows.length])
      loaded.push(...rows)
    }
  const keys =
    ranges === undefined
      ? ownerKeys(parents, ownerCol, cache).keys
      : keysOf(parents, ownerCol, p => ranges?.has(p) === true)
  // The owner key of rows[j]: owners[j], or (null) the owner field of the decoded row
  let owners: Array<unknown> | null = null
  let rows: Array<Row> = []
  const field = Plan.ownerField(c.right)
  if (keys.length > 0) {
    const raw = await i.select(Plan.batched(model, node, c.right, keys))()
    if (E.isLeft(raw)) return raw
    // The owner key is read with the owner column's codec: from the raw output when the target
    // decodes that field otherwise (or does not have it), else from the decoded row.
    const fieldCodec = target.columns.get(field)?.codec
    if (fieldCodec === undefined || Column.nonNull(fieldCodec) !== decodeOwner.base) {
      owners = new Array(raw.right.length)
      for (let j = 0; j < raw.right.length; j++) {
        const o = decodeOwner.decode((raw.right[j] as Row)[field])
        if (o === failed) return E.left(decodeOwner.error((raw.right[j] as Row)[field]))
        owners[j] = o
      }
    }
    const decoded = Decode.rows(target, raw.right)
    if (E.isLeft(decoded)) return decoded
    rows = decoded.right
  }
  // children[j] is rows[j] (completed in place) for j < rows.length, then the loaded rows; a leaf's
  // own rows are final and frozen while grouped
  const leaf = node.children.length === 0
  let children: ReadonlyArray<Row> = loaded.length === 0 ? rows : [...rows, ...loaded]
  if (!leaf) {
    const r = await level(i, model, node.children, force, children, rows.length)
    if (E.isLeft(r)) return r
    children = r.right
  }
  const many = node.assoc.cardinality === 'many'
  const none = many ? empty : O.none
  const values = new Map<unknown, unknown>()
  for (let j = 0; j < rows.length; j++) {
    const child = children[j] as Row
    if (leaf) Object.freeze(child)
    const key = Assemble.keyOf(owners === null ? child[field] : owners[j])
    const g = values.get(key)
    if (many)
      if (g === undefined) values.set(key, [child])
      else (g as Array<Row>).push(child)
    else if (g === undefined) values.set(key, O.some(child))
  }
  const by = many ? Plan.memoryOrder(model, node) : null
  if (by !== null) values.forEach(g => (g as Array<Row>).sort(byKey(by)))
  if (many) values.forEach(g => Object.freeze(g))
  const base = rows.length
  const kept =
    ranges === undefined
      ? null
      : (p: Row): unknown => {
          const range = ranges.get(p)
          return range === undefined
            ? undefined
            : Assemble.valueOf(node.assoc.cardinality, children.slice(base + range[0], base + range[1]))
        }
  return E.right({ ownerCol, values, none, kept })
}

// A leaf level: its own rows are final (frozen in place), rows already loaded are kept as they are.
const finish = (rows: ReadonlyArray<Row>, loaded: ReadonlyArray<Row>): ReadonlyArray<Row> => {
  for (let j = 0; j < rows.length; j++) Object.freeze(rows[j])
  return loaded.length === 0 ? rows : [...rows, ...loaded]
}

interface LevelPlan {
  /** Throughs loaded hop by hop with key-only steps (`loadThrough`). */
  readonly ones: ReadonlyArray<Plan.OneStatementThrough>
  /** Direct nodes loaded by a statement each. */
  readonly direct: ReadonlyArray<Node>
  /** The nodes `complete` sees: the throughs it walks (and their hops). */
  readonly walked: ReadonlyArray<Node>
  readonly throughs: boolean
  /** The names set on each row: the direct nodes', then the one-statement throughs'. */
  readonly names: ReadonlyArray<string>
}

const planOf = (nodes: ReadonlyArray<Node>, ones: ReadonlyArray<Plan.OneStatementThrough>): LevelPlan => {
  const skip = new Set<Node>(ones.flatMap(t => [t.node, t.hops[0] as Node]))
  const direct = nodes.filter(n => n.assoc._tag !== 'Through' && !skip.has(n))
  const walked = ones.length === 0 ? nodes : nodes.filter(n => !skip.has(n))
  return {
    ones,
    direct,
    walked,
    throughs: walked.some(n => n.assoc._tag === 'Through'),
    names: [...direct.map(n => n.name), ...ones.map(t => t.node.name)],
  }
}

// A level's plan, kept per normalised level (a value of one model).
const levelPlans = new WeakMap<ReadonlyArray<Node>, LevelPlan>()

const levelPlan = (model: Model.AnyModel, nodes: ReadonlyArray<Node>): LevelPlan => {
  // Without a through the plan is the level itself (nothing worth keeping).
  if (nodes.every(n => n.assoc._tag !== 'Through'))
    return { ones: [], direct: nodes, walked: nodes, throughs: false, names: nodes.map(n => n.name) }
  const hit = levelPlans.get(nodes)
  if (hit !== undefined) return hit
  const plan = planOf(nodes, Plan.oneStatementThroughs(model, nodes))
  levelPlans.set(nodes, plan)
  return plan
}

const level = async (
  i: Interpreter,
  model: Model.AnyModel,
  nodes: ReadonlyArray<Node>,
  force: boolean,
  parents: ReadonlyArray<Row>,
  owned: number,
): Result<ReadonlyArray<Row>> => {
  if (parents.length === 0) return E.right(empty)
  let plan = levelPlan(model, nodes)
  // A through whose first hop a parent already has is walked from it (the hop is kept).
  if (!force && plan.ones.length > 0) {
    const usable = plan.ones.filter(t => !parents.some(p => p[(t.hops[0] as Node).name] !== undefined))
    if (usable.length !== plan.ones.length) plan = planOf(nodes, usable)
  }
  const { ones, direct, walked, throughs, names } = plan
  const cache: KeyCache = new Map()
  const loads: Array<Result<Value>> = direct.map(n => loadNode(i, model, n, force, parents, owned, cache))
  for (const t of ones) loads.push(loadThrough(i, model, t, force, parents, cache))
  const values: Array<Value> = []
  for (const r of await Promise.all(loads)) {
    if (E.isLeft(r)) return r
    values.push(r.right)
  }
  const rows: Array<Record<string, unknown>> = new Array(parents.length)
  for (let r = 0; r < parents.length; r++) rows[r] = r < owned ? (parents[r] as Row) : { ...parents[r] }
  for (let j = 0; j < names.length; j++) {
    const name = names[j] as string
    const { ownerCol, values: byKey, none, kept } = values[j] as Value
    const at = ownerKeys(parents, ownerCol, cache).at
    for (let r = 0; r < parents.length; r++) {
      const given = kept === null ? undefined : kept(parents[r] as Row)
      const k = at[r]
      ;(rows[r] as Record<string, unknown>)[name] =
        given !== undefined ? given : k === undefined ? none : (byKey.get(k) ?? none)
    }
  }
  const out: Array<Row> = new Array(parents.length)
  for (let r = 0; r < parents.length; r++) {
    const row = rows[r] as Record<string, unknown>
    out[r] = throughs ? Assemble.complete(model, walked, row) : Object.freeze(row)
  }
  return E.right(out)
}

// A through loaded hop by hop (`Plan.throughStep`): one statement per hop, keyed by the distinct
// non-null keys the previous hop's rows carry (the owners' for the first), every hop but the last
// reading its keys only; then each owner's rows walked in memory as `Assemble.complete` walks loaded
// hops (each hop's rows in their statement's order, deduplicated by primary key at every hop, first
// occurrence wins). The walk goes depth first, which reaches the last hop's rows in the same order as
// the level-by-level walk. Each target row is decoded once and shared.
const loadThrough = async (
  i: Interpreter,
  model: Model.AnyModel,
  t: Plan.OneStatementThrough,
  force: boolean,
  parents: ReadonlyArray<Row>,
  cache: KeyCache,
): Result<Value> => {
  const node = t.node
  const ownerCol = t.chain.ownerCol
  const none = node.assoc.cardinality === 'many' ? empty : O.none
  const roots = ownerKeys(parents, ownerCol, cache).keys
  if (roots.length === 0) return E.right({ ownerCol, values: new Map(), none, kept: null })
  const last = t.steps.length - 1
  // hops[k] (k < last): hop k's rows as links (their key, the next hop's key) by owner key; targets:
  // the last hop's rows by owner key
  const hops: Array<Map<unknown, Array<Link>>> = []
  let targets = new Map<unknown, Array<Target>>()
  const byPk = new Map<unknown, Row>()
  const lastPk = Assemble.pkOf(model, t.chain.target)
  let keys = roots
  for (let k = 0; k <= last; k++) {
    const step = t.steps[k] as Plan.ThroughStep
    const table = Model.table(model, step.node.assoc.target)
    const decodeOwner = ownerDecoder(model, step.node, step.chain.ownerCol)
    if (table === undefined || decodeOwner === undefined) return unknownSchema(step.node)
    if (keys.length === 0) break
    const raw = await i.select(Plan.throughStep(model, t, k, keys))()
    if (E.isLeft(raw)) return raw
    const field = Plan.ownerField(step.chain)
    // The owner keys first: decoding whole rows may complete them in place.
    const owners: Array<unknown> = new Array(raw.right.length)
    for (let j = 0; j < raw.right.length; j++) {
      const o = decodeOwner.decode((raw.right[j] as Row)[field])
      if (o === failed) return E.left(decodeOwner.error((raw.right[j] as Row)[field]))
      owners[j] = Assemble.keyOf(o)
    }
    if (step.columns === null) {
      const decoded = Decode.rows(table, raw.right)
      if (E.isLeft(decoded)) return decoded
      // one row per target key, shared by every owner that reaches it
      targets = group(owners, decoded.right, row => {
        const key = lastPk(row)
        const hit = byPk.get(key)
        if (hit === undefined) byPk.set(key, row)
        return { key, row: hit ?? row }
      })
    } else {
      const columns = step.columns
      const cols = Decode.columnsOf(table).filter(c => columns.includes(c.name))
      const pk = Assemble.pkOf(model, step.node.assoc.target)
      const next = step.next as string
      const by = Plan.memoryOrder(model, step.node)
      // Without a key to read, only the next hop's key is decoded (the owner key is, above).
      const keyless = step.unique && by === null
      const at = cols.findIndex(c => c.name === next)
      const nextCol = cols[at] as Decode.ColumnDecoder
      const links: Array<Link> = new Array(raw.right.length)
      const nextKeys: Array<unknown> = []
      const seen = new Set<unknown>()
      for (let j = 0; j < raw.right.length; j++) {
        const r = raw.right[j] as Row
        let nk: unknown
        let key: unknown
        if (keyless) {
          nk = nextCol.decode(r[next])
          if (nk === Column.invalid) return E.left(Decode.errorOf(table, cols, r, at))
        } else {
          const d = Decode.decodeRow(cols, r)
          if (typeof d === 'number') return E.left(Decode.errorOf(table, cols, r, d))
          nk = d[next]
          key = pk(d)
        }
        const nextKey = nk === null || nk === undefined ? undefined : Assemble.keyOf(nk)
        links[j] = { key, next: nextKey }
        if (nextKey === undefined || seen.has(nextKey)) continue
        seen.add(nextKey)
        nextKeys.push(nk)
      }
      const grouped = group(owners, links, l => l)
      // a hop whose order nobody asked for was read unordered: by its one integer key here
      if (by !== null) grouped.forEach(g => g.sort(byLinkKey))
      hops.push(grouped)
      keys = nextKeys
    }
  }
  const sortedTargets = Plan.memoryOrder(model, (t.steps[last] as Plan.ThroughStep).node)
  if (sortedTargets !== null) {
    const f = byKey(sortedTargets)
    targets.forEach(g => g.sort((x, y) => f(x.row, y.row)))
  }
  // The walk of each owner key, depth first; `seen[k]` holds hop k's keys reached from the owner.
  const seen = t.steps.map(() => new Set<unknown>())
  const byOwner = new Map<unknown, ReadonlyArray<Row>>()
  let reached: Array<Row> = []
  const visit = (k: number, key: unknown): void => {
    const s = seen[k] as Set<unknown>
    if (k === last) {
      const g = targets.get(key)
      if (g === undefined) return
      for (let j = 0; j < g.length; j++) {
        const e = g[j] as Target
        if (s.has(e.key)) continue
        s.add(e.key)
        reached.push(e.row)
      }
      return
    }
    const g = (hops[k] as Map<unknown, Array<Link>>).get(key)
    if (g === undefined) return
    const unique = (t.steps[k] as Plan.ThroughStep).unique
    for (let j = 0; j < g.length; j++) {
      const l = g[j] as Link
      if (!unique) {
        if (s.has(l.key)) continue
        s.add(l.key)
      }
      if (l.next !== undefined) visit(k + 1, l.next)
    }
  }
  for (const root of roots) {
    for (const s of seen) s.clear()
    reached = []
    const key = Assemble.keyOf(root)
    if (hops.length === last) visit(0, key)
    byOwner.set(key, reached)
  }
  return finishThrough(i, model, t, force, { byOwner, targets: [...byPk.values()] })
}

// A row of an intermediate hop: its key (`undefined` when not read: a `unique` hop ordered in SQL)
// and the next hop's key on it (`undefined` for null).
interface Link {
  readonly key: unknown
  readonly next: unknown
}

// A row of the last hop with its key.
interface Target {
  readonly key: unknown
  readonly row: Row
}

// Links by their one integer key (`Plan.memoryOrder`).
const byLinkKey = (x: Link, y: Link): number => compareKeys(x.key, y.key)

// Items grouped by their owner key (`owners[j]` is `items[j]`'s), in order.
const group = <A, B>(
  owners: ReadonlyArray<unknown>,
  items: ReadonlyArray<A>,
  f: (a: A) => B,
): Map<unknown, Array<B>> => {
  const out = new Map<unknown, Array<B>>()
  for (let j = 0; j < items.length; j++) {
    const b = f(items[j] as A)
    const g = out.get(owners[j])
    if (g === undefined) out.set(owners[j], [b])
    else g.push(b)
  }
  return out
}

interface Grouped {
  /** Each owner key's target rows, in walk order. */
  readonly byOwner: ReadonlyMap<unknown, ReadonlyArray<Row>>
  /** Every target row once. */
  readonly targets: ReadonlyArray<Row>
}

// The rest of a through loaded hop by hop: the target rows' own associations, then each owner's
// value (the custom window applied to the owner's rows).
const finishThrough = async (
  i: Interpreter,
  model: Model.AnyModel,
  t: Plan.OneStatementThrough,
  force: boolean,
  { byOwner, targets }: Grouped,
): Result<Value> => {
  const node = t.node
  const ownerCol = t.chain.ownerCol
  const none = node.assoc.cardinality === 'many' ? empty : O.none
  const last = t.hops[t.hops.length - 1] as Node
  if (last.children.length === 0) finish(targets, [])
  else {
    const r = await level(i, model, last.children, force, targets, targets.length)
    if (E.isLeft(r)) return r
  }
  const offset = O.getOrElse(() => 0)(node.custom.offset)
  const values = new Map<unknown, unknown>()
  for (const [k, rows] of byOwner) {
    const end = O.getOrElse(() => rows.length)(O.map((l: number) => offset + l)(node.custom.limit))
    values.set(
      k,
      Assemble.valueOf(
        node.assoc.cardinality,
        offset === 0 && end >= rows.length ? rows : rows.slice(offset, end),
      ),
    )
  }
  return E.right({ ownerCol, values, none, kept: null })
}

/**
 * Loads a normalised spec under some rows of one schema: the rows come back in the same order, each a
 * new frozen row with its associations.
 *
 * @category destructors
 * @since 0.1.0
 */
export const load =
  (i: Interpreter, model: Model.AnyModel, nodes: ReadonlyArray<Node>, force: boolean) =>
  (parents: ReadonlyArray<Row>): TE.TaskEither<LoadError, ReadonlyArray<Row>> =>
  async () => {
    const r = await level(i, model, nodes, force, parents, 0)
    return E.isLeft(r) ? r : E.right(Object.freeze(r.right))
  }

/**
 * `load` on rows this program decoded itself and hands over (a query's root rows): they get their
 * associations in place instead of being copied.
 *
 * @category destructors
 * @since 0.1.0
 */
export const loadOwned =
  (i: Interpreter, model: Model.AnyModel, nodes: ReadonlyArray<Node>) =>
  (parents: ReadonlyArray<Row>): TE.TaskEither<LoadError, ReadonlyArray<Row>> =>
  async () => {
    const r = await level(i, model, nodes, false, parents, parents.length)
    return E.isLeft(r) ? r : E.right(Object.freeze(r.right))
  }
