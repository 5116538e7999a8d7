/**
 * The lateral strategy's nested JSON, decoded into the same values as top-level rows: each level with
 * its table's column decoders (`Decode.columnsOf`, so dates stay `Date`s and int8 text becomes the
 * column's type), its direct associations as nested arrays or objects, and its throughs completed by
 * `Assemble` as in the batched strategy.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as DecodeError from '../error/DecodeError.js'
import * as Plan from '../plan/Preload.js'
import type { Node } from '../plan/Spec.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import { complete, project as project_, type Row } from './Assemble.js'
import * as Decode from './Decode.js'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The lateral strategy's decoders, compiled once per spec level: a level knows its table's column
// decoders, its direct associations' value decoders, and whether it has throughs to complete. They
// return the decoded value, or record the error in `Fail` and return `failed` (no `Either` per value).
interface Fail {
  error: DecodeError.DecodeError | undefined
}
const failed: unique symbol = Symbol('failed')
// `inPlace`: the raw objects are the caller's, with exactly the level's keys (see `exact`), so a
// row is completed in the object it came in instead of copied (the driver's rows, `JSON.parse`'s).
type LevelDecoder = (raw: Row, fail: Fail, inPlace: boolean) => Row | typeof failed
type ValueDecoder = (json: unknown, fail: Fail) => unknown

interface Level {
  readonly model: Model.AnyModel
  readonly schema: string
  readonly decode: LevelDecoder
  /** How many keys a decoded row has: the columns and the direct associations. */
  readonly keys: number
}
const levels = new WeakMap<ReadonlyArray<Node>, Level>()
const values = new WeakMap<Node, ValueDecoder>()

const level = (model: Model.AnyModel, schema: string, nodes: ReadonlyArray<Node>): Level => {
  const hit = levels.get(nodes)
  if (hit !== undefined && hit.model === model && hit.schema === schema) return hit
  const table = Model.table(model, schema)
  const columns = table === undefined ? [] : Decode.columnsOf(table)
  // Throughs the tree loads in one statement come as values of their own; their first hop is absent.
  const ones = Plan.oneStatementThroughs(model, nodes)
  const skip = new Set<Node>(ones.flatMap(t => [t.node, t.hops[0] as Node]))
  const direct = [
    ...nodes
      .filter(n => n.assoc._tag !== 'Through' && !skip.has(n))
      .map(n => ({ name: n.name, decode: value(model, n, n.assoc.target, n.children) })),
    ...ones.map(t => ({
      name: t.node.name,
      decode: value(model, t.node, t.chain.target, (t.hops[t.hops.length - 1] as Node).children),
    })),
  ]
  const walked = ones.length === 0 ? nodes : nodes.filter(n => !skip.has(n))
  const throughs = walked.some(n => n.assoc._tag === 'Through')
  const finished = (row: Record<string, unknown>): Row =>
    throughs ? complete(model, walked, row) : Object.freeze(row)
  // Objects completed in place come in one key order (a result's rows, the objects one SQL expression
  // builds): the first one's order, when it has exactly the level's keys, is kept, and an object in
  // that order is walked key by key (read by field index) instead of looked up column by column.
  let order: Order | undefined
  const d: LevelDecoder = (raw, fail, inPlace) => {
    if (table === undefined) {
      fail.error = DecodeError.make(schema, '(table)', raw, 'a table of the model')
      return failed
    }
    const own = inPlace && !Object.isFrozen(raw)
    if (own) {
      const o = order ?? (order = orderOf(raw, columns, direct))
      if (o !== undefined && inOrder(o, raw)) return walkInOrder(table.name, o, raw, fail, finished)
    }
    const row: Record<string, unknown> = own ? raw : {}
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k] as Decode.ColumnDecoder
      const v = raw[c.name]
      const x = c.decode(v)
      if (x === Column.invalid) {
        fail.error = DecodeError.make(table.name, c.name, v, c.expected)
        return failed
      }
      if (!own || x !== v) row[c.name] = x
    }
    for (let k = 0; k < direct.length; k++) {
      const n = direct[k] as (typeof direct)[number]
      const v = n.decode(raw[n.name], fail)
      if (v === failed) return failed
      row[n.name] = v
    }
    return finished(row)
  }
  const made: Level = { model, schema, decode: d, keys: columns.length + direct.length }
  levels.set(nodes, made)
  return made
}

// A level's keys in the order of the objects it completes in place: `columns[k]` decodes the k-th
// key when it is a column, else `values[k]` (a direct association).
interface Order {
  readonly names: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Decode.ColumnDecoder | undefined>
  readonly values: ReadonlyArray<ValueDecoder | undefined>
}

// The order of `first`'s keys, unless they are not exactly the level's columns and associations.
const orderOf = (
  first: Row,
  columns: ReadonlyArray<Decode.ColumnDecoder>,
  direct: ReadonlyArray<{ readonly name: string; readonly decode: ValueDecoder }>,
): Order | undefined => {
  const names = Object.keys(first)
  if (names.length !== columns.length + direct.length) return undefined
  const cs = names.map(n => columns.find(c => c.name === n))
  const vs = names.map(n => direct.find(a => a.name === n)?.decode)
  return cs.every((c, k) => c !== undefined || vs[k] !== undefined)
    ? { names, columns: cs, values: vs }
    : undefined
}

// Whether an object's own enumerable keys (and no inherited ones) are exactly `order`'s, in order.
const inOrder = (order: Order, raw: Row): boolean => {
  const names = order.names
  let k = 0
  for (const n in raw) if (n !== names[k++]) return false
  return k === names.length
}

// An object `inOrder` completed in place, key by key.
const walkInOrder = (
  table: string,
  order: Order,
  raw: Row,
  fail: Fail,
  finished: (row: Record<string, unknown>) => Row,
): Row | typeof failed => {
  const row = raw as Record<string, unknown>
  let k = 0
  for (const n in row) {
    const v = row[n]
    const c = order.columns[k]
    if (c !== undefined) {
      const x = c.decode(v)
      if (x === Column.invalid) {
        fail.error = DecodeError.make(table, c.name, v, c.expected)
        return failed
      }
      if (x !== v) row[n] = x
    } else {
      const x = (order.values[k] as ValueDecoder)(v, fail)
      if (x === failed) return failed
      row[n] = x
    }
    k++
  }
  return finished(row)
}

// Whether the objects of one result (rows, or the items of one JSON array: all of one shape) have
// exactly the keys a level's rows get, so that they can be completed in place.
const exact = (l: Level, first: unknown): boolean => {
  if (typeof first !== 'object' || first === null || Object.isFrozen(first)) return false
  let n = 0
  for (const k in first) if (Object.hasOwn(first, k)) n++
  return n === l.keys
}

// The value of `node` whose rows are `target` rows carrying `children`.
const value = (
  model: Model.AnyModel,
  node: Node,
  target: string,
  children: ReadonlyArray<Node>,
): ValueDecoder => {
  const hit = values.get(node)
  if (hit !== undefined) return hit
  let child: Level | undefined
  const childLevel = (): Level => (child ??= level(model, target, children))
  const project = node.custom.project
  const item = (l: Level, u: unknown, fail: Fail, inPlace: boolean): Row | typeof failed => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) {
      fail.error = DecodeError.make(target, node.name, u, 'a JSON object')
      return failed
    }
    if (O.isNone(project)) return l.decode(u as Row, fail, inPlace)
    // A projection's row: its outputs read from the object as it came, its associations decoded.
    const r = l.decode(u as Row, fail, false)
    if (r === failed) return failed
    const p = project_(node, project.value, u as Row, r)
    if (E.isLeft(p)) {
      fail.error = p.left
      return failed
    }
    return Object.freeze(p.right)
  }
  const d: ValueDecoder =
    node.assoc.cardinality === 'many'
      ? (json, fail) => {
          const v = typeof json === 'string' ? (JSON.parse(json) as unknown) : json
          if (v === null || v === undefined) return empty
          const items: ReadonlyArray<unknown> = Array.isArray(v) ? v : [v]
          const l = childLevel()
          const own = exact(l, items[0])
          const out: Array<Row> = new Array<Row>(items.length)
          for (let i = 0; i < items.length; i++) {
            const r = item(l, items[i], fail, own)
            if (r === failed) return failed
            out[i] = r
          }
          return Object.freeze(out)
        }
      : (json, fail) => {
          const v = typeof json === 'string' ? (JSON.parse(json) as unknown) : json
          if (v === null || v === undefined) return O.none
          const l = childLevel()
          if (!Array.isArray(v)) {
            const r = item(l, v, fail, exact(l, v))
            return r === failed ? failed : O.some(r)
          }
          let first: Row | undefined
          for (const u of v) {
            const r = item(l, u, fail, false)
            if (r === failed) return failed
            first ??= r
          }
          return O.fromNullable(first)
        }
  values.set(node, d)
  return d
}

const empty: ReadonlyArray<Row> = Object.freeze([])

/**
 * Decodes the nested JSON of one direct association (the lateral strategy) into its value: the rows
 * decoded with the same column decoders as top-level rows (so `timestamptz` text becomes a `Date`,
 * int8 and numeric stay text), their own nested associations decoded in turn. The decoder of a node is
 * compiled on first use and kept with the node.
 *
 * @category utils
 * @since 0.1.0
 */
export const decodeValue = (
  model: Model.AnyModel,
  node: Node,
  json: unknown,
): E.Either<DecodeError.DecodeError, unknown> => {
  const fail: Fail = { error: undefined }
  const v = value(model, node, node.assoc.target, node.children)(json, fail)
  return v === failed ? E.left(fail.error as DecodeError.DecodeError) : E.right(v)
}

/**
 * Decodes the rows of one result that carry their direct associations as nested JSON (the lateral
 * strategy), with the table's column decoders, then completes them. Rows the interpreter handed over
 * unfrozen, with exactly the expected keys, are completed in place. The decoder of a spec level is
 * compiled on first use and kept with the level's node list.
 *
 * @category utils
 * @since 0.1.0
 */
export const decodeTrees = (
  model: Model.AnyModel,
  schema: string,
  nodes: ReadonlyArray<Node>,
  raw: ReadonlyArray<Row>,
): E.Either<DecodeError.DecodeError, ReadonlyArray<Row>> => {
  const fail: Fail = { error: undefined }
  const l = level(model, schema, nodes)
  const decode = l.decode
  const own = exact(l, raw[0])
  const out: Array<Row> = new Array<Row>(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const row = decode(raw[i] as Row, fail, own)
    if (row === failed) return E.left(fail.error as DecodeError.DecodeError)
    out[i] = row
  }
  return E.right(Object.freeze(out))
}
