/**
 * Join-preloads (Ecto's `preload: [comments: c]` after `join: c in assoc(p, :comments)`): an
 * association filled from the rows of a binding the query already joins, so a filtered join and its
 * preload are one statement. `rootOf` checks each `Preload.joined` of a query's spec against its joins
 * and gives the root statement: the query's select plus every column of each joined binding under a
 * private name (`__j<k>_<column>`); a projection's also reads the root's primary key and the owner keys
 * of its other preloads (`__key_<column>` unless selected). The runner (`run/Run.ts`) decodes the
 * parents from the rows, keeps one parent per primary key (the first row's place), its children in the
 * rows' order, one per primary key (a left join's missing row is no child), then loads the rest of the
 * spec under them; a projection's parents are its outputs plus the preloaded fields.
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
import * as Keys from './Keys.js'
import { oneGroup, type AnyQuery } from './Make.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One join-preloaded association: its spec node, the binding its rows come from, the output that
 * carries each column of the target, and the join-preload it nests under (its index in
 * `Root.joined`, which lists parents first; -1 for the query's own rows).
 *
 * @category model
 * @since 0.2.0
 */
export interface JoinedNode {
  readonly node: Spec.Node
  readonly binding: string
  readonly outputs: ReadonlyArray<{ readonly column: string; readonly output: string }>
  readonly parent: number
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
  /**
   * A projection's root keys (its primary key, to keep one row per parent, and the owner keys of the
   * other preloads), each under the output that carries it (see `Keys.Key`); none for whole rows.
   */
  readonly keys: ReadonlyArray<Keys.Key>
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

// Whether the join of `alias` hangs from `parent`: its `on` reads `parent`, or an alias joined only
// for it (a many_to_many's join table) whose join reads `parent`.
const hangsFrom = (s: Select.Select, alias: string, parent: string, named: ReadonlySet<string>): boolean => {
  const reads = (u: unknown, out: Set<string>): Set<string> => {
    if (typeof u !== 'object' || u === null) return out
    if (Array.isArray(u)) {
      for (const x of u) reads(x, out)
      return out
    }
    const r = u as { readonly _tag?: unknown; readonly alias?: unknown }
    if (r._tag === 'ColumnRef' && typeof r.alias === 'string') out.add(r.alias)
    else for (const v of Object.values(u)) reads(v, out)
    return out
  }
  const seen = new Set<string>()
  const walk = (a: string): boolean => {
    if (seen.has(a)) return false
    seen.add(a)
    const j = s.joins.find(x => x.binding.alias === a)
    if (j === undefined) return false
    const on = reads(j.on, new Set())
    on.delete(a)
    return on.has(parent) || [...on].some(b => !named.has(b) && walk(b))
  }
  return walk(alias)
}

/**
 * The root statement of a query whose spec has join-preloads (see the module doc), or the reason it
 * cannot have them: a binding the query does not join, a binding of another association path, a
 * join-preload nested under an association that is not join-preloaded (or over a binding that does not
 * hang from its parent's), a grouped or distinct projection, a `right` / `full` join, a schema without a
 * primary key. A projection's root also reads its primary key and its preloads' owner keys (`keys`).
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
  const rootPk = Model.table(q.model, q.schema)?.primaryKey ?? []
  if (rootPk.length === 0)
    return fail(
      'Unsupported',
      `a join-preload needs a primary key on schema '${q.schema}' to keep one row per parent`,
    )
  const base = q.projected ? projectionRoot(q, rootPk) : E.right({ select: q.select, keys: [] })
  if (E.isLeft(base)) return base
  const outer = q.select.joins.find(j => j.kind === 'right' || j.kind === 'full')
  const named = new Set([...q.joined.values()].map(b => b.alias))
  const joined: Array<JoinedNode> = []
  const columns: Array<Expr.Output> = [...base.right.select.columns]
  // One level of the spec under the join-preload `parent` (-1: the root), bound to `alias`.
  const walk = (
    level: ReadonlyArray<Spec.Node>,
    parent: number,
    alias: string,
    prefix: string,
  ): QueryError.QueryError | null => {
    for (const node of level) {
      const path = `${prefix}${node.name}`
      const owner = prefix === '' ? q.schema : node.owner
      if (O.isNone(node.joined)) {
        const under = node.children.find(c => hasJoined([c]))
        if (under !== undefined)
          return QueryError.make(
            'Unsupported',
            `a join-preload (Preload.joined) nests only under join-preloads; '${path}.${under.name}' is under '${path}', which is not one`,
            q.schema,
            node.name,
          )
        continue
      }
      const name = node.joined.value
      const at = `cannot join-preload '${path}' of schema '${owner}'`
      const b = q.joined.get(name)
      if (b === undefined)
        return QueryError.make(
          'InvalidArgument',
          `${at}: the query joins no binding '${name}' (Query.join(${
            prefix === ''
              ? `'${node.name}'`
              : `[${path
                  .split('.')
                  .map(x => `'${x}'`)
                  .join(', ')}]`
          }) first)`,
          q.schema,
          node.name,
        )
      if (b.path !== path)
        return QueryError.make(
          'InvalidArgument',
          `${at}: binding '${name}' is the join of '${b.path === '' ? 'a subquery' : b.path}', not of association '${path}'`,
          q.schema,
          node.name,
        )
      if (parent >= 0 && !hangsFrom(q.select, b.alias, alias, named))
        return QueryError.make(
          'InvalidArgument',
          `${at}: binding '${name}' is not joined from binding '${(joined[parent] as JoinedNode).binding}' of the join-preload it nests under`,
          q.schema,
          node.name,
        )
      if (outer !== undefined)
        return QueryError.make(
          'Unsupported',
          `${at}: the query has a ${outer.kind} join, whose rows may have no parent`,
          q.schema,
          node.name,
        )
      const table = Model.table(q.model, node.assoc.target)
      if (table === undefined || table.primaryKey.length === 0)
        return QueryError.make(
          'Unsupported',
          `${at}: schema '${node.assoc.target}' has no primary key to tell its rows apart`,
          q.schema,
          node.name,
        )
      const k = joined.length
      const outputs = [...table.columns.keys()].map(column => ({ column, output: `__j${k}_${column}` }))
      for (const o of outputs) columns.push({ name: o.output, expr: Expr.column(b.alias, o.column) })
      joined.push({ node, binding: name, outputs, parent })
      const e = walk(node.children, k, b.alias, `${path}.`)
      if (e !== null) return e
    }
    return null
  }
  const e = walk(nodes, -1, q.select.from.alias, '')
  if (e !== null) return E.left(e)
  return E.right({ select: Select.set('columns', columns)(base.right.select), joined, keys: base.right.keys })
}

// The root of a projection that join-preloads: its lowered projection and the owner keys of its
// preloads (`Keys.rootOf`), plus its primary key, each column under its own output when the
// projection selects it as a plain column, else under a private one (`__key_<column>`). A grouped or
// distinct projection has groups for rows, not parents with children.
const projectionRoot = (
  q: AnyQuery,
  pk: ReadonlyArray<string>,
): E.Either<QueryError.QueryError, Pick<Root, 'select' | 'keys'>> => {
  const s = q.select
  if (s.groupBy.length > 0 || s.distinct || s.distinctOn.length > 0 || oneGroup(s))
    return E.left(
      QueryError.make(
        'Unsupported',
        'a grouped or distinct projection cannot join-preload (Preload.joined): its rows are groups, not parents; preload the association instead',
        q.schema,
      ),
    )
  const root = Keys.rootOf(q)
  if (E.isLeft(root)) return root
  const select = root.right.select
  // Past the names the lowered select and the owner keys took (`__key_<column>` of `Keys.rootOf`).
  const { keys, added } = Keys.keyOutputs(
    s,
    pk,
    root.right.keys,
    select.columns.map(o => o.name),
  )
  return E.right({
    select: added.length === 0 ? select : Select.set('columns', [...select.columns, ...added])(select),
    keys,
  })
}
