/**
 * The batched strategy, on any interpreter through `Interpreter.select` alone: one statement per
 * association level (`owner_key = any($1)`, one array parameter, the keys deduplicated and without
 * nulls; no statement at all when there is no key), sibling associations concurrently, nested levels
 * after their parents. Rows are grouped by owner key with a `Map`, so parents with equal keys share
 * the same children and the order inside a group is the select's order. Associations already loaded
 * on a row are kept (unless `force`), and the nested spec is applied to their rows.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Decode from '../decode/Decode.js'
import type { DbError } from '../error/DbError.js'
import * as DecodeError from '../error/DecodeError.js'
import * as QueryError from '../error/QueryError.js'
import type { Interpreter } from '../interpreter/Interpreter.js'
import * as Model from '../schema/Model.js'
import * as Assemble from './Assemble.js'
import * as Plan from './Plan.js'
import type { Node } from './Spec.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export type LoadError = QueryError.QueryError | DbError | DecodeError.DecodeError

type Row = Assemble.Row

const empty: ReadonlyArray<Row> = Object.freeze([])

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

// Parents `[0, owned)` are rows this load created (decoded from its own statements): they get their
// associations in place and are frozen; the others (rows given to `into`, or already loaded on them)
// are copied.
const loadNode = (
  i: Interpreter,
  model: Model.AnyModel,
  node: Node,
  force: boolean,
  parents: ReadonlyArray<Row>,
): TE.TaskEither<LoadError, (parent: Row) => unknown> => {
  const c = Plan.chain(model, node)
  if (E.isLeft(c)) return TE.left(c.left)
  const ownerCol = c.right.ownerCol
  const owner = Model.table(model, node.owner)
  const target = Model.table(model, node.assoc.target)
  const ownerCodec = owner?.columns.get(ownerCol)?.codec
  if (target === undefined || ownerCodec === undefined)
    return TE.left(QueryError.make('UnknownSchema', `cannot preload '${node.name}'`, node.owner, node.name))
  const keys: Array<unknown> = []
  const seen = new Set<unknown>()
  const loaded: Array<Row> = []
  let ranges: Map<Row, readonly [number, number]> | undefined
  for (const p of parents) {
    if (!force && p[node.name] !== undefined) {
      const rows = Assemble.rowsOf(p[node.name])
      ranges ??= new Map()
      ranges.set(p, [loaded.length, loaded.length + rows.length])
      loaded.push(...rows)
      continue
    }
    const k = p[ownerCol]
    if (k === null || k === undefined) continue
    const key = Assemble.keyOf(k)
    if (seen.has(key)) continue
    seen.add(key)
    keys.push(k)
  }
  const decodeTarget = Decode.forTable(target)
  const ownerName = owner?.name ?? node.owner
  const fetch: TE.TaskEither<LoadError, Fetched> =
    keys.length === 0
      ? TE.right(noneFetched)
      : pipe(
          i.select(Plan.batched(model, node, c.right, keys)),
          TE.flatMapEither((raw): E.Either<LoadError, Fetched> => {
            const owners: Array<unknown> = new Array(raw.length)
            const rows: Array<Row> = new Array(raw.length)
            for (let j = 0; j < raw.length; j++) {
              const r = raw[j] as Row
              const o = r[Plan.ownerOutput]
              if (ownerCodec.is(o)) owners[j] = o
              else {
                const k = ownerCodec.decode(o)
                if (E.isLeft(k)) return E.left(DecodeError.make(ownerName, ownerCol, o, ownerCodec.name))
                owners[j] = k.right
              }
              const row = decodeTarget(r)
              if (E.isLeft(row)) return row
              rows[j] = row.right
            }
            return E.right({ owners, rows })
          }),
        )
  const many = node.assoc.cardinality === 'many'
  const none = many ? empty : O.none
  return pipe(
    fetch,
    TE.flatMap(({ owners, rows }) =>
      pipe(
        node.children.length === 0
          ? TE.right(finish(rows, loaded))
          : level(
              i,
              model,
              node.children,
              force,
              loaded.length === 0 ? rows : [...rows, ...loaded],
              rows.length,
            ),
        TE.map(children => {
          // children[j] is rows[j] (completed in place) for j < rows.length, then the loaded rows
          const values = new Map<unknown, unknown>()
          if (many) {
            for (let j = 0; j < owners.length; j++) {
              const key = Assemble.keyOf(owners[j])
              const g = values.get(key) as Array<Row> | undefined
              if (g === undefined) values.set(key, [children[j] as Row])
              else g.push(children[j] as Row)
            }
            for (const g of values.values()) Object.freeze(g)
          } else
            for (let j = 0; j < owners.length; j++) {
              const key = Assemble.keyOf(owners[j])
              if (!values.has(key)) values.set(key, O.some(children[j] as Row))
            }
          const base = rows.length
          return (p: Row): unknown => {
            const range = ranges?.get(p)
            if (range !== undefined)
              return Assemble.valueOf(
                node.assoc.cardinality,
                children.slice(base + range[0], base + range[1]),
              )
            const k = p[ownerCol]
            return k === null || k === undefined ? none : (values.get(Assemble.keyOf(k)) ?? none)
          }
        }),
      ),
    ),
  )
}

interface Fetched {
  readonly owners: ReadonlyArray<unknown>
  readonly rows: ReadonlyArray<Row>
}

const noneFetched: Fetched = { owners: [], rows: [] }

// A leaf level: its own rows are final (frozen in place), rows already loaded are kept as they are.
const finish = (rows: ReadonlyArray<Row>, loaded: ReadonlyArray<Row>): ReadonlyArray<Row> => {
  for (const r of rows) Object.freeze(r)
  return loaded.length === 0 ? rows : [...rows, ...loaded]
}

const level = (
  i: Interpreter,
  model: Model.AnyModel,
  nodes: ReadonlyArray<Node>,
  force: boolean,
  parents: ReadonlyArray<Row>,
  owned: number,
): TE.TaskEither<LoadError, ReadonlyArray<Row>> => {
  if (parents.length === 0) return TE.right(empty)
  // Throughs loaded in one statement, unless a parent already has their first hop (kept and walked).
  const ones = Plan.oneStatementThroughs(model, nodes).filter(
    t => force || !parents.some(p => p[(t.hops[0] as Node).name] !== undefined),
  )
  const skip = new Set<Node>(ones.flatMap(t => [t.node, t.hops[0] as Node]))
  const direct = nodes.filter(n => n.assoc._tag !== 'Through' && !skip.has(n))
  const walked = ones.length === 0 ? nodes : nodes.filter(n => !skip.has(n))
  const throughs = walked.some(n => n.assoc._tag === 'Through')
  const names = [...direct.map(n => n.name), ...ones.map(t => t.node.name)]
  return pipe(
    [
      ...direct.map(n => loadNode(i, model, n, force, parents)),
      ...ones.map(t => loadThrough(i, model, t, force, parents)),
    ],
    TE.sequenceArray,
    TE.map(fns => {
      const out: Array<Row> = new Array(parents.length)
      for (let r = 0; r < parents.length; r++) {
        const p = parents[r] as Row
        const row = (r < owned ? p : { ...p }) as Record<string, unknown>
        for (let j = 0; j < names.length; j++)
          row[names[j] as string] = (fns[j] as (parent: Row) => unknown)(p)
        out[r] = throughs ? Assemble.complete(model, walked, row) : Object.freeze(row)
      }
      return out
    }),
  )
}

// A through in one statement: the chain's rows in walk order, deduplicated per owner key by the
// target's primary key (first occurrence wins); rows of the same target are decoded once and shared.
const loadThrough = (
  i: Interpreter,
  model: Model.AnyModel,
  t: Plan.OneStatementThrough,
  force: boolean,
  parents: ReadonlyArray<Row>,
): TE.TaskEither<LoadError, (parent: Row) => unknown> => {
  const node = t.node
  const ownerCol = t.chain.ownerCol
  const owner = Model.table(model, node.owner)
  const target = Model.table(model, t.chain.target)
  const ownerCodec = owner?.columns.get(ownerCol)?.codec
  if (target === undefined || ownerCodec === undefined)
    return TE.left(QueryError.make('UnknownSchema', `cannot preload '${node.name}'`, node.owner, node.name))
  const keys: Array<unknown> = []
  const seen = new Set<unknown>()
  for (const p of parents) {
    const k = p[ownerCol]
    if (k === null || k === undefined) continue
    const key = Assemble.keyOf(k)
    if (seen.has(key)) continue
    seen.add(key)
    keys.push(k)
  }
  const many = node.assoc.cardinality === 'many'
  const none = many ? empty : O.none
  if (keys.length === 0) return TE.right(() => none)
  const decodeTarget = Decode.forTable(target)
  const pk = Assemble.pkOf(model, t.chain.target)
  const ownerName = owner?.name ?? node.owner
  const last = t.hops[t.hops.length - 1] as Node
  const offset = O.getOrElse(() => 0)(node.custom.offset)
  return pipe(
    i.select(Plan.batchedThrough(model, t, keys)),
    TE.flatMapEither((raw): E.Either<LoadError, Grouped> => {
      const byOwner = new Map<unknown, { readonly seen: Set<unknown>; readonly rows: Array<Row> }>()
      const byPk = new Map<unknown, Row>()
      for (const r of raw) {
        let o = r[Plan.ownerOutput]
        if (!ownerCodec.is(o)) {
          const k = ownerCodec.decode(o)
          if (E.isLeft(k)) return E.left(DecodeError.make(ownerName, ownerCol, o, ownerCodec.name))
          o = k.right
        }
        const ok = Assemble.keyOf(o)
        let g = byOwner.get(ok)
        if (g === undefined) byOwner.set(ok, (g = { seen: new Set(), rows: [] }))
        const tk = pk(r)
        if (g.seen.has(tk)) continue
        g.seen.add(tk)
        let row = byPk.get(tk)
        if (row === undefined) {
          const d = decodeTarget(r)
          if (E.isLeft(d)) return d
          byPk.set(tk, (row = d.right))
        }
        g.rows.push(row)
      }
      return E.right({ byOwner, rows: [...byPk.values()] })
    }),
    TE.flatMap(({ byOwner, rows }) =>
      pipe(
        last.children.length === 0
          ? TE.right(finish(rows, []))
          : level(i, model, last.children, force, rows, rows.length),
        TE.map(() => {
          const values = new Map<unknown, unknown>()
          for (const [k, g] of byOwner) {
            const end = O.getOrElse(() => g.rows.length)(O.map((l: number) => offset + l)(node.custom.limit))
            values.set(
              k,
              Assemble.valueOf(
                node.assoc.cardinality,
                offset === 0 && end >= g.rows.length ? g.rows : g.rows.slice(offset, end),
              ),
            )
          }
          return (p: Row): unknown => {
            const k = p[ownerCol]
            return k === null || k === undefined ? none : (values.get(Assemble.keyOf(k)) ?? none)
          }
        }),
      ),
    ),
  )
}

interface Grouped {
  readonly byOwner: ReadonlyMap<unknown, { readonly rows: Array<Row> }>
  readonly rows: ReadonlyArray<Row>
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
    pipe(
      level(i, model, nodes, force, parents, 0),
      TE.map(rows => Object.freeze(rows)),
    )
