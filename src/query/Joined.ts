/**
 * Join-preloads (Ecto's `preload: [comments: c]` after `join: c in assoc(p, :comments)`): an
 * association filled from the rows of a binding the query already joins, so a filtered join and its
 * preload are one statement. `rootOf` checks each `Preload.joined` of a query's spec against its joins
 * and gives the root statement: the query's select plus every column of each joined binding under a
 * private name (`__j<k>_<column>`). The runner (`run/Run.ts`) decodes the parents from the rows, keeps
 * one parent per primary key (the first row's place), its children in the rows' order, one per primary
 * key (a left join's missing row is no child), then loads the rest of the spec under them.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Expr from '../ast/Expr.js'
import * as Select from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import type * as Spec from '../plan/Spec.js'
import * as Model from '../schema/Model.js'
import type { AnyQuery } from './Make.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One join-preloaded association: its spec node, the binding its rows come from, and the output that
 * carries each column of the target.
 *
 * @category model
 * @since 0.2.0
 */
export interface JoinedNode {
  readonly node: Spec.Node
  readonly binding: string
  readonly outputs: ReadonlyArray<{ readonly column: string; readonly output: string }>
}

/**
 * The root statement of a query with join-preloads and what it carries.
 *
 * @category model
 * @since 0.2.0
 */
export interface Root {
  readonly select: Select.Select
  readonly joined: ReadonlyArray<JoinedNode>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a normalised spec join-preloads anything (at any depth).
 *
 * @category utils
 * @since 0.2.0
 */
export const hasJoined = (nodes: ReadonlyArray<Spec.Node>): boolean =>
  nodes.some(n => O.isSome(n.joined) || hasJoined(n.children))

/**
 * The root statement of a query whose spec has join-preloads (see the module doc), or the reason it
 * cannot have them: a binding the query does not join, a binding of another association, a nested
 * join-preload, a projection, a `right` / `full` join, a schema without a primary key.
 *
 * @category utils
 * @since 0.2.0
 */
export const rootOf = (
  q: AnyQuery,
  nodes: ReadonlyArray<Spec.Node>,
): E.Either<QueryError.QueryError, Root> => {
  const fail = (code: QueryError.QueryErrorCode, message: string, association: string | null = null) =>
    E.left(QueryError.make(code, message, q.schema, association))
  const nested = nodes.flatMap(n => n.children.filter(c => hasJoined([c])).map(c => `${n.name}.${c.name}`))
  if (nested.length > 0)
    return fail(
      'Unsupported',
      `a join-preload (Preload.joined) is given at the top level of a spec only; '${nested[0] ?? ''}' is nested`,
    )
  if (q.projected)
    return fail('Unsupported', 'a projection (Query.select) cannot join-preload (Preload.joined): preload it')
  const rootPk = Model.table(q.model, q.schema)?.primaryKey ?? []
  if (rootPk.length === 0)
    return fail(
      'Unsupported',
      `a join-preload needs a primary key on schema '${q.schema}' to keep one row per parent`,
    )
  const outer = q.select.joins.find(j => j.kind === 'right' || j.kind === 'full')
  const joined: Array<JoinedNode> = []
  const columns: Array<Expr.Output> = [...q.select.columns]
  for (const node of nodes) {
    if (O.isNone(node.joined)) continue
    const name = node.joined.value
    const b = q.joined.get(name)
    if (b === undefined)
      return fail(
        'InvalidArgument',
        `cannot join-preload '${node.name}' of schema '${q.schema}': the query joins no binding '${name}' (Query.join('${node.name}') first)`,
        node.name,
      )
    if (b.path !== node.name)
      return fail(
        'InvalidArgument',
        `cannot join-preload '${node.name}' of schema '${q.schema}': binding '${name}' is the join of '${b.path === '' ? 'a subquery' : b.path}', not of association '${node.name}'`,
        node.name,
      )
    if (outer !== undefined)
      return fail(
        'Unsupported',
        `cannot join-preload '${node.name}' of schema '${q.schema}': the query has a ${outer.kind} join, whose rows may have no parent`,
        node.name,
      )
    const table = Model.table(q.model, node.assoc.target)
    if (table === undefined || table.primaryKey.length === 0)
      return fail(
        'Unsupported',
        `cannot join-preload '${node.name}' of schema '${q.schema}': schema '${node.assoc.target}' has no primary key to tell its rows apart`,
        node.name,
      )
    const k = joined.length
    const outputs = [...table.columns.keys()].map(column => ({ column, output: `__j${k}_${column}` }))
    for (const o of outputs) columns.push({ name: o.output, expr: Expr.column(b.alias, o.column) })
    joined.push({ node, binding: name, outputs })
  }
  return E.right({ select: Select.set('columns', columns)(q.select), joined })
}
