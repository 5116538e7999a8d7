/**
 * The statements of a load, with no database: every statement that running a query with its preloads
 * on PostgreSQL sends, for the strategy it would run with. `Query.toSql` shows the root statement
 * alone; this module goes through the same steps as the load (`run/Preload`): the query's own errors,
 * the spec's normal form, a query that cannot match (nothing is sent), a query without preloads (its
 * root statement), then the strategy (`plan/Strategy`, the rule `auto` applies on an interpreter that
 * runs trees) and the planner's selects (`plan/Preload`) compiled by the same lowerings
 * (`sql/Compile`, `sql/Lateral`).
 *
 * The lateral strategy sends one statement, fully known here. The batched strategy sends the root
 * statement, then one statement per association level whose parameter holds the owner keys of the
 * rows the level above returned: those are not known before running, so each level is shown with an
 * empty key list and says which parameter holds the keys. A level is sent only when its parents have
 * at least one non-null key, and with exactly one key in its `one` form (`= $n` instead of
 * `= any($n)`). Per-parent windows are where the load applies them: in each statement (batched: a
 * walk of the keys with `unnest`, or a `row_number()` rank; lateral: a `limit` in the subquery),
 * except the window of a through read over its chain, which the batched strategy cuts in memory from
 * that chain's rows.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Select from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Plan from '../plan/Preload.js'
import type { Node } from '../plan/Spec.js'
import * as Strategy from '../plan/Strategy.js'
import type * as Tree from '../ast/Tree.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import * as Sql from '../sql/Compile.js'
import * as Lateral from '../sql/Lateral.js'
import * as Invalid from './Invalid.js'
import * as Joined from './Joined.js'
import * as Keys from './Keys.js'
import { isQuery, oneGroup, type AnyQuery } from './Make.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The statement of the query's own rows (`Query.toSql`): all that is sent without preloads, and the
 * first statement of the batched strategy.
 *
 * @category model
 * @since 0.1.0
 */
export interface RootStatement extends Sql.CompiledQuery {
  readonly _tag: 'Root'
}

/**
 * The one statement of the lateral strategy: the root's rows with every association as a JSON
 * subquery.
 *
 * @category model
 * @since 0.1.0
 */
export interface TreeStatement extends Sql.CompiledQuery {
  readonly _tag: 'Tree'
}

/**
 * A statement of the batched strategy for one association level, sent once the level above has
 * returned its rows. `params[keys]` (`$${keys + 1}` in `text`) holds the keys, shown here as an empty
 * list: the distinct non-null owner keys of the parents (`keyedBy: 'owners'`), or, for the second
 * statement of a through read over its chain, the target keys the first one found
 * (`keyedBy: 'targets'`). With exactly one key the statement sent is `one` instead, whose
 * `params[one.keys]` holds that key (shown as `null`).
 *
 * @category model
 * @since 0.1.0
 */
export interface LevelStatement extends Sql.CompiledQuery {
  readonly _tag: 'Level'
  /** The association path from the root, dot-separated: `'comments.author'`. */
  readonly level: string
  readonly keyedBy: 'owners' | 'targets'
  /** The index in `params` of the list of keys. */
  readonly keys: number
  readonly one: OneKeyStatement
}

/**
 * The form of a `LevelStatement` sent when there is exactly one key: `params[keys]` holds it.
 *
 * @category model
 * @since 0.1.0
 */
export interface OneKeyStatement extends Sql.CompiledQuery {
  /** The index in `params` of the key. */
  readonly keys: number
}

/**
 * One statement of a load, told apart by `_tag`: which of them appear depends on the strategy (`Tree`
 * alone for lateral, `Root` then `Level`s for batched).
 *
 * @category model
 * @since 0.1.0
 */
export type Statement = RootStatement | TreeStatement | LevelStatement

/**
 * The statements of a load, parents before children. Batched siblings are sent concurrently, so their
 * order on the wire depends on when their parents' rows arrive; the list is one order they can be sent
 * in. Empty when the query cannot match (`Pred.in(p.id, [])`): nothing is sent.
 *
 * @category model
 * @since 0.1.0
 */
export interface Statements {
  /** The strategy the load runs with: the one asked for, or the one `auto` picks on PostgreSQL. */
  readonly strategy: 'batched' | 'lateral'
  readonly statements: ReadonlyArray<Statement>
}

/**
 * The options of `statements`: the strategy to show, as `Pg.all` takes it (`auto` when absent).
 *
 * @category model
 * @since 0.1.0
 */
export interface StatementsOptions {
  readonly strategy?: Strategy.Strategy
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const invalidArgument = (message: string, schema: string | null = null): QueryError.QueryError =>
  QueryError.make('InvalidArgument', `Query.statements: ${message}`, schema)

const strategies: ReadonlyArray<unknown> = ['auto', 'batched', 'lateral']

// Options from untyped code: an unknown option or strategy is refused (shown as something else, it
// would show statements no load sends).
const checkOptions = (options: unknown): E.Either<QueryError.QueryError, StatementsOptions> => {
  if (options === undefined) return E.right({})
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return E.left(invalidArgument(`expected options such as { strategy: 'batched' }, got ${show(options)}`))
  for (const key of Object.keys(options)) {
    const v = (options as Readonly<Record<string, unknown>>)[key]
    if (v === undefined) continue
    if (key !== 'strategy' || !strategies.includes(v))
      return E.left(
        invalidArgument(
          `option '${key}' = ${show(v)}: the option is 'strategy' ('auto', 'batched', 'lateral')`,
        ),
      )
  }
  return E.right(options as StatementsOptions)
}

const unknownSchema = (node: Node): QueryError.QueryError =>
  QueryError.make('UnknownSchema', `cannot preload '${node.name}'`, node.owner, node.name)

// A keyed select's statement, for many keys and for one. Its text depends on the number of keys only
// through "one or not" (`= $n` or `= any($n)`), so it is compiled with marks for keys (two, as the
// interpreter's `Plan.memoCompile` does, and one), found again in the parameters by identity, and shown
// as an empty list (or `null`) there.
const keyed = (
  build: (keys: ReadonlyArray<unknown>) => Select.Select,
  level: string,
  keyedBy: LevelStatement['keyedBy'],
): E.Either<QueryError.QueryError, LevelStatement> => {
  const marks = [{}, {}]
  const many = Sql.toSql(build(marks))
  const at = many.params.findIndex(p => Array.isArray(p) && p.length === 2 && p[0] === marks[0])
  const mark = {}
  const one = Sql.toSql(build([mark]))
  const oneAt = one.params.findIndex(p => p === mark)
  if (at < 0 || oneAt < 0)
    return E.left(
      QueryError.make(
        'Unsupported',
        `the statement of '${level}' has no parameter for its keys`,
        null,
        level,
      ),
    )
  const none: ReadonlyArray<unknown> = Object.freeze([])
  return E.right(
    Object.freeze({
      _tag: 'Level' as const,
      ...many,
      params: Object.freeze(many.params.map((p, k) => (k === at ? none : p))),
      level,
      keyedBy,
      keys: at,
      one: Object.freeze({
        ...one,
        params: Object.freeze(one.params.map((p, k) => (k === oneAt ? null : p))),
        keys: oneAt,
      }),
    }),
  )
}

// The statements of one level of the batched strategy (`run/Batched` `level`): each direct node's
// select, then each through read over its chain (`Plan.oneStatementThroughs`: its paths with the
// target's key only, then the targets by key; or, for a target without a one-column key, one statement
// of whole paths); then what loads under their rows.
const level = (
  model: Model.AnyModel,
  nodes: ReadonlyArray<Node>,
  prefix: string,
): E.Either<QueryError.QueryError, ReadonlyArray<LevelStatement>> => {
  const ones = nodes.some(n => n.assoc._tag === 'Through') ? Plan.oneStatementThroughs(model, nodes) : []
  const skip = new Set<Node>(ones.flatMap(t => [t.node, t.hops[0] as Node]))
  const path = (name: string) => (prefix === '' ? name : `${prefix}.${name}`)
  const first: Array<LevelStatement> = []
  const then: Array<LevelStatement> = []
  for (const n of nodes) {
    if (n.assoc._tag === 'Through' || skip.has(n)) continue
    const c = Plan.chain(model, n)
    if (E.isLeft(c)) return c
    if (Model.table(model, n.assoc.target) === undefined) return E.left(unknownSchema(n))
    const own = keyed(keys => Plan.batched(model, n, c.right, keys), path(n.name), 'owners')
    if (E.isLeft(own)) return own
    first.push(own.right)
    const below = level(model, n.children, path(n.name))
    if (E.isLeft(below)) return below
    then.push(...below.right)
  }
  for (const t of ones) {
    const name = path(t.node.name)
    if (Model.table(model, t.chain.target) === undefined) return E.left(unknownSchema(t.node))
    // With a one-column target key the paths carry that key only and the targets are read by it.
    const byKey = Plan.batchedThroughKeys(model, t, []) !== null
    const paths = byKey
      ? keyed(keys => Plan.batchedThroughKeys(model, t, keys) as Select.Select, name, 'owners')
      : keyed(keys => Plan.batchedThrough(model, t, keys), name, 'owners')
    if (E.isLeft(paths)) return paths
    first.push(paths.right)
    if (byKey) {
      const targets = keyed(keys => Plan.byPrimaryKey(model, t.chain.target, keys), name, 'targets')
      if (E.isLeft(targets)) return targets
      then.push(targets.right)
    }
    const below = level(model, (t.hops[t.hops.length - 1] as Node).children, name)
    if (E.isLeft(below)) return below
    then.push(...below.right)
  }
  return E.right([...first, ...then])
}

const root = (s: Select.Select): RootStatement => Object.freeze({ _tag: 'Root' as const, ...Sql.toSql(s) })

// The lateral tree over the owner keys of a projection's rows (`run/Preload` `under`), with no key yet:
// each key column's parameter is an empty list.
const keysTree = (q: AnyQuery, nodes: ReadonlyArray<Node>): E.Either<QueryError.QueryError, Tree.Tree> => {
  const columns: Array<Tree.KeyColumn> = []
  for (const [j, n] of nodes.filter(n => n.assoc._tag !== 'Through').entries()) {
    const c = Plan.chain(q.model, n)
    if (E.isLeft(c)) return c
    const type = Column.baseType(
      Model.table(q.model, q.schema)?.columns.get(c.right.ownerCol)?.sqlType ?? null,
    )
    if (type === null || Sql.typeName(type) === null)
      return E.left(
        QueryError.make(
          'Unsupported',
          `cannot preload '${n.name}' of schema '${q.schema}' laterally: column '${c.right.ownerCol}' has no plain SQL type`,
          q.schema,
          n.name,
        ),
      )
    columns.push({ name: `c${j}`, sqlType: type, values: [] })
  }
  return Plan.treeOfKeys(q.model, nodes, columns)
}

// A query with join-preloads (`run/Run` `joinedPreloads`): the root statement with the joined columns,
// then the rest of the spec batched under the parents (the join-preloaded associations' nested specs
// under their rows). With `lateral` that rest is one statement over the parents' keys, known only once
// the root has run: shown only when there is no rest.
const joinedPlan = (
  q: AnyQuery,
  nodes: ReadonlyArray<Node>,
  strategy: Strategy.Strategy | undefined,
): E.Either<QueryError.QueryError, Statements> => {
  const r = Joined.rootOf(q, nodes)
  if (E.isLeft(r)) return r
  const chosen = strategy === 'lateral' ? 'lateral' : 'batched'
  const done = (statements: ReadonlyArray<Statement>): Statements =>
    Object.freeze({ strategy: chosen, statements: Object.freeze(statements) })
  if (Select.isTriviallyEmpty(q.select)) return E.right(done([]))
  if (!hasRest(nodes)) return E.right(done([root(r.right.select)]))
  if (chosen === 'lateral')
    return E.left(
      QueryError.make(
        'Unsupported',
        "Query.statements: with join-preloads, the 'lateral' statement of the other preloads depends on the root's rows; ask for 'batched' to see the statements",
        q.schema,
      ),
    )
  const out: Array<Statement> = [root(r.right.select)]
  // Each level's plain preloads, then under each join-preload (at any depth) its own.
  const collect = (ns: ReadonlyArray<Node>, path: string): QueryError.QueryError | null => {
    const l = level(
      q.model,
      ns.filter(n => O.isNone(n.joined)),
      path,
    )
    if (E.isLeft(l)) return l.left
    out.push(...l.right)
    for (const n of ns)
      if (O.isSome(n.joined) && hasRest(n.children)) {
        const e = collect(n.children, path === '' ? n.name : `${path}.${n.name}`)
        if (e !== null) return e
      }
    return null
  }
  const e = collect(nodes, '')
  return e === null ? E.right(done(out)) : E.left(e)
}

// Whether a spec with join-preloads loads anything after the root statement: a preload that is not a
// join-preload, at any depth under them.
const hasRest = (nodes: ReadonlyArray<Node>): boolean =>
  nodes.some(n => O.isNone(n.joined) || hasRest(n.children))

// The steps of `run/Preload` `load`, in its order, on an interpreter that runs trees.
const plan = (
  q: AnyQuery,
  strategy: Strategy.Strategy | undefined,
): E.Either<QueryError.QueryError, Statements> => {
  const rooted = Keys.rootOf(q)
  if (E.isLeft(rooted)) return rooted
  if (Joined.hasJoined(rooted.right.nodes)) return joinedPlan(q, rooted.right.nodes, strategy)
  const nodes = { right: rooted.right.nodes }
  // A projection that preloads runs batched under `auto` (see `run/Run` `all`); under `lateral` its
  // root statement, then one statement over the owner keys it read.
  const chosen = Keys.preloadsProjection(q)
    ? strategy === 'lateral'
      ? 'lateral'
      : 'batched'
    : Strategy.choose(
        () => true,
        q.model,
        q.schema,
        { _tag: 'Query', select: q.select },
        strategy,
        Strategy.rowsPerParent(nodes.right),
      )
  const done = (statements: ReadonlyArray<Statement>): Statements =>
    Object.freeze({ strategy: chosen, statements: Object.freeze(statements) })
  // As the runner: a query that cannot match sends nothing, unless it is one group of aggregates
  // (`count(*)` over no rows is a row).
  if (Select.isTriviallyEmpty(q.select) && !(q.projected && oneGroup(q.select))) return E.right(done([]))
  if (Keys.preloadsProjection(q) && chosen === 'lateral') {
    const tree = keysTree(q, nodes.right)
    if (E.isLeft(tree)) return tree
    return E.right(
      done([
        root(rooted.right.select),
        Object.freeze({ _tag: 'Tree' as const, ...Lateral.toSql(tree.right) }),
      ]),
    )
  }
  if (nodes.right.length > 0 && chosen === 'lateral') {
    const tree = Plan.treeOfQuery(q.model, q.select, nodes.right)
    if (E.isLeft(tree)) return tree
    return E.right(done([Object.freeze({ _tag: 'Tree' as const, ...Lateral.toSql(tree.right) })]))
  }
  // The root's rows are read (and decoded) on their own: the load refuses a schema it cannot decode.
  if (Model.table(q.model, q.schema) === undefined && q.derived === undefined)
    return E.left(QueryError.make('UnknownSchema', `the model has no schema '${q.schema}'`, q.schema))
  if (nodes.right.length === 0) return E.right(done([root(rooted.right.select)]))
  const levels = level(q.model, nodes.right, '')
  return E.isLeft(levels) ? levels : E.right(done([root(rooted.right.select), ...levels.right]))
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Every statement a query with its preloads sends when it runs on PostgreSQL (`Pg.all(q, options)`),
 * with no database: for `lateral` the one statement, for `batched` the root statement then each
 * association level's (with an empty list where the keys go, see `LevelStatement`); `auto` (the
 * default) shows the strategy `Pg.all` would pick. The query's first error, or a spec or option that
 * cannot be used, is a `Left`. For a prepared query pass its `query`: its placeholders stand in the
 * parameters where each run's arguments go.
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Query } from 'quiver-sql'
 * // const q = pipe(Query.from(Blog, 'post'), Query.preload({ comments: { author: true } }))
 * // Query.statements(q, { strategy: 'batched' })
 * // Right({ strategy: 'batched', statements: [
 * //   { _tag: 'Root', text: 'select "t0"."id", ... from "posts" as "t0"', params: [] },
 * //   { _tag: 'Level', level: 'comments', text: '... where "t0"."post_id" = any($1) ...', params: [[]], keys: 0, ... },
 * //   { _tag: 'Level', level: 'comments.author', text: '... where "t0"."id" = any($1)', params: [[]], keys: 0, ... }] })
 *
 * @category destructors
 * @since 0.1.0
 */
export const statements = (
  q: AnyQuery,
  options?: StatementsOptions,
): E.Either<QueryError.QueryError, Statements> => {
  if (!isQuery(q))
    return E.left(invalidArgument(`expected a query (Query.from(model, schema) ...), got ${show(q)}`))
  // A query is ours, but its fields may have been replaced by a spread (`{ ...q, select: junk }`), and
  // options from untyped code may be a proxy: whatever throws while they are read is a Left.
  try {
    const o = checkOptions(options)
    if (E.isLeft(o)) return o
    const error = q.errors[0]
    if (error !== undefined) return E.left(error)
    return plan(q, o.right.strategy)
  } catch (u) {
    return E.left(invalidArgument(`the query could not be planned: ${Invalid.describe(u)}`, q.schema))
  }
}
