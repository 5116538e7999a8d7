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
  const isLoaded = (p: Row) => !force && p[node.name] !== undefined
  const keys: Array<unknown> = []
  const seen = new Set<unknown>()
  const loaded: Array<Row> = []
  const ranges = new Map<Row, readonly [number, number]>()
  for (const p of parents) {
    if (isLoaded(p)) {
      const rows = Assemble.rowsOf(p[node.name])
      ranges.set(p, [loaded.length, loaded.length + rows.length])
      loaded.push(...rows)
      continue
    }
    const k = p[ownerCol]
    if (k === null || k === undefined || seen.has(Assemble.keyOf(k))) continue
    seen.add(Assemble.keyOf(k))
    keys.push(k)
  }
  const decodeTarget = Decode.forTable(target)
  const fetch: TE.TaskEither<LoadError, ReadonlyArray<readonly [unknown, Row]>> = keys.length === 0
    ? TE.right([])
    : pipe(
        i.select(Plan.batched(model, node, c.right, keys)),
        TE.flatMapEither(raw => {
          const out: Array<readonly [unknown, Row]> = []
          for (const r of raw) {
            const o = r[Plan.ownerOutput]
            const k = ownerCodec.is(o) ? E.right(o) : ownerCodec.decode(o)
            if (E.isLeft(k))
              return E.left(DecodeError.make(owner?.name ?? node.owner, ownerCol, o, ownerCodec.name))
            const row = decodeTarget(r)
            if (E.isLeft(row)) return row
            out.push([k.right, row.right])
          }
          return E.right(out)
        }),
      )
  return pipe(
    fetch,
    TE.flatMap(fetched =>
      pipe(
        load(i, model, node.children, force)([...fetched.map(([, r]) => r), ...loaded]),
        TE.map(children => {
          const many = node.assoc.cardinality === 'many'
          const groups = new Map<unknown, Array<Row>>()
          fetched.forEach(([k, _], j) => {
            const key = Assemble.keyOf(k)
            const g = groups.get(key)
            if (g === undefined) groups.set(key, [children[j] as Row])
            else if (many) g.push(children[j] as Row)
          })
          const values = new Map<unknown, unknown>()
          for (const [k, g] of groups) values.set(k, Assemble.valueOf(node.assoc.cardinality, g))
          const none = many ? empty : O.none
          const base = fetched.length
          return (p: Row): unknown => {
            const range = ranges.get(p)
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

/**
 * Loads a normalised spec under some rows of one schema: the rows come back in the same order, each a
 * new frozen row with its associations.
 *
 * @category destructors
 * @since 0.1.0
 */
export const load =
  (i: Interpreter, model: Model.AnyModel, nodes: ReadonlyArray<Node>, force: boolean) =>
  (parents: ReadonlyArray<Row>): TE.TaskEither<LoadError, ReadonlyArray<Row>> => {
    const direct = nodes.filter(n => n.assoc._tag !== 'Through')
    if (parents.length === 0) return TE.right(empty)
    return pipe(
      direct,
      TE.traverseArray(n => loadNode(i, model, n, force, parents)),
      TE.map(fns =>
        Object.freeze(
          parents.map(p => {
            const row: Record<string, unknown> = { ...p }
            direct.forEach((n, j) => {
              row[n.name] = (fns[j] as (parent: Row) => unknown)(p)
            })
            return Assemble.complete(model, nodes, row)
          }),
        ),
      ),
    )
  }
