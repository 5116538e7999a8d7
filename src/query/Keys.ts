/**
 * The owner keys a projection with preloads fetches: a preload reads each parent's owner key (the root
 * column its association starts from, `Chain.ownerCol`) by column name, and a projection need not
 * select it. `rootOf` gives the root statement of such a query: its projection, plus each owner-key
 * column it does not already select as a plain column, under a private output name (`__key_<column>`);
 * the runner reads the keys from those outputs and drops them before returning the rows. A query
 * without a projection or without preloads keeps its select as it is.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as Expr from '../ast/Expr.js'
import * as Select from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import * as Plan from '../plan/Preload.js'
import * as Spec from '../plan/Spec.js'
import * as Lower from './Lower.js'
import { oneGroup, type AnyQuery } from './Make.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One owner-key column of the root and the output that carries it; `hidden` when the output was added
 * for the preload (not the projection's own, so not returned).
 *
 * @category model
 * @since 0.1.0
 */
export interface Key {
  readonly column: string
  readonly output: string
  readonly hidden: boolean
}

/**
 * The root statement's select, the owner keys it carries and the normalised spec.
 *
 * @category model
 * @since 0.1.0
 */
export interface Root {
  readonly select: Select.Select
  readonly keys: ReadonlyArray<Key>
  readonly nodes: ReadonlyArray<Spec.Node>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a query is a projection that preloads.
 *
 * @category utils
 * @since 0.1.0
 */
export const preloadsProjection = (q: AnyQuery): boolean =>
  q.projected && typeof q.preload === 'object' && q.preload !== null && Object.keys(q.preload).length > 0

/**
 * The root statement of a query with the owner keys its preloads read (see the module doc). A spec the
 * model refuses is a `Left`.
 *
 * @category utils
 * @since 0.1.0
 */
export const rootOf = (q: AnyQuery): E.Either<QueryError.QueryError, Root> => {
  // A query over a subquery (`Query.fromQuery`) has no schema, and no preloads.
  const nodes: E.Either<QueryError.QueryError, ReadonlyArray<Spec.Node>> = q.derived === undefined
    ? Spec.normalize(q.model, q.schema, q.preload)
    : E.right([])
  if (E.isLeft(nodes)) return nodes
  // A projection's relation aggregates run as grouped joins (./Lower.ts).
  const lowered = q.projected ? Lower.select(q.select) : q.select
  if (!preloadsProjection(q)) return E.right({ select: lowered, keys: [], nodes: nodes.right })
  // A preloaded association's field sits beside the outputs: the same name twice is ambiguous.
  const clash = nodes.right.find(n => q.select.columns.some(o => o.name === n.name))
  if (clash !== undefined)
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `the projection has an output named '${clash.name}', the name of a preloaded association: rename the output`,
        q.schema,
        clash.name,
      ),
    )
  const columns = new Set<string>()
  for (const n of nodes.right) {
    const c = Plan.chain(q.model, n)
    if (E.isLeft(c)) return c
    columns.add(c.right.ownerCol)
  }
  const { keys, added } = keyOutputs(q.select, columns, [])
  // An added key column would change what a grouped or distinct projection returns (or be refused).
  const s = q.select
  if (added.length > 0 && (s.groupBy.length > 0 || s.distinct || oneGroup(s)))
    return E.left(
      QueryError.make(
        'Unsupported',
        `a grouped or distinct projection preloads only over owner keys it selects itself: select ${added.map(o => `'${(o.expr as Expr.ColumnRef).column}'`).join(', ')}`,
        q.schema,
      ),
    )
  return E.right({
    select: added.length === 0 ? lowered : Select.set('columns', [...lowered.columns, ...added])(lowered),
    keys,
    nodes: nodes.right,
  })
}

/**
 * The outputs that carry some root columns in a projection `s`: a column's own output when `s` selects
 * it as a plain column, else an added one under a private name (`__key_<column>`, numbered past the
 * names taken). Columns already in `known` are skipped.
 *
 * @category utils
 * @since 0.2.0
 */
export const keyOutputs = (
  s: Select.Select,
  columns: Iterable<string>,
  known: ReadonlyArray<Key>,
  taken: ReadonlyArray<string> = [],
): { readonly keys: ReadonlyArray<Key>; readonly added: ReadonlyArray<Expr.Output> } => {
  const alias = s.from.alias
  const names = new Set([...s.columns.map(o => o.name), ...taken])
  const keys: Array<Key> = [...known]
  const added: Array<Expr.Output> = []
  for (const column of columns) {
    if (keys.some(k => k.column === column)) continue
    const own = s.columns.find(
      o => o.expr._tag === 'ColumnRef' && o.expr.alias === alias && o.expr.column === column,
    )
    if (own !== undefined) {
      keys.push({ column, output: own.name, hidden: false })
      continue
    }
    let output = `__key_${column}`
    for (let k = 1; names.has(output); k++) output = `__key${k}_${column}`
    names.add(output)
    keys.push({ column, output, hidden: true })
    added.push({ name: output, expr: Expr.column(alias, column) })
  }
  return { keys, added }
}
