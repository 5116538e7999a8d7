/**
 * The batched strategy, on any interpreter through `Interpreter.select` alone: one statement per
 * association level (`owner_key = any($1)`, one array parameter, the keys deduplicated and without
 * nulls; no statement at all when there is no key), sibling associations concurrently, nested levels
 * after their parents. Rows are grouped by owner key with a `Map`, so parents with equal keys share
 * the same children and the order inside a group is the select's order. Associations already loaded
 * on a row are kept (unless `force`), and the nested spec is applied to their rows. A through whose
 * hops are hidden (`Plan.oneStatementThroughs`) is read over its whole chain instead of hop by hop:
 * with a one-column target key, the paths carry that key only and each target row is then read once
 * (two statements); otherwise every path carries the target's columns (one statement).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Expr from '../ast/Expr.js'
import type { Select } from '../ast/Select.js'
import * as Assemble from '../decode/Assemble.js'
import * as Decode from '../decode/Decode.js'
import * as DecodeError from '../error/DecodeError.js'
import type { LoadError } from '../error/Errors.js'
import * as QueryError from '../error/QueryError.js'
import * as Plan from '../plan/Preload.js'
import type { Node } from '../plan/Spec.js'
import * as Prepared from '../query/Prepared.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import { bindOf, type Interpreter } from './Interpreter.js'

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
  // The rows as read: a projection's outputs are read from them (`Assemble.project`).
  let read: ReadonlyArray<Row> = empty
  const field = Plan.ownerField(c.right)
  if (keys.length > 0) {
    const raw = await i.select(Plan.batched(model, node, c.right, keys))()
    if (E.isLeft(raw)) return raw
    read = raw.right
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
  const project = O.isSome(node.custom.project) ? node.custom.project.value : null
  for (let j = 0; j < rows.length; j++) {
    let child = children[j] as Row
    if (leaf) Object.freeze(child)
    const key = Assemble.keyOf(owners === null ? child[field] : owners[j])
    if (project !== null) {
      const p = Assemble.project(node, project, read[j] as Row, child)
      if (E.isLeft(p)) return p
      child = Object.freeze(p.right)
    }
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
  /** Throughs read over their whole chain (`loadThrough`). */
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

// Kept per level (normalised nodes are kept per spec shape), throughs or not: every load asks.
const levelPlan = (model: Model.AnyModel, nodes: ReadonlyArray<Node>): LevelPlan => {
  const hit = levelPlans.get(nodes)
  if (hit !== undefined) return hit
  // Without a through the plan is the level itself.
  const plan: LevelPlan = nodes.every(n => n.assoc._tag !== 'Through')
    ? { ones: [], direct: nodes, walked: nodes, throughs: false, names: nodes.map(n => n.name) }
    : planOf(nodes, Plan.oneStatementThroughs(model, nodes))
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

// A through loaded over its whole chain: the paths in walk order, deduplicated per owner key by the
// target's primary key (first occurrence wins); each target row is decoded once and shared.
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
  const target = Model.table(model, t.chain.target)
  const decodeOwner = ownerDecoder(model, node, ownerCol)
  if (target === undefined || decodeOwner === undefined) return unknownSchema(node)
  const keys = ownerKeys(parents, ownerCol, cache).keys
  const none = node.assoc.cardinality === 'many' ? empty : O.none
  if (keys.length === 0) return E.right({ ownerCol, values: new Map(), none, kept: null })
  const paths = Plan.batchedThroughKeys(model, t, keys)
  const grouped =
    paths === null
      ? await wholePaths(i, model, t, target, decodeOwner, keys)
      : await keyedPaths(i, model, t, target, decodeOwner, paths)
  return E.isLeft(grouped) ? grouped : finishThrough(i, model, t, force, grouped.right)
}

interface Grouped {
  /** Each owner key's target rows, in walk order. */
  readonly byOwner: ReadonlyMap<unknown, ReadonlyArray<Row>>
  /** Every target row once. */
  readonly targets: ReadonlyArray<Row>
}

// One statement: every path carries the target's columns.
const wholePaths = async (
  i: Interpreter,
  model: Model.AnyModel,
  t: Plan.OneStatementThrough,
  target: Table,
  decodeOwner: OwnerDecoder,
  keys: ReadonlyArray<unknown>,
): Promise<E.Either<LoadError, Grouped>> => {
  const raw = await i.select(Plan.batchedThrough(model, t, keys))()
  if (E.isLeft(raw)) return raw
  const cols = Decode.columnsOf(target)
  const pk = Assemble.pkOf(model, t.chain.target)
  const byOwner = new Map<unknown, { readonly seen: Set<unknown>; readonly rows: Array<Row> }>()
  const byPk = new Map<unknown, Row>()
  for (let j = 0; j < raw.right.length; j++) {
    const r = raw.right[j] as Row
    const o = decodeOwner.decode(r[Plan.ownerOutput])
    if (o === failed) return E.left(decodeOwner.error(r[Plan.ownerOutput]))
    const ok = Assemble.keyOf(o)
    let g = byOwner.get(ok)
    if (g === undefined) byOwner.set(ok, (g = { seen: new Set(), rows: [] }))
    const tk = pk(r)
    if (g.seen.has(tk)) continue
    g.seen.add(tk)
    let row = byPk.get(tk)
    if (row === undefined) {
      const d = Decode.decodeRow(cols, r)
      if (typeof d === 'number') return E.left(Decode.errorOf(target, cols, r, d))
      byPk.set(tk, (row = d))
    }
    g.rows.push(row)
  }
  const out = new Map<unknown, ReadonlyArray<Row>>()
  for (const [k, g] of byOwner) out.set(k, g.rows)
  return E.right({ byOwner: out, targets: [...byPk.values()] })
}

// Two statements (a target with a one-column primary key): the paths carry only the target's key,
// then each target row is read once; a key with no row (a path read without joining the target) is
// skipped.
const keyedPaths = async (
  i: Interpreter,
  model: Model.AnyModel,
  t: Plan.OneStatementThrough,
  target: Table,
  decodeOwner: OwnerDecoder,
  paths: Select,
): Promise<E.Either<LoadError, Grouped>> => {
  const raw = await i.select(paths)()
  if (E.isLeft(raw)) return raw
  const pkCol = target.primaryKey[0] as string
  const ids: Array<unknown> = []
  const all = new Set<unknown>()
  const groups = new Map<unknown, { readonly seen: Set<unknown>; readonly keys: Array<unknown> }>()
  for (let j = 0; j < raw.right.length; j++) {
    const r = raw.right[j] as Row
    const o = decodeOwner.decode(r[Plan.ownerOutput])
    if (o === failed) return E.left(decodeOwner.error(r[Plan.ownerOutput]))
    const ok = Assemble.keyOf(o)
    let g = groups.get(ok)
    if (g === undefined) groups.set(ok, (g = { seen: new Set(), keys: [] }))
    const id = r[pkCol]
    // a path read without the target (`Plan.batchedThroughKeys`) carries a null foreign key as is
    if (id === null || id === undefined) continue
    const tk = Assemble.keyOf(id)
    // one lookup each: `add` tells by the size whether the key was new
    const seen = g.seen.size
    if (g.seen.add(tk).size === seen) continue
    g.keys.push(tk)
    const known = all.size
    if (all.add(tk).size !== known) ids.push(id)
  }
  const byPk = new Map<unknown, Row>()
  if (ids.length > 0) {
    const rows = await i.select(Plan.byPrimaryKey(model, t.chain.target, ids))()
    if (E.isLeft(rows)) return rows
    // the keys of the rows as the paths carry them (before decoding completes the rows in place)
    const pk = Assemble.pkOf(model, t.chain.target)
    const tks = rows.right.map(pk)
    const decoded = Decode.rows(target, rows.right)
    if (E.isLeft(decoded)) return decoded
    for (let j = 0; j < tks.length; j++) byPk.set(tks[j], decoded.right[j] as Row)
  }
  const byOwner = new Map<unknown, ReadonlyArray<Row>>()
  for (const [k, g] of groups) {
    const rows: Array<Row> = []
    for (const tk of g.keys) {
      const row = byPk.get(tk)
      if (row !== undefined) rows.push(row)
    }
    byOwner.set(k, rows)
  }
  return E.right({ byOwner, targets: [...byPk.values()] })
}

// The rest of a through loaded over its chain: the target rows' own associations, then each owner's
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
  // The run's values are in the counts by now (`load`, `Prepared.bindCounts`).
  const offset = O.getOrElse(() => 0)(Expr.countNumber(node.custom.offset))
  const limit = Expr.countNumber(node.custom.limit)
  const values = new Map<unknown, unknown>()
  for (const [k, rows] of byOwner) {
    const end = O.getOrElse(() => rows.length)(O.map((l: number) => offset + l)(limit))
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
    // A through's or to-one's count placeholders take the run's values (`Prepared.bindCounts`).
    const counted = Prepared.bindCounts(nodes, bindOf(i))
    if (E.isLeft(counted)) return counted
    const r = await level(i, model, counted.right, force, parents, 0)
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
    const counted = Prepared.bindCounts(nodes, bindOf(i))
    if (E.isLeft(counted)) return counted
    const r = await level(i, model, counted.right, false, parents, parents.length)
    return E.isLeft(r) ? r : E.right(Object.freeze(r.right))
  }
