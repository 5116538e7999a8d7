/**
 * Join-preloads (Ecto's `preload: [comments: c]` after `join: c in assoc(p, :comments)`): an
 * association filled from the rows of a binding the query already joins, so a filtered join and its
 * preload are one statement. `rootOf` checks each `Preload.joined` of a query's spec against its joins
 * and gives the root statement: the query's select plus the columns of each joined binding under a
 * private name (`__j<k>_<column>`: every column, or under a join-preload's own projection its columns,
 * the target's primary key and the nested preloads' owner keys, and its computed outputs over the
 * binding as `__j<k>s_<i>`: one value per joined row, a relation aggregate a subquery correlated to
 * it); a projection's root also reads the
 * root's primary key and the owner keys of its other preloads (`__key_<column>` unless selected). The runner (`run/Run.ts`) decodes the
 * parents from the rows, keeps one parent per primary key (the first row's place), its children in the
 * rows' order, one per primary key (a left join's missing row is no child), then loads the rest of the
 * spec under them; a projection's parents are its outputs plus the preloaded fields, and a projected
 * join-preload's children its outputs plus their associations (`project`).
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Expr from '../ast/Expr.js'
import * as Select from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import * as Plan from '../plan/Preload.js'
import * as Spec from '../plan/Spec.js'
import * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import * as Keys from './Keys.js'
import * as Lower from './Lower.js'
import * as Make from './Make.js'
import { oneGroup, type AnyQuery, type Joins, type Query, type Whole } from './Make.js'

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
  /**
   * The target table narrowed to the columns read (`outputs`), to decode the children with: every column
   * for whole rows; under a projection (`Spec.Node.joinedProject`) its columns, the primary key and the
   * owner keys of the associations loaded under the children.
   */
  readonly table: Table
  /**
   * The computed outputs of its projection (`Spec.JoinedOutput.computed`), in the projection's order:
   * each read from the root statement's output `output` (its expression over the binding), decoded
   * with the projection's decoder, and carried on the child row under `key` until it is shown.
   */
  readonly computed: ReadonlyArray<Computed>
}

/**
 * A computed output of a join-preload's projection, as the root statement reads it (see
 * `JoinedNode.computed`).
 *
 * @category model
 * @since 0.2.0
 */
export interface Computed {
  readonly name: string
  readonly key: string
  readonly output: string
  readonly decode: (u: unknown) => unknown
  readonly expected: string
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
// constructors
// -------------------------------------------------------------------------------------

// A projection's outputs as a preload reads them (as `Preload.query` reads a query value's).
const outputsOf = (q: AnyQuery): ReadonlyArray<Spec.Output> => {
  const infos = new Map(Make.outputInfos(q))
  return Make.outputDecoders(q).map(o => {
    const sql = infos.get(o.name)?.sql
    return { ...o, asText: sql === 'bigint' || sql === 'numeric' }
  })
}

/**
 * What a query given as a join-preload's projection must also be: nothing more when it is a
 * projection, else a type no query has (a compile error naming the rule).
 *
 * @category model
 * @since 0.2.0
 */
export type Projection<R> = [R] extends [Whole]
  ? { readonly 'a projection (Query.select(c => ({ ... })))': never }
  : unknown

/**
 * A join-preload (see `Spec.PreloadJoined` and `Preload.joined`): the binding (default: the
 * association's path), a nested spec, and optionally a projection, a query over the association's
 * target with `Query.select` of its columns and of expressions over its row (`Fn.upper(c.body)`,
 * arithmetic, `Fn.coalesce`, `Fn.case_`, `$.count('likes')`): the children are then its rows (plus
 * their associations), typed `R`; the root statement reads those columns and computes those
 * expressions over the joined binding, with the target's primary key and the owner keys of the nested
 * preloads (returned only when selected). An aggregate of rows (`Fn.count()`) is a `QueryError`: the
 * children are the join's rows, one each.
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Preload, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const bodies = pipe(Query.from(M, 'comment'), Query.select(c => ({ text: c.body })))
 * assert.strictEqual(Preload.joined('comments', {}, bodies).binding, 'comments')
 *
 * @category constructors
 * @since 0.2.0
 */
export function joined(): Spec.PreloadJoined<undefined, {}>
export function joined<const B extends string>(binding: B): Spec.PreloadJoined<B, {}>
export function joined<const N extends Spec.Input>(preload: N): Spec.PreloadJoined<undefined, N>
export function joined<const B extends string | undefined, const N extends Spec.Input>(
  binding: B,
  preload: N,
): Spec.PreloadJoined<B, N>
export function joined<
  const B extends string | undefined,
  const N extends Spec.Input,
  M extends Model.AnyModel,
  S extends string,
  P,
  J extends Joins,
  R,
>(
  binding: B,
  preload: N,
  projection: Query<M, S, P, J, R> & Projection<R>,
): Spec.PreloadJoined<B, N & P, R, S>
export function joined(
  binding?: unknown,
  preload?: unknown,
  projection?: unknown,
): Spec.PreloadJoined<string | undefined, unknown> {
  if (projection === undefined)
    return binding === undefined
      ? Spec.joined()
      : preload === undefined
        ? Spec.joined(binding as never)
        : Spec.joined(binding as never, preload as never)
  if (!Make.isQuery(projection)) return Spec.joined(binding as never, preload as never, projection as never)
  const q = projection
  return Spec.joined(
    binding as never,
    Spec.concat(q.preload, preload ?? {}) as never,
    Spec.fromQuery({
      model: q.model,
      schema: q.schema,
      select: q.select,
      error: O.fromNullable(q.errors[0] ?? computedProblem(q)),
      outputs: q.projected ? O.some(outputsOf(q)) : O.none,
    }) as never,
  )
}

// Why a projection's computed outputs cannot be read over a joined row, if they cannot: an output must
// be one value per row, over that row only (an aggregate of rows, or a reference to a binding of
// another query, is refused). A relation aggregate (`$.count('likes')`) is a subquery correlated to the
// row. The planner names the association (`Spec.normalize`).
const computedProblem = (q: AnyQuery): QueryError.QueryError | undefined => {
  if (!q.projected) return undefined
  const root = q.select.from.alias
  for (const o of q.select.columns) {
    const e = o.expr
    if (e._tag === 'ColumnRef' && e.alias === root) continue
    const at = `output '${o.name}' of its projection`
    if (Make.hasAggregate(e))
      return QueryError.make(
        'Unsupported',
        `${at} aggregates rows (Fn.count, Fn.sum ...): a join-preload's children are the join's rows, one each, not groups (aggregate the association with $.count ..., or preload it with a grouped query)`,
        q.schema,
      )
    const foreign = [...Lower.scopeOf(e).free].filter(a => a !== root)
    if (foreign.length > 0)
      return QueryError.make(
        'InvalidArgument',
        `${at} reads binding ${foreign.map(a => `'${a}'`).join(', ')} of another query: it may read only the association's row`,
        q.schema,
      )
  }
  return undefined
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
      const read = readColumns(q.model, node, table)
      if (E.isLeft(read)) return read.left
      const outputs = [...read.right.columns.keys()].map(column => ({ column, output: `__j${k}_${column}` }))
      for (const o of outputs) columns.push({ name: o.output, expr: Expr.column(b.alias, o.column) })
      const computed = computedOf(q.schema, node, b.alias, k, at)
      if (E.isLeft(computed)) return computed.left
      for (const c of computed.right) columns.push({ name: c.output, expr: c.expr })
      joined.push({
        node,
        binding: name,
        outputs,
        parent,
        table: read.right,
        computed: computed.right.map(({ expr: _, ...c }) => c),
      })
      const e = walk(node.children, k, b.alias, `${path}.`)
      if (e !== null) return e
    }
    return null
  }
  const e = walk(nodes, -1, q.select.from.alias, '')
  if (e !== null) return E.left(e)
  return E.right({ select: Select.set('columns', columns)(base.right.select), joined, keys: base.right.keys })
}

// The columns of a join-preloaded target the root statement reads: all of them for whole rows; under a
// projection its columns, the primary key (to tell the children apart) and the owner keys of the
// associations loaded under them (never returned unless selected), as a table to decode them with.
const readColumns = (
  model: Model.AnyModel,
  node: Spec.Node,
  table: Table,
): E.Either<QueryError.QueryError, Table> => {
  const project = node.joinedProject
  if (project === undefined) return E.right(table)
  const needed = new Set<string>([...project.flatMap(o => (o.own ? [o.column] : [])), ...table.primaryKey])
  for (const c of node.children) {
    if (O.isSome(c.joined)) continue
    const chain = Plan.chain(model, c)
    if (E.isLeft(chain)) return chain
    needed.add(chain.right.ownerCol)
  }
  return E.right({ ...table, columns: new Map([...table.columns].filter(([c]) => needed.has(c))) })
}

// The computed outputs of a join-preload's projection over the joined binding `alias` (the `k`th
// join-preload), each its expression moved from the projection's root onto the binding, under the
// root statement's output `__j<k>s_<i>` (no `__j<k>_<column>` has the name). `Preload.joined` checked
// that each reads only its row (`computedProblem`); a subquery inside binding either name (which the
// move would confuse) is refused. A relation aggregate (`$.count('likes')`) stays a subquery
// correlated to the joined row.
const computedOf = (
  schema: string,
  node: Spec.Node,
  alias: string,
  k: number,
  at: string,
): E.Either<QueryError.QueryError, ReadonlyArray<Computed & { readonly expr: Expr.Expr }>> => {
  const out: Array<Computed & { readonly expr: Expr.Expr }> = []
  for (const [i, o] of (node.joinedProject ?? []).entries()) {
    const c = o.computed
    if (c === undefined) continue
    const bound = Lower.scopeOf(c.expr).bound
    const clash = [alias, c.alias].find(a => bound.has(a))
    if (clash !== undefined)
      return E.left(
        QueryError.make(
          'Unsupported',
          `${at}: output '${o.name}' of its projection holds a subquery that binds '${clash}', the name of the binding it is read over`,
          schema,
          node.name,
        ),
      )
    out.push({
      name: o.name,
      key: o.column,
      output: `__j${k}s_${i}`,
      decode: o.decode,
      expected: o.expected,
      expr: Make.rewrite(a => (a === c.alias ? alias : undefined))(c.expr) as Expr.Expr,
    })
  }
  return E.right(out)
}

/**
 * The loaded rows of a query with join-preloads, each join-preloaded association under a projection
 * (`Preload.joined(binding, nested, projection)`) holding its projection's rows: each output read
 * from the child's column, then the associations loaded under the child (the other columns served as
 * keys). The same rows when no join-preload has a projection.
 *
 * @category utils
 * @since 0.2.0
 */
export const project = (
  joined: ReadonlyArray<JoinedNode>,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
): ReadonlyArray<Readonly<Record<string, unknown>>> => {
  const projects = (k: number): boolean =>
    (joined[k] as JoinedNode).node.joinedProject !== undefined ||
    joined.some((j, n) => j.parent === k && projects(n))
  const under = (parent: number): ReadonlyArray<number> =>
    joined.flatMap((j, n) => (j.parent === parent && projects(n) ? [n] : []))
  // A row at the level of join-preload `level` (-1: the root) with its projected join-preloads.
  const row = (level: number, r: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
    const kids = under(level)
    const own = level < 0 ? undefined : (joined[level] as JoinedNode).node
    if (kids.length === 0 && own?.joinedProject === undefined) return r
    const out: Record<string, unknown> = { ...r }
    for (const n of kids) {
      const j = joined[n] as JoinedNode
      const v = r[j.node.name]
      out[j.node.name] =
        j.node.assoc.cardinality === 'many'
          ? Object.freeze((v as ReadonlyArray<Readonly<Record<string, unknown>>>).map(c => row(n, c)))
          : O.map((c: Readonly<Record<string, unknown>>) => row(n, c))(
              v as O.Option<Readonly<Record<string, unknown>>>,
            )
    }
    if (own?.joinedProject === undefined) return Object.freeze(out)
    const shown: Record<string, unknown> = {}
    for (const o of own.joinedProject) shown[o.name] = out[o.column]
    for (const c of own.children) if (Object.hasOwn(out, c.name)) shown[c.name] = out[c.name]
    return Object.freeze(shown)
  }
  return under(-1).length === 0 ? rows : Object.freeze(rows.map(r => row(-1, r)))
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
