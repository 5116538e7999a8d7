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
  const direct = nodes.filter(n => n.assoc._tag !== 'Through')
  const throughs = direct.length !== nodes.length
  return pipe(
    direct,
    TE.traverseArray(n => loadNode(i, model, n, force, parents)),
    TE.map(fns => {
      const out: Array<Row> = new Array(parents.length)
      for (let r = 0; r < parents.length; r++) {
        const p = parents[r] as Row
        const row = (r < owned ? p : { ...p }) as Record<string, unknown>
        for (let j = 0; j < direct.length; j++)
          row[(direct[j] as Node).name] = (fns[j] as (parent: Row) => unknown)(p)
        out[r] = throughs ? Assemble.complete(model, nodes, row) : Object.freeze(row)
      }
      return out
    }),
  )
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
