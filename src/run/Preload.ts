/**
 * Preloading: loading the associations a spec names under the rows of a query (`Query.preload`) or
 * under rows already in memory (`into`, Ecto's `Repo.preload`), with one of two strategies that return
 * deep-equal trees: `batched` (one statement per association level, on any interpreter) and `lateral`
 * (the whole tree in one statement, on an interpreter with the `tree` capability: PostgreSQL). `auto`
 * picks per call with the rule in `choose`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import type * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Expr from '../ast/Expr.js'
import * as Select from '../ast/Select.js'
import type * as Tree from '../ast/Tree.js'
import * as Assemble from '../decode/Assemble.js'
import * as Decode from '../decode/Decode.js'
import * as Json from '../decode/Json.js'
import type { LoadError } from '../error/Errors.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Plan from '../plan/Preload.js'
import * as Spec from '../plan/Spec.js'
import * as Strategies from '../plan/Strategy.js'
import * as JoinPreload from '../query/Joined.js'
import * as Make from '../query/Make.js'
import { isQuery, type Joins, type Query, type Whole } from '../query/Make.js'
import * as Prepared from '../query/Prepared.js'
import type { AnyQuery } from '../query/Query.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import * as Sql from '../sql/Compile.js'
import * as Batched from './Batched.js'
import { bindOf, bound, type Interpreter } from './Interpreter.js'
import { decided, decision, reported, type Event } from './Report.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * `auto` (the default) chooses per call; see `choose`.
 *
 * @category model
 * @since 0.1.0
 */
export type Strategy = Strategies.Strategy

/**
 * Options of a load: the `strategy` (`auto` by default) and, for preloading into rows already loaded,
 * `force`. From untyped code, an unknown option or value is a `QueryError` `InvalidArgument`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Options {
  readonly strategy?: Strategy
  /** Reload associations that are already present on the rows (`into` only). */
  readonly force?: boolean
  /**
   * Called with what the load decides before it sends anything (`StrategyChosen`), for debugging the
   * `auto` rule. A callback that throws makes the load a `QueryError` `InvalidArgument`.
   */
  readonly onEvent?: (event: Event) => void
}

/**
 * Where the `auto` rule's estimate of the parents comes from (`limit`, key equality, key `in` a list,
 * key range, the rows given to `into`) and the estimate, or `Unbounded`.
 *
 * @category model
 * @since 0.2.0
 */
export type Estimate = Strategies.Estimate

/**
 * Why a load runs with its strategy (see `StrategyChosen`).
 *
 * @category model
 * @since 0.2.0
 */
export type Reason = Strategies.Reason

/**
 * @category model
 * @since 0.2.0
 */
export type { Event, StrategyChosen } from './Report.js'

/**
 * @category model
 * @since 0.1.0
 */
export type { LoadError } from '../error/Errors.js'

/**
 * @category model
 * @since 0.1.0
 */
export type {
  FromQuery,
  FromQueryOptions,
  Output,
  PreloadJoined,
  PreloadQuery,
  QueryOptions,
  Input,
} from '../plan/Spec.js'

type Row = Assemble.Row

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A custom preload query, with a nested spec. Either options (extra `where` filters, an `orderBy` that
 * replaces `preloadOrder`, a `limit` / `offset` per parent), or a query value over the association's
 * target (`Query.from(model, 'comment')` piped through `join`, `where`, `orderBy`, `limit` ...): its
 * joins, filters over joined bindings, order (over joined columns and relation aggregates too) apply
 * to the associated records, its `limit` / `offset` per parent, and its own preloads merge with the
 * nested spec. The association's own `where` still applies. With a projection (`Query.select`, relation
 * aggregates included) the children are the projection's rows plus their preloads: the keys the
 * preload reads (the foreign key, the keys of nested preloads) are not returned unless selected. On a
 * through association the query goes to the last hop, and a third argument `{ hops: 'hide' }` leaves
 * the intermediate associations off the rows, as the `hops` option does (`Preload.query(q, {}, { hops:
 * 'hide' })`; typed so). A query with a grouping or `distinct`, over another schema or another model, a
 * projection on a through association, `hops` on an association that is not a through, or a query
 * carrying an error is a `QueryError` when the spec is applied.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * import { Column, Memory, Preload, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const like = Schema.table('like', 'likes', { id: Column.serial, comment_id: Column.integer })
 * const M = Schema.modelOrThrow(
 *   { post, comment, like },
 *   { post: { comments: Schema.hasMany('comment') }, comment: { likes: Schema.hasMany('like') } },
 * )
 * // Each post with its most liked comment.
 * const mostLiked = pipe(
 *   Query.from(M, 'comment'),
 *   Query.orderBy((c, $) => [['desc', $.count('likes')], c.id]),
 *   Query.limit(1),
 * )
 * const q = pipe(Query.from(M, 'post'), Query.preload({ comments: Preload.query(mostLiked) }))
 * const tables = new Map([
 *   ['posts', [{ id: 1 }]],
 *   ['comments', [{ id: 1, post_id: 1 }, { id: 2, post_id: 1 }]],
 *   ['likes', [{ id: 1, comment_id: 2 }]],
 * ])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 1, comments: [{ id: 2, post_id: 1 }] }]))
 * // Each post with its comments' like counts (a projection: only its outputs are returned).
 * const counted = pipe(
 *   Query.from(M, 'comment'),
 *   Query.select((c, $) => ({ id: c.id, likes: $.count('likes') })),
 *   Query.orderBy(c => [c.id]),
 * )
 * assert.deepStrictEqual(
 *   await Memory.all(pipe(Query.from(M, 'post'), Query.preload({ comments: Preload.query(counted) })))(tables)(),
 *   E.right([{ id: 1, comments: [{ id: 1, likes: 0 }, { id: 2, likes: 1 }] }]),
 * )
 * // With options: Preload.query({ where: { public: true }, orderBy: [['desc', 'id']], limit: 3 }, { author: true })
 * assert.strictEqual(Preload.query({ limit: 2 }).options.limit, 2)
 *
 * @category constructors
 * @since 0.1.0
 */
export function query<const Q extends Spec.QueryOptions>(options: Q): Spec.PreloadQuery<Q, {}>
export function query<const Q extends Spec.QueryOptions, const N extends Spec.Input>(
  options: Q,
  preload: N,
): Spec.PreloadQuery<Q, N>
export function query<M extends Model.AnyModel, S extends string, P, J extends Joins>(
  q: Query<M, S, P, J, Whole>,
): Spec.PreloadQuery<Spec.FromQuery<S>, P>
export function query<
  M extends Model.AnyModel,
  S extends string,
  P,
  J extends Joins,
  const N extends Spec.Input,
>(q: Query<M, S, P, J, Whole>, preload: N): Spec.PreloadQuery<Spec.FromQuery<S>, P & N>
export function query<
  M extends Model.AnyModel,
  S extends string,
  P,
  J extends Joins,
  const N extends Spec.Input,
  const H extends Spec.FromQueryOptions,
>(q: Query<M, S, P, J, Whole>, preload: N, options: H): Spec.PreloadQuery<Spec.FromQuery<S> & H, P & N>
export function query<M extends Model.AnyModel, S extends string, P, J extends Joins, R>(
  q: Query<M, S, P, J, R>,
): Spec.PreloadQuery<Spec.FromQuery<S, R>, P>
export function query<
  M extends Model.AnyModel,
  S extends string,
  P,
  J extends Joins,
  R,
  const N extends Spec.Input,
>(q: Query<M, S, P, J, R>, preload: N): Spec.PreloadQuery<Spec.FromQuery<S, R>, P & N>
export function query<
  M extends Model.AnyModel,
  S extends string,
  P,
  J extends Joins,
  R,
  const N extends Spec.Input,
  const H extends Spec.FromQueryOptions,
>(q: Query<M, S, P, J, R>, preload: N, options: H): Spec.PreloadQuery<Spec.FromQuery<S, R> & H, P & N>
export function query(
  options: unknown,
  preload: Spec.Input = {},
  more?: Spec.FromQueryOptions,
): Spec.PreloadQuery<Spec.QueryOptions | Spec.FromQuery, unknown> {
  if (!isQuery(options)) return Spec.query(options as Spec.QueryOptions, preload)
  const q = options
  const nested = Spec.concat(q.preload, preload) as Spec.Input
  const hops = hopsOf(q.schema, more)
  return Spec.query(
    Spec.fromQuery({
      model: q.model,
      schema: q.schema,
      select: q.select,
      error: O.fromNullable(q.errors[0] ?? (E.isLeft(hops) ? hops.left : undefined)),
      outputs: q.projected ? O.some(outputsOf(q)) : O.none,
      ...(E.isRight(hops) && hops.right !== undefined ? { hops: hops.right } : {}),
    }) as never,
    nested,
  )
}

// The options beside a query value, from untyped code too: `{ hops: 'show' | 'hide' }` or nothing (a
// bad one is the preload's error, reported when the spec is applied).
const hopsOf = (
  schema: string,
  more: unknown,
): E.Either<QueryError.QueryError, 'show' | 'hide' | undefined> => {
  if (more === undefined) return E.right(undefined)
  const fail = E.left(
    QueryError.make(
      'InvalidArgument',
      `Preload.query: expected options { hops: 'show' | 'hide' } after the nested spec, got ${show(more)}`,
      schema,
    ),
  )
  if (typeof more !== 'object' || more === null || Array.isArray(more)) return fail
  try {
    const keys = Object.keys(more)
    const hops: unknown = (more as { readonly hops?: unknown }).hops
    return keys.every(k => k === 'hops') && (hops === undefined || hops === 'show' || hops === 'hide')
      ? E.right(hops)
      : fail
  } catch {
    return fail
  }
}

// A projection's outputs as a preload reads them: `bigint` and `numeric` terms cross the lateral
// strategy's JSON as text, the form the driver gives them in at the top level.
const outputsOf = (q: AnyQuery): ReadonlyArray<Spec.Output> => {
  const infos = new Map(Make.outputInfos(q))
  return Make.outputDecoders(q).map(o => {
    const sql = infos.get(o.name)?.sql
    return { ...o, asText: sql === 'bigint' || sql === 'numeric' }
  })
}

/**
 * A join-preload (Ecto's `preload: [comments: c]` after `join: c in assoc(p, :comments)`): the
 * association is filled from the rows of the binding the query joins under `binding` (by default the
 * association's name, the name `Query.join('comments')` gives), so a filtered join and its preload are
 * one statement. Parents are not repeated (one per primary key, in the order of their first row),
 * children keep the rows' order (one per primary key); after a left join a parent without a row has
 * an empty list or `None`. The nested spec loads under the children as any preload does, and may hold
 * join-preloads of its own, over a joined path (`Query.join(['comments', 'author'])` then
 * `{ comments: Preload.joined({ author: Preload.joined() }) }`: a nested binding defaults to the
 * association path, `'comments.author'`), at any depth, each level's children once each in the rows'
 * order. Under a projection (`Query.select`, `Query.selectMerge`) the parents are the projection's
 * rows plus the preloaded fields (the root's primary key is read to tell them apart, and returned only
 * when selected). The children are whole rows, or with a third argument, a query over the target whose
 * `Query.select` picks its columns (as `Preload.query` takes one), that projection's rows with their
 * nested associations (the target's key and the nested preloads' owner keys are read, not returned).
 * A binding that the query does not join, or that joins
 * another association, is a compile error at any depth (and a `QueryError` from untyped code); so are
 * a join-preload under an association that is not join-preloaded and a nested binding not joined from
 * its parent's. A through association and a grouped or distinct projection are `QueryError`s.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Preload, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, ok: Column.boolean })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const q = pipe(
 *   Query.from(M, 'post'),
 *   Query.join('comments', 'left', { on: c => Pred.eq(c.ok, true) }),
 *   Query.orderBy((p, $) => [p.id, ['desc', $.joined.comments.id]]),
 *   Query.preload({ comments: Preload.joined() }),
 * )
 * assert.deepStrictEqual(
 *   Query.toSql(q),
 *   E.right({
 *     text:
 *       'select "t0"."id", "t1"."id" as "__j0_id", "t1"."post_id" as "__j0_post_id", "t1"."ok" as "__j0_ok" ' +
 *       'from "posts" as "t0" left join "comments" as "t1" on "t1"."post_id" = "t0"."id" and "t1"."ok" = $1 ' +
 *       'order by "t0"."id" asc, "t1"."id" desc',
 *     params: [true],
 *   }),
 * )
 * const tables = new Map([
 *   ['posts', [{ id: 1 }, { id: 2 }]],
 *   ['comments', [{ id: 1, post_id: 1, ok: true }, { id: 2, post_id: 1, ok: true }, { id: 3, post_id: 2, ok: false }]],
 * ])
 * assert.deepStrictEqual(
 *   await Memory.all(q)(tables)(),
 *   E.right([
 *     { id: 1, comments: [{ id: 2, post_id: 1, ok: true }, { id: 1, post_id: 1, ok: true }] },
 *     { id: 2, comments: [] },
 *   ]),
 * )
 * // With a projection: the children hold its outputs only.
 * const oks = pipe(
 *   Query.from(M, 'post'),
 *   Query.join('comments'),
 *   Query.orderBy((p, $) => [p.id, $.joined.comments.id]),
 *   Query.preload({ comments: Preload.joined('comments', {}, pipe(Query.from(M, 'comment'), Query.select(c => ({ ok: c.ok })))) }),
 * )
 * assert.deepStrictEqual(
 *   await Memory.all(oks)(tables)(),
 *   E.right([{ id: 1, comments: [{ ok: true }, { ok: true }] }, { id: 2, comments: [{ ok: false }] }]),
 * )
 * // Nested, over a joined path: pipe(q, Query.join(['comments', 'author']), Query.preload({ comments:
 * // Preload.joined({ author: Preload.joined() }) })): the nested binding defaults to 'comments.author'.
 * assert.strictEqual(Preload.joined({ author: Preload.joined() }).binding, undefined)
 *
 * @category constructors
 * @since 0.2.0
 */
export const joined = JoinPreload.joined

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Up to this many estimated rows (the parents times the rows each brings: `rowsPerParent`), `auto` sends
 * one lateral statement; the measurements behind the number are in `bench/AUTO.md`.
 *
 * @example
 * import { Preload } from 'quiver-sql'
 * // { comments: true } brings 1 + 10 rows per post: Pg.all(pipe(q, Query.limit(272), Query.preload(spec)))
 * // sends one statement under auto, Query.limit(273) one per level.
 * assert.strictEqual(Preload.lateralMaxRows, 3000)
 * assert.strictEqual(Preload.lateralMaxParents(1 + Preload.assumedFanOut), 272)
 *
 * @category utils
 * @since 0.2.0
 */
export const lateralMaxRows = Strategies.lateralMaxRows

/**
 * The rows a to-many association is taken to hold per owner when its preload sets no smaller per-parent
 * `limit` (the `auto` rule reads no statistics).
 *
 * @example
 * import { Preload } from 'quiver-sql'
 * assert.strictEqual(Preload.assumedFanOut, 10)
 *
 * @category utils
 * @since 0.2.0
 */
export const assumedFanOut = Strategies.assumedFanOut

/**
 * The most parents `auto` loads with one lateral statement when each brings `perParent` rows
 * (`lateralMaxRows / perParent`, rounded down).
 *
 * @example
 * import { Preload } from 'quiver-sql'
 * assert.strictEqual(Preload.lateralMaxParents(22), 136)
 *
 * @category utils
 * @since 0.1.0
 */
export const lateralMaxParents = Strategies.lateralMaxParents

/**
 * The `auto` rule, in one place. One statement wins while the rows it reads are few (its cost is one
 * round trip; separate statements cost one round trip per level), separate statements win on many
 * rows (the server builds each parent's JSON with a correlated subquery per association). So:
 * `lateral` when the interpreter can run a tree and the estimated rows are at most `lateralMaxRows`:
 * the parents a root query (not distinct) is bounded to by its own terms (its `limit`, an equality on
 * its primary key, the key in a list (its length), or an integer key between two bounds: `id >= 101
 * and id <= 120` is 20 rows at most), or the rows given to `into`, times `perParent`, the rows each
 * parent brings (a load computes it from its spec: 1 + 10 per to-many association, 1 + 1 per to-one,
 * nested ones multiplied; by default 11, one to-many level); `batched` otherwise. The rule itself is
 * pure (`plan/Strategy`), so `Query.statements` shows the statements of the strategy chosen here.
 *
 * @example
 * import postgres from 'postgres'
 * import { Column, Memory, Pg, Preload, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * // postgres.js connects on the first statement, and this example sends none.
 * const pg = Pg.interpreter(postgres('postgres://localhost/blog'))
 * assert.strictEqual(Preload.choose(pg, M, 'post', { _tag: 'Rows', count: 3 }), 'lateral')
 * assert.strictEqual(Preload.choose(pg, M, 'post', { _tag: 'Rows', count: 500 }), 'batched')
 * assert.strictEqual(Preload.choose(pg, M, 'post', { _tag: 'Rows', count: 500 }, 'lateral'), 'lateral')
 * // 50 posts bringing 1 + 10 rows each are 550 rows: lateral; bringing 100 rows each, 5,000: batched.
 * assert.strictEqual(Preload.choose(pg, M, 'post', { _tag: 'Rows', count: 50 }), 'lateral')
 * assert.strictEqual(Preload.choose(pg, M, 'post', { _tag: 'Rows', count: 50 }, 'auto', 100), 'batched')
 * // The memory interpreter runs no trees: auto is batched there.
 * assert.strictEqual(Preload.choose(Memory.interpreter(new Map()), M, 'post', { _tag: 'Rows', count: 1 }), 'batched')
 *
 * @category utils
 * @since 0.1.0
 */
export const choose = (
  i: Interpreter,
  model: Model.AnyModel,
  schema: string,
  root: Strategies.Parents,
  strategy: Strategy = 'auto',
  perParent: number = 1 + Strategies.assumedFanOut,
): 'batched' | 'lateral' =>
  Strategies.choose(() => i.tree !== undefined, model, schema, root, strategy, perParent)

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const strategies: ReadonlyArray<unknown> = ['auto', 'batched', 'lateral']

// Load options from untyped code: an unknown option or value is refused (an unchecked `strategy` would
// silently run as something else), naming the function.
const checkOptions = (fn: string, options: unknown): E.Either<QueryError.QueryError, Options> => {
  const refuse = (what: string) => E.left(QueryError.make('InvalidArgument', `${fn}: ${what}`))
  if (options === undefined) return E.right({})
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return refuse(`expected options such as { strategy: 'batched' }, got ${show(options)}`)
  for (const key of Object.keys(options)) {
    const v = (options as Readonly<Record<string, unknown>>)[key]
    if (v === undefined) continue
    if (
      key === 'strategy'
        ? !strategies.includes(v)
        : key === 'force'
          ? typeof v !== 'boolean'
          : key === 'onEvent'
            ? typeof v !== 'function'
            : true
    )
      return refuse(
        `option '${key}' = ${show(v)}: the options are 'strategy' ('auto', 'batched', 'lateral'), 'force' (a boolean) and 'onEvent' (a function)`,
      )
  }
  return E.right(options as Options)
}

// An interpreter is a capability record; anything else from untyped code is refused before use.
const checkInterpreter = (fn: string, i: unknown): QueryError.QueryError | null =>
  typeof i === 'object' &&
  i !== null &&
  typeof (i as Partial<Interpreter>).select === 'function' &&
  typeof (i as Partial<Interpreter>).transact === 'function'
    ? null
    : QueryError.make(
        'InvalidArgument',
        `${fn}: expected an interpreter (Pg.interpreter(sql) ...), got ${show(i)}`,
      )

const unsupported = (schema: string) =>
  QueryError.make(
    'Unsupported',
    `the lateral preload strategy needs an interpreter that runs trees (PostgreSQL); preloading under '${schema}'`,
    schema,
  )

const rootRows = (
  i: Interpreter,
  q: AnyQuery,
  bind: Expr.Bind | undefined,
): TE.TaskEither<LoadError, ReadonlyArray<Row>> => {
  const table = Model.table(q.model, q.schema)
  if (table === undefined)
    return TE.left(QueryError.make('UnknownSchema', `the model has no schema '${q.schema}'`, q.schema))
  const select = i.select(q.select, bind)
  return async () => {
    const raw = await select()
    return E.isLeft(raw) ? raw : Decode.rows(table, raw.right)
  }
}

// The batched strategy under a query: its rows (decoded here, so completed in place), then the levels.
const batchedQuery =
  (
    i: Interpreter,
    q: AnyQuery,
    nodes: ReadonlyArray<Spec.Node>,
    bind: Expr.Bind | undefined,
  ): TE.TaskEither<LoadError, ReadonlyArray<Row>> =>
  async () => {
    const root = await rootRows(i, q, bind)()
    if (E.isLeft(root)) return root
    // The levels' selects hold keys and the spec's filters, and a preload query's placeholders.
    const loaded = await Batched.loadOwned(bound(i, bind), q.model, nodes)(root.right)()
    return E.isLeft(loaded) ? loaded : E.right(Assemble.strip(nodes, loaded.right))
  }

// How `load` gets the normalized spec, the rule's decision and the lateral tree: per call for a query,
// once for a prepared query (whose tree must be the same object in every run, for the interpreter to
// compile it once).
interface Planner {
  readonly nodes: (q: AnyQuery) => E.Either<LoadError, ReadonlyArray<Spec.Node>>
  readonly start: (q: AnyQuery) => Start
  readonly decision: (
    i: Interpreter,
    q: AnyQuery,
    nodes: ReadonlyArray<Spec.Node>,
    asked: Strategy | undefined,
  ) => Strategies.Decision
  readonly tree: (q: AnyQuery, nodes: ReadonlyArray<Spec.Node>) => E.Either<LoadError, Tree.Tree>
}

// The steps of `fromQuery` and `fromPrepared`.
const load = (
  i: Interpreter,
  q: AnyQuery,
  options: Options,
  bind: Expr.Bind | undefined,
  planner: Planner,
): TE.TaskEither<LoadError, ReadonlyArray<Row>> => {
  const begun = planner.start(q)
  if (begun._tag === 'Failed') return TE.left(begun.error)
  if (begun._tag === 'Empty') return TE.right([])
  if (begun._tag === 'Root') return rootRows(i, q, bind)
  // A through's or to-one's count placeholders take the run's values, checked before anything is sent;
  // the tree of nodes that changed is planned for this run (the prepared one holds the placeholders).
  // A spec with no count placeholder is its own bound spec (`bindCounts` would return it unchanged).
  const counted = countFree(begun.nodes) ? E.right(begun.nodes) : Prepared.bindCounts(begun.nodes, bind)
  if (E.isLeft(counted)) return TE.left(counted.left)
  const nodes = counted.right
  const plan = nodes === begun.nodes ? planner : perCall
  const { strategy, report } = reported(
    plan.decision(i, q, nodes, options.strategy),
    q.schema,
    nodes,
    options,
  )
  if (strategy === 'batched') return report(batchedQuery(i, q, nodes, bind))
  const tree = plan.tree(q, nodes)
  if (E.isLeft(tree)) return TE.left(tree.left)
  if (i.tree === undefined) return TE.left(unsupported(q.schema))
  const run = i.tree(tree.right, bind)
  return report(async () => {
    const raw = await run()
    if (E.isLeft(raw)) return raw
    const rows = Json.decodeTrees(q.model, q.schema, nodes, raw.right)
    return E.isLeft(rows) ? rows : E.right(Assemble.strip(nodes, rows.right))
  })
}

// Whether no node of a normalised spec (at any depth) has a placeholder for its limit or offset: then
// its nodes are the same in every run and `Prepared.bindCounts` has nothing to bind (a prepared
// query's spec is one frozen value, so this is found once).
const countFrees = new WeakMap<ReadonlyArray<Spec.Node>, boolean>()
const countFree = (nodes: ReadonlyArray<Spec.Node>): boolean => {
  let free = countFrees.get(nodes)
  if (free === undefined) countFrees.set(nodes, (free = noCountPlaceholder(nodes)))
  return free
}
const noCountPlaceholder = (nodes: ReadonlyArray<Spec.Node>): boolean =>
  nodes.every(
    n =>
      !(O.isSome(n.custom.limit) && Expr.isPlaceholder(n.custom.limit.value)) &&
      !(O.isSome(n.custom.offset) && Expr.isPlaceholder(n.custom.offset.value)) &&
      noCountPlaceholder(n.children),
  )

// What `load` finds from the query alone, before the interpreter and the options come in: a Left, no
// rows (a filter that cannot match), the root rows only (no preload), or the normalized spec.
type Start =
  | { readonly _tag: 'Failed'; readonly error: LoadError }
  | { readonly _tag: 'Empty' }
  | { readonly _tag: 'Root' }
  | { readonly _tag: 'Preload'; readonly nodes: ReadonlyArray<Spec.Node> }

const empty: Start = { _tag: 'Empty' }
const root: Start = { _tag: 'Root' }

const startOf = (q: AnyQuery, planner: Pick<Planner, 'nodes'>): Start => {
  const error = q.errors[0]
  if (error !== undefined) return { _tag: 'Failed', error }
  const nodes = planner.nodes(q)
  if (E.isLeft(nodes)) return { _tag: 'Failed', error: nodes.left }
  // A join-preload reads the query's joined columns: `Run.all` / `Run.prepared` run it, never as a
  // preload of its own (which would load the association without the join's filter).
  if (nodes.right.some(n => O.isSome(n.joined)))
    return {
      _tag: 'Failed',
      error: QueryError.make(
        'Unsupported',
        'a query with join-preloads (Preload.joined) runs through Run.all / Run.prepared (Pg.all, Memory.all ...)',
        q.schema,
      ),
    }
  if (Select.isTriviallyEmpty(q.select)) return empty
  return nodes.right.length === 0 ? root : { _tag: 'Preload', nodes: nodes.right }
}

/**
 * The rows of a query with its preloads, on any interpreter, as untyped rows: `Run.all` (and `Pg.all`,
 * `Memory.all`) call it for a query of whole rows and type the result. A query with `Query.select` is
 * an `Unsupported` error here (its rows are `Run.all`'s to decode).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Memory, Preload, Query, Schema } from 'quiver-sql'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const tables = new Map([
 *   ['posts', [{ id: 1, title: 'hi' }]],
 *   ['comments', [{ id: 5, post_id: 1, body: 'b' }]],
 * ])
 * const q = pipe(Query.from(M, 'post'), Query.preload({ comments: true }))
 * assert.deepStrictEqual(
 *   await Preload.fromQuery(q)(Memory.interpreter(tables))(),
 *   E.right([{ id: 1, title: 'hi', comments: [{ id: 5, post_id: 1, body: 'b' }] }]),
 * )
 * // What the auto rule decided, and from what (the memory interpreter runs no trees: batched).
 * const events: Array<Preload.Event> = []
 * await Preload.fromQuery(pipe(q, Query.limit(3)), { onEvent: e => events.push(e) })(Memory.interpreter(tables))()
 * assert.deepStrictEqual(events, [{
 *   _tag: 'StrategyChosen', schema: 'post', asked: 'auto', strategy: 'batched', reason: 'NoTrees',
 *   estimate: { _tag: 'Limit', parents: 3 }, depth: 1, rowsPerParent: 11, rows: 33, lateralMaxRows: 3000,
 * }])
 *
 * @category destructors
 * @since 0.1.0
 */
export const fromQuery = (
  q: AnyQuery,
  options: Options = {},
): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Row>> =>
  QueryError.total('Preload.fromQuery', () => (i: Interpreter) => {
    if (!isQuery(q))
      return TE.left(
        QueryError.make(
          'InvalidArgument',
          `Preload.fromQuery: expected a query (Query.from(model, schema) ...), got ${show(q)}`,
        ),
      )
    // Its rows are decoded as the table's whole rows: a projection is `Run.all`'s to decode.
    if (q.projected)
      return TE.left(
        QueryError.make(
          'Unsupported',
          'Preload.fromQuery loads whole rows; run a query with Query.select through Run.all (Pg.all, Memory.all)',
          q.schema,
        ),
      )
    const o = checkOptions('Preload.fromQuery', options)
    if (E.isLeft(o)) return TE.left(o.left)
    const bad = checkInterpreter('Preload.fromQuery', i)
    return bad !== null ? TE.left(bad) : load(i, q, o.right, undefined, perCall)
  })

const perCall: Planner = {
  nodes: q => Spec.normalize(q.model, q.schema, q.preload),
  start: q => startOf(q, perCall),
  decision: (i, q, nodes, asked) =>
    decision(i, q.model, q.schema, { _tag: 'Query', select: q.select }, nodes, asked),
  tree: (q, nodes) => Plan.treeOfQuery(q.model, q.select, nodes),
}

// A prepared query's planner: its spec normalized and the steps before the interpreter taken on its
// first run, the rule's decision made once per strategy asked and kind of interpreter (whether it runs
// trees: the rule's only other input), its lateral tree planned on its first lateral run. The query is
// a frozen value, so none of these changes between runs.
const planners = new WeakMap<AnyQuery, Planner>()
const askedIndex = (asked: Strategy | undefined): number =>
  asked === undefined || asked === 'auto' ? 0 : asked === 'batched' ? 1 : asked === 'lateral' ? 2 : -1
const plannerOf = (q: AnyQuery): Planner => {
  const hit = planners.get(q)
  if (hit !== undefined) return hit
  let nodes: E.Either<LoadError, ReadonlyArray<Spec.Node>> | undefined
  let tree: E.Either<LoadError, Tree.Tree> | undefined
  let start: Start | undefined
  const decisions: Array<Strategies.Decision | undefined> = []
  const planner: Planner = {
    nodes: () => (nodes ??= perCall.nodes(q)),
    start: () => (start ??= startOf(q, planner)),
    decision: (i, _, ns, asked) => {
      const k = askedIndex(asked)
      if (k < 0) return perCall.decision(i, q, ns, asked)
      const at = 2 * k + (i.tree === undefined ? 0 : 1)
      return (decisions[at] ??= perCall.decision(i, q, ns, asked))
    },
    tree: (_, ns) => (tree ??= perCall.tree(q, ns)),
  }
  planners.set(q, planner)
  return planner
}

/**
 * The rows of a prepared query run with some arguments (checked against its codecs), with its preloads.
 * Its query, spec and lateral tree were built and planned once; the interpreter binds the placeholders.
 * Untyped, like `fromQuery`: `Run.prepared` (and `Pg.prepared`, `Memory.prepared`) type it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * import * as t from 'io-ts'
 * import { Column, Memory, Pred, Prepared, Preload, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const byId = Prepared.make({ id: t.number }, ({ id }) => pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.id, id))))
 * const i = Memory.interpreter(new Map([['posts', [{ id: 1, title: 'hi' }, { id: 2, title: 'yo' }]]]))
 * assert.deepStrictEqual(await Preload.fromPrepared(byId, { id: 2 })(i)(), E.right([{ id: 2, title: 'yo' }]))
 * const bad = await Preload.fromPrepared(byId, { id: '2' })(i)()
 * assert.ok(E.isLeft(bad) && bad.left._tag === 'QueryError' && bad.left.code === 'InvalidArgument')
 *
 * @category destructors
 * @since 0.1.0
 */
export const fromPrepared = (
  p: Prepared.AnyPrepared,
  args: unknown,
  options: Options = {},
): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Row>> =>
  QueryError.total('Preload.fromPrepared', () => (i: Interpreter) => {
    if (!Prepared.isPrepared(p))
      return TE.left(
        QueryError.make(
          'InvalidArgument',
          `Preload.fromPrepared: expected a prepared query (Prepared.make(...)), got ${show(p)}`,
        ),
      )
    if ((p.query as AnyQuery).projected)
      return TE.left(
        QueryError.make(
          'Unsupported',
          'Preload.fromPrepared: a prepared query cannot hold a projection yet',
          p.query.schema,
        ),
      )
    const o = checkOptions('Preload.fromPrepared', options)
    if (E.isLeft(o)) return TE.left(o.left)
    const bad = checkInterpreter('Preload.fromPrepared', i)
    if (bad !== null) return TE.left(bad)
    const error = p.query.errors[0]
    if (error !== undefined) return TE.left(error)
    const bind = Prepared.bind(p, args)
    if (E.isLeft(bind)) return TE.left(bind.left)
    return load(i, p.query, o.right, bind.right, plannerOf(p.query))
  })

/**
 * The associations of a normalised spec under rows in memory, in one statement over their owner keys
 * (the lateral strategy of `into`, never reusing associations present on the rows): the runner of a
 * projection with preloads under `lateral` (its rows carry only the owner keys).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import postgres from 'postgres'
 * import { Column, Pg, Preload, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const M = Schema.modelOrThrow({ post }, {})
 * // postgres.js connects on the first statement; with no parent, none is sent.
 * const pg = Pg.interpreter(postgres('postgres://localhost/blog'))
 * assert.deepStrictEqual(await Preload.under(pg, M, 'post', [])([])(), E.right([]))
 *
 * @category utils
 * @since 0.2.0
 */
export const under =
  (i: Interpreter, model: Model.AnyModel, schema: string, nodes: ReadonlyArray<Spec.Node>) =>
  (parents: ReadonlyArray<Row>): TE.TaskEither<LoadError, ReadonlyArray<Row>> =>
    QueryError.total('Preload.under', () => (rows: ReadonlyArray<Row>) => {
      // Untyped callers: nodes must be a normalised spec's (frozen nodes with an association).
      if (!Array.isArray(nodes) || !nodes.every(n => Object.isFrozen(n) && typeof n?.assoc === 'object'))
        return TE.left(
          QueryError.make(
            'InvalidArgument',
            `Preload.under: expected the nodes of a normalised spec, got ${show(nodes)}`,
            schema,
          ),
        )
      const bad = notRows(schema, rows) ?? checkInterpreter('Preload.under', i)
      return bad !== null ? TE.left(bad) : lateralInto(i, model, schema, nodes, true)(rows)
    })(parents)

const lateralInto =
  (i: Interpreter, model: Model.AnyModel, schema: string, given: ReadonlyArray<Spec.Node>, force: boolean) =>
  (parents: ReadonlyArray<Row>): TE.TaskEither<LoadError, ReadonlyArray<Row>> => {
    if (parents.length === 0) return TE.right([])
    const run = i.tree
    if (run === undefined) return TE.left(unsupported(schema))
    const counted = Prepared.bindCounts(given, bindOf(i))
    if (E.isLeft(counted)) return TE.left(counted.left)
    const nodes = counted.right
    const direct = nodes.filter(n => n.assoc._tag !== 'Through')
    const isLoaded = (p: Row, n: Spec.Node) => !force && p[n.name] !== undefined
    const columns: Array<Tree.KeyColumn> = []
    for (const [j, n] of direct.entries()) {
      const c = Plan.chain(model, n)
      if (E.isLeft(c)) return TE.left(c.left)
      const type = Column.baseType(Model.table(model, schema)?.columns.get(c.right.ownerCol)?.sqlType ?? null)
      if (type === null || Sql.typeName(type) === null)
        return TE.left(
          QueryError.make(
            'Unsupported',
            `cannot preload '${n.name}' of schema '${schema}' laterally: column '${c.right.ownerCol}' has ${type === null ? 'no SQL type' : `an SQL type that is not a plain type name (${show(type)})`}`,
            schema,
            n.name,
          ),
        )
      const ownerCol = c.right.ownerCol
      columns.push({
        name: `c${j}`,
        sqlType: type,
        values: parents.map(p => (isLoaded(p, n) ? null : (p[ownerCol] ?? null))),
      })
    }
    const fetch: TE.TaskEither<LoadError, ReadonlyArray<Row>> = columns.every(c =>
      c.values.every(v => v === null),
    )
      ? TE.right(parents.map(() => ({})))
      : pipe(
          Plan.treeOfKeys(model, nodes, columns),
          TE.fromEither,
          TE.flatMap(t => run(t)),
        )
    return pipe(
      fetch,
      TE.flatMap(raw =>
        pipe(
          direct,
          // Already-loaded children get the nested spec in a statement of their own.
          TE.traverseArray(n => {
            const loaded: Array<Row> = []
            const ranges = new Map<Row, readonly [number, number]>()
            for (const p of parents)
              if (isLoaded(p, n)) {
                const rows = Assemble.rowsOf(p[n.name])
                ranges.set(p, [loaded.length, loaded.length + rows.length])
                loaded.push(...rows)
              }
            return pipe(
              loaded.length === 0 || n.children.length === 0
                ? TE.right(loaded)
                : lateralInto(i, model, n.assoc.target, n.children, force)(loaded),
              TE.map(children => ({ ranges, children })),
            )
          }),
          TE.flatMapEither(reloaded => {
            const out: Array<Row> = []
            for (const [k, p] of parents.entries()) {
              const row: Record<string, unknown> = { ...p }
              for (const [j, n] of direct.entries()) {
                const { ranges, children } = reloaded[j] as (typeof reloaded)[number]
                const range = ranges.get(p)
                if (range !== undefined) {
                  row[n.name] = Assemble.valueOf(n.assoc.cardinality, children.slice(range[0], range[1]))
                  continue
                }
                const v = Json.decodeValue(model, n, raw[k]?.[n.name] ?? null)
                if (E.isLeft(v)) return v
                row[n.name] = v.right
              }
              out.push(Assemble.complete(model, nodes, row))
            }
            return E.right(Object.freeze(out))
          }),
        ),
      ),
    )
  }

// The rows given to `into` come from untyped code as often as from a query: anything but a list of
// records is refused here, before any statement, instead of failing inside a strategy.
const notRows = (schema: string, rows: unknown): QueryError.QueryError | null => {
  if (!Array.isArray(rows))
    return QueryError.make(
      'InvalidArgument',
      `preloading into schema '${schema}' takes a list of rows, got ${show(rows)}`,
      schema,
    )
  for (const [i, r] of rows.entries())
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      return QueryError.make(
        'InvalidArgument',
        `preloading into schema '${schema}': row ${i} is not a record (${show(r)})`,
        schema,
      )
  return null
}

/**
 * Loads a spec under rows already in memory (Ecto's `Repo.preload`): the rows come back in the same
 * order, as new rows with their associations. Associations already present are kept (their nested spec
 * is still applied) unless `force`. Untyped: `Run.preloadInto` (and `Pg.preloadInto`,
 * `Memory.preloadInto`) check the spec against the model at compile time and type the result.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Memory, Preload, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, { post: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }) } })
 * const i = Memory.interpreter(new Map([['users', [{ id: 1, name: 'ada' }]]]))
 * const loaded = await Preload.into(M, 'post', { author: true })([{ id: 7, author_id: 1 }])(i)()
 * assert.ok(E.isRight(loaded))
 * assert.deepStrictEqual(loaded.right[0]?.['author'], { _tag: 'Some', value: { id: 1, name: 'ada' } })
 *
 * @category destructors
 * @since 0.1.0
 */
export const into =
  (model: Model.AnyModel, schema: string, spec: unknown, options: Options = {}) =>
  (rows: ReadonlyArray<Row>): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Row>> =>
    QueryError.total('Preload.into', () => (i: Interpreter) => {
      const o = checkOptions('Preload.into', options)
      if (E.isLeft(o)) return TE.left(o.left)
      const nodes = Spec.normalize(model, schema, spec)
      if (E.isLeft(nodes)) return TE.left(nodes.left)
      const bad = notRows(schema, rows) ?? checkInterpreter('Preload.into', i)
      if (bad !== null) return TE.left(bad)
      return intoRows(i, model, schema, nodes.right, o.right, rows)
    })

// `into` once its arguments are checked.
const intoRows = (
  i: Interpreter,
  model: Model.AnyModel,
  schema: string,
  nodes: ReadonlyArray<Spec.Node>,
  options: Options,
  rows: ReadonlyArray<Row>,
): TE.TaskEither<LoadError, ReadonlyArray<Row>> => {
  if (rows.length === 0) return TE.right([])
  const force = options.force ?? false
  const typed = nodes.every(n => {
    if (n.assoc._tag === 'Through') return true
    const c = Plan.chain(model, n)
    const type = E.isRight(c)
      ? Column.baseType(Model.table(model, schema)?.columns.get(c.right.ownerCol)?.sqlType ?? null)
      : null
    return type !== null && Sql.typeName(type) !== null
  })
  // `auto` keeps to batched when an owner key has no plain SQL type (the lateral keys are typed).
  const { strategy, report } = decided(
    i,
    model,
    schema,
    { _tag: 'Rows', count: rows.length },
    nodes,
    options,
    d =>
      d.strategy === 'lateral' && !typed && d.reason !== 'Asked'
        ? { ...d, strategy: 'batched', reason: 'UntypedKey' }
        : d,
  )
  return report(
    pipe(
      strategy === 'lateral'
        ? lateralInto(i, model, schema, nodes, force)(rows)
        : Batched.load(i, model, nodes, force)(rows),
      TE.map(loaded => Assemble.strip(nodes, loaded)),
    ),
  )
}
