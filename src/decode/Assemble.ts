/**
 * Stitching loaded rows into trees, the same way for both strategies: a row gets its direct
 * associations from a strategy, then `complete` computes its through values by walking the loaded hops
 * (Ecto's algorithm: children in parent order, deduplicated by primary key at every hop, first
 * occurrence wins; a has-one-through takes the first) and freezes the row; `strip` finally removes the
 * hops that were loaded only for throughs that hide them. The lateral strategy's nested JSON is decoded
 * by `Json.ts`, which assembles its rows with these same steps.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Expr from '../ast/Expr.js'
import * as DecodeError from '../error/DecodeError.js'
import type { Node, Projected } from '../plan/Spec.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export type Row = Readonly<Record<string, unknown>>

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * A key usable in a `Map` with value equality (dates by time, everything else as is).
 *
 * @category utils
 * @since 0.1.0
 */
export const keyOf = (u: unknown): unknown => (u instanceof Date ? `date:${u.getTime()}` : u)

const isOption = (u: unknown): u is O.Option<unknown> =>
  typeof u === 'object' &&
  u !== null &&
  ((u as { readonly _tag?: unknown })._tag === 'None' || (u as { readonly _tag?: unknown })._tag === 'Some')

/**
 * The rows of a loaded association value: an array, an `Option`, or (from untyped input) a row or null.
 *
 * @category utils
 * @since 0.1.0
 */
export const rowsOf = (u: unknown): ReadonlyArray<Row> =>
  Array.isArray(u)
    ? (u as ReadonlyArray<Row>)
    : isOption(u)
      ? O.isSome(u)
        ? [u.value as Row]
        : []
      : typeof u === 'object' && u !== null
        ? [u as Row]
        : []

/**
 * The value of an association from its rows. A list value is the given array itself, frozen: pass an
 * array nobody else holds.
 *
 * @category utils
 * @since 0.1.0
 */
export const valueOf = (cardinality: 'one' | 'many', rows: ReadonlyArray<Row>): unknown =>
  cardinality === 'many' ? Object.freeze(rows) : O.fromNullable(rows[0])

/**
 * The primary key of a schema's rows as a `Map` key (see `keyOf`).
 *
 * @category utils
 * @since 0.1.0
 */
export const pkOf = (model: Model.AnyModel, schema: string): ((r: Row) => unknown) => {
  const pk = Model.table(model, schema)?.primaryKey ?? []
  return pk.length === 1
    ? (r: Row): unknown => keyOf(r[pk[0] as string])
    : (r: Row): unknown => JSON.stringify(pk.map(c => keyOf(r[c])))
}

const walk = (
  model: Model.AnyModel,
  schema: string,
  path: ReadonlyArray<string>,
  row: Row,
): ReadonlyArray<Row> => {
  let frontier: ReadonlyArray<Row> = [row]
  let at = schema
  for (const name of path) {
    const target = Model.association(model, at, name)?.target ?? at
    const pk = pkOf(model, target)
    const seen = new Set<unknown>()
    const next: Array<Row> = []
    for (const x of frontier)
      for (const c of rowsOf(x[name])) {
        const k = pk(c)
        if (seen.has(k)) continue
        seen.add(k)
        next.push(c)
      }
    frontier = next
    at = target
  }
  return frontier
}

/**
 * Computes the through values of a row whose direct associations are set, removes hidden hops, and
 * freezes it.
 *
 * @category utils
 * @since 0.1.0
 */
export const complete = (
  model: Model.AnyModel,
  nodes: ReadonlyArray<Node>,
  row: Record<string, unknown>,
): Row => {
  const throughs = nodes.filter(n => n.assoc._tag === 'Through')
  const done = new Set<string>()
  const compute = (node: Node): void => {
    if (done.has(node.name) || node.assoc._tag !== 'Through') return
    done.add(node.name)
    const first = throughs.find(t => t.name === (node.assoc as Model.ResolvedThrough).path[0])
    if (first !== undefined) compute(first)
    const all = walk(model, node.owner, (node.assoc as Model.ResolvedThrough).path, row)
    // A runner puts a prepared run's values in the counts first (`Prepared.bindCounts`).
    const offset = O.getOrElse(() => 0)(Expr.countNumber(node.custom.offset))
    const end = O.match(
      () => all.length,
      (l: number) => offset + l,
    )(Expr.countNumber(node.custom.limit))
    row[node.name] = valueOf(node.assoc.cardinality, all.slice(offset, end))
  }
  throughs.forEach(compute)
  return Object.freeze(row)
}

const needsStrip = (n: Node): boolean => n.hidden || n.children.some(needsStrip)

/**
 * Removes the hops loaded only for throughs that hide them. Runs once on the top rows, after every
 * through of the tree has been walked (a hidden hop deep in the tree may serve a through above it).
 *
 * @category utils
 * @since 0.1.0
 */
export const strip = (nodes: ReadonlyArray<Node>, rows: ReadonlyArray<Row>): ReadonlyArray<Row> => {
  if (!nodes.some(needsStrip)) return rows
  const one = (row: Row): Row => {
    const out: Record<string, unknown> = { ...row }
    for (const n of nodes) {
      if (n.hidden) delete out[n.name]
      else if (n.children.some(needsStrip)) {
        const children = strip(n.children, rowsOf(row[n.name]))
        out[n.name] = valueOf(n.assoc.cardinality, children)
      }
    }
    return Object.freeze(out)
  }
  return Object.freeze(rows.map(one))
}

/**
 * A child row of a preload query with a projection, as both strategies return it: each output, a
 * column of the decoded target row `row` or decoded from its private column of `raw` (the row as
 * read), then the associations loaded under `row` (whose other columns served as keys: dropped). A value an output's decoder
 * rejects is a `DecodeError` naming the target schema and the output.
 *
 * @category utils
 * @since 0.2.0
 */
export const project = (
  node: Node,
  outputs: ReadonlyArray<Projected>,
  raw: Row,
  row: Row,
): E.Either<DecodeError.DecodeError, Row> => {
  const out: Record<string, unknown> = {}
  for (const o of outputs) {
    if (o.own) {
      out[o.name] = row[o.column]
      continue
    }
    const v = raw[o.column]
    const d = o.decode(v)
    if (d === Column.invalid) return E.left(DecodeError.make(node.assoc.target, o.name, v, o.expected))
    out[o.name] = d
  }
  for (const c of node.children) if (Object.hasOwn(row, c.name)) out[c.name] = row[c.name]
  return E.right(out)
}
