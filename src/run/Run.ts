/**
 * Running queries on any interpreter: `all`, `one` (exactly one row, else a `QueryError`) and `first`
 * (an `Option`). The steps are the same everywhere: refuse a query that carries an error, answer a
 * query that cannot match without a round trip, run it, decode its rows with the table's codecs.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type * as Expr from '../ast/Expr.js'
import * as Select from '../ast/Select.js'
import * as Assemble from '../decode/Assemble.js'
import * as Decode from '../decode/Decode.js'
import type { LoadError } from '../error/Errors.js'
import * as DecodeError from '../error/DecodeError.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Spec from '../plan/Spec.js'
import type { Loaded } from '../query/Loaded.js'
import * as Joined from '../query/Joined.js'
import * as Keys from '../query/Keys.js'
import * as Lower from '../query/Lower.js'
import * as Make from '../query/Make.js'
import { isQuery, type Result, type Whole } from '../query/Make.js'
import * as PreparedQuery from '../query/Prepared.js'
import type * as Prepared from '../query/Prepared.js'
import type { AnyQuery, Joins, Query } from '../query/Query.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import type * as Table from '../schema/Table.js'
import * as Batched from './Batched.js'
import { bound, isInterpreter, type Interpreter } from './Interpreter.js'
import * as Preload from './Preload.js'
import * as Report from './Report.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type Row = Assemble.Row

/**
 * What loading rows can fail with.
 *
 * @category model
 * @since 0.1.0
 */
export type { LoadError } from '../error/Errors.js'
export { isInterpreter } from './Interpreter.js'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const strategies: ReadonlyArray<Preload.Strategy> = ['auto', 'batched', 'lateral']

/**
 * Checks load options from untyped code: an unknown option or option value is a `QueryError`
 * `InvalidArgument` naming the option and its valid values (an unchecked `strategy` would silently run
 * as lateral). `undefined` for an option, or for the whole argument, is its default.
 *
 * @example
 * import { Run } from 'quiver-sql'
 * assert.strictEqual(Run.checkOptions({ strategy: 'batched' })._tag, 'Right')
 * assert.strictEqual(Run.checkOptions({ strategy: 'fast' })._tag, 'Left')
 *
 * @category utils
 * @since 0.1.0
 */
export const checkOptions = (options: unknown): E.Either<QueryError.QueryError, Preload.Options> => {
  if (options === undefined) return E.right({})
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `load options: expected an object such as { strategy: 'batched' }, got ${show(options)}`,
      ),
    )
  try {
    for (const key of Object.keys(options)) {
      const v = (options as Record<string, unknown>)[key]
      if (v === undefined) continue
      if (key === 'strategy') {
        if (!strategies.includes(v as Preload.Strategy))
          return E.left(
            QueryError.make(
              'InvalidArgument',
              `load option 'strategy': expected one of ${strategies.map(x => `'${x}'`).join(', ')}, got ${show(v)}`,
            ),
          )
      } else if (key === 'force') {
        if (typeof v !== 'boolean')
          return E.left(
            QueryError.make('InvalidArgument', `load option 'force': expected true or false, got ${show(v)}`),
          )
      } else if (key === 'onEvent') {
        if (typeof v !== 'function')
          return E.left(
            QueryError.make('InvalidArgument', `load option 'onEvent': expected a function, got ${show(v)}`),
          )
      } else
        return E.left(
          QueryError.make(
            'InvalidArgument',
            `unknown load option ${show(key)}; the options are 'strategy' (${strategies.map(x => `'${x}'`).join(', ')}), 'force' (a boolean) and 'onEvent' (a function)`,
          ),
        )
    }
  } catch (u) {
    // A proxy or a getter that throws.
    return E.left(QueryError.make('InvalidArgument', `load options could not be read: ${show(u)}`))
  }
  return E.right(options as Preload.Options)
}

// Refuses what untyped code may pass instead of a query, before anything reads it.
// By brand (`Query.isQuery`, `Prepared.isPrepared`), never by shape: `{ _tag: 'Query', ... }` from
// JSON, or a spread of a query, is not one.
const checkQuery = (q: unknown): QueryError.QueryError | null =>
  isQuery(q)
    ? null
    : QueryError.make('InvalidArgument', `expected a query (Query.from(model, schema) ...), got ${show(q)}`)

const isPrepared = (p: unknown): p is { readonly query: unknown } => PreparedQuery.isPrepared(p)

const notPrepared = (p: unknown): QueryError.QueryError =>
  QueryError.make('InvalidArgument', `expected a prepared query (Prepared.make(...)), got ${show(p)}`)

// The options and the query checked, then the load.
const guarded =
  <A>(
    q: unknown,
    options: unknown,
    load: (o: Preload.Options) => RTE.ReaderTaskEither<Interpreter, LoadError, A>,
  ): RTE.ReaderTaskEither<Interpreter, LoadError, A> =>
  i => {
    const bad = checkQuery(q)
    if (bad !== null) return TE.left(bad)
    // A query refused while it was built answers its first error, as `toSql` does, before anything reads
    // it (an invalid query may have no model to read).
    const refused = (q as AnyQuery).errors[0]
    if (refused !== undefined) return TE.left(refused)
    const o = checkOptions(options)
    return E.isLeft(o) ? TE.left(o.left) : load(o.right)(i)
  }

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

// The rows of a projection, each output decoded by its own decoder (`Make.outputDecoders`, built once
// per query); a value it rejects is a `DecodeError` naming the output. Rows handed over (`own`: nothing
// reads them afterwards) are completed in place when they have exactly the outputs as keys
// (`Decode.rowsWith`), as a table's rows are: no new object per row, and a value its decoder keeps (an
// int4, a text, a boolean) is not written again. Others (the memory interpreter's frozen rows, rows with
// a preload's keys beside the outputs, rows read again for their keys) are decoded into new rows.
const projected = (
  q: AnyQuery,
  raw: ReadonlyArray<Decode.RawRow>,
  own: boolean,
): E.Either<DecodeError.DecodeError, ReadonlyArray<Record<string, unknown>>> => {
  const outputs = Make.outputDecoders(q)
  const error = (r: Decode.RawRow, at: number): DecodeError.DecodeError => {
    const table = Model.table(q.model, q.schema)?.source ?? (q.derived === undefined ? q.schema : 'subquery')
    const o = outputs[at]
    return o === undefined
      ? DecodeError.make(table, '(row)', r, 'a row')
      : DecodeError.make(table, o.name, r[o.name], o.expected)
  }
  if (own) return Decode.rowsWith(outputs, raw, error)
  const out: Array<Record<string, unknown>> = new Array(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i] as Decode.RawRow
    const row = Decode.decodeRow(outputs, r)
    if (typeof row === 'number') return E.left(error(r, row))
    out[i] = row
  }
  return E.right(out)
}

/**
 * The decoded rows of a query, before preloads (a projection's rows, output by output).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Query, Run, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const i = Memory.interpreter(new Map([['posts', [{ id: 1, title: 'hi' }]]]))
 * // The preload is not loaded: these are the root rows only.
 * const q = pipe(Query.from(M, 'post'), Query.preload({ comments: true }))
 * assert.deepStrictEqual(await Run.rows(q)(i)(), E.right([{ id: 1, title: 'hi' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const rows = (
  q: AnyQuery,
): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Record<string, unknown>>> =>
  QueryError.total('Run.rows', () => (i: Interpreter) => {
    const bad = checkQuery(q)
    if (bad !== null) return TE.left(bad)
    const error = q.errors[0]
    if (error !== undefined) return TE.left(error)
    if (Select.isTriviallyEmpty(q.select) && !(q.projected && Make.oneGroup(q.select))) return TE.right([])
    const table = Model.table(q.model, q.schema)
    // A projection over a subquery (`Query.fromQuery`) has no schema: its outputs decode themselves.
    if (table === undefined && q.derived === undefined)
      return TE.left(QueryError.make('UnknownSchema', `the model has no schema '${q.schema}'`, q.schema))
    return pipe(
      // A projection's relation aggregates run as grouped joins (query/Lower.ts).
      !q.projected
        ? i.select(q.select)
        : i.project !== undefined
          ? i.project(q.select)
          : i.select(Lower.select(q.select)),
      TE.flatMapEither((raw): E.Either<LoadError, ReadonlyArray<Record<string, unknown>>> =>
        q.projected || table === undefined ? projected(q, raw, true) : Decode.rows(table, raw),
      ),
    )
  })

// The parent rows a projection's preloads run over: each row's owner keys (`Keys.Key`), decoded with
// their columns' codecs, under their column names.
const keyRows = (
  table: Table.Table,
  keys: ReadonlyArray<Keys.Key>,
  raw: ReadonlyArray<Decode.RawRow>,
): E.Either<LoadError, ReadonlyArray<Row>> => {
  const codecs = Decode.columnsOf(table)
  const typed = keys.map(k => ({ ...k, codec: codecs.find(c => c.name === k.column) }))
  const parents: Array<Row> = new Array(raw.length)
  for (let j = 0; j < raw.length; j++) {
    const r = raw[j] as Decode.RawRow
    const p: Record<string, unknown> = {}
    for (const k of typed) {
      const v = r[k.output]
      const d = k.codec === undefined ? v : k.codec.decode(v)
      if (d === Column.invalid)
        return E.left(DecodeError.make(table.source, k.column, v, k.codec?.expected ?? 'a key'))
      p[k.column] = d
    }
    parents[j] = p
  }
  return E.right(parents)
}

// A projection's rows, each with the associations loaded under its parent row (the same index): a key
// read only for the preloads is never returned.
const withLoaded = (
  rows: ReadonlyArray<Record<string, unknown>>,
  keys: ReadonlyArray<Keys.Key>,
  loaded: ReadonlyArray<Row>,
): ReadonlyArray<Record<string, unknown>> => {
  const columns = new Set(keys.map(k => k.column))
  return Object.freeze(
    rows.map((row, j) => {
      const merged: Record<string, unknown> = { ...row }
      for (const [name, v] of Object.entries(loaded[j] ?? {})) if (!columns.has(name)) merged[name] = v
      return Object.freeze(merged)
    }),
  )
}

// A projection that preloads (batched, whatever the strategy asked): the root statement reads the
// owner keys the preloads need (`Keys.rootOf`), the projection's outputs are decoded as a projection,
// each row's keys (decoded with their columns' codecs) form a parent row that the preload runs over by
// column name, and each returned row is the projection plus its parent's associations: a key read only
// for the preload is never returned.
const projectedWithPreloads =
  (
    q: AnyQuery,
    options: Preload.Options,
    bind?: Expr.Bind,
  ): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Record<string, unknown>>> =>
  (i: Interpreter) => {
    const error = q.errors[0]
    if (error !== undefined) return TE.left(error)
    const root = Keys.rootOf(q)
    if (E.isLeft(root)) return TE.left(root.left)
    if (Select.isTriviallyEmpty(q.select) && !Make.oneGroup(q.select)) return TE.right([])
    const table = Model.table(q.model, q.schema)
    if (table === undefined)
      return TE.left(QueryError.make('UnknownSchema', `the model has no schema '${q.schema}'`, q.schema))
    const { keys, nodes } = root.right
    const { strategy, report } = Report.projectionStrategy(i, q.model, q.schema, q.select, nodes, options)
    return report(
      pipe(
        bind === undefined ? i.select(root.right.select) : i.select(root.right.select, bind),
        TE.flatMapEither(raw =>
          pipe(
            projected(q, raw, false),
            E.flatMap(rows =>
              pipe(
                keyRows(table, keys, raw),
                E.map(parents => ({ rows, parents })),
              ),
            ),
          ),
        ),
        TE.flatMap(({ rows, parents }) =>
          pipe(
            strategy === 'lateral'
              ? Preload.under(bound(i, bind), q.model, q.schema, nodes)(parents)
              : Batched.loadOwned(bound(i, bind), q.model, nodes)(parents),
            TE.map(loaded => Assemble.strip(nodes, withLoaded(rows, keys, loaded))),
          ),
        ),
      ),
    )
  }

// A row of a join-preload's statement and, per join-preload nested under it (by index), its children.
interface Group {
  readonly row: Row
  readonly kids: Map<number, { readonly byKey: Map<unknown, Group>; readonly order: Array<Group> }>
}

// The normalised spec of a query (its errors are the query's).
const nodesOf = (q: AnyQuery): ReadonlyArray<Spec.Node> => {
  const n = Spec.normalize(q.model, q.schema, q.preload)
  return E.isRight(n) ? n.right : []
}

const hasJoined = (q: AnyQuery): boolean => Joined.hasJoined(nodesOf(q))

// A prepared query's query is the same frozen value in every run: whether it join-preloads is found
// on its first run (normalizing its spec each run costs more than its statement, warm, on a hot path).
const joinedOf = new WeakMap<AnyQuery, boolean>()
const hasJoinedOnce = (q: AnyQuery): boolean => {
  let j = joinedOf.get(q)
  if (j === undefined) joinedOf.set(q, (j = hasJoined(q)))
  return j
}

// A query with join-preloads (`Preload.joined`, query/Joined.ts): one root statement with the joined
// bindings' columns; one parent per primary key, in the order of its first row; each join-preloaded
// association from the rows' joined columns (in row order, one child per primary key, none when the
// binding's key is NULL: a left join's miss); then the rest of the spec loaded under the parents (the
// join-preloaded associations are present, so only their nested specs load), with the strategy asked.
const joinedPreloads =
  (
    q: AnyQuery,
    nodes: ReadonlyArray<Spec.Node>,
    options: Preload.Options,
    bind?: Expr.Bind,
  ): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Record<string, unknown>>> =>
  (i: Interpreter) => {
    const error = q.errors[0]
    if (error !== undefined) return TE.left(error)
    const root = Joined.rootOf(q, nodes)
    if (E.isLeft(root)) return TE.left(root.left)
    if (Select.isTriviallyEmpty(q.select)) return TE.right([])
    const table = Model.table(q.model, q.schema)
    if (table === undefined)
      return TE.left(QueryError.make('UnknownSchema', `the model has no schema '${q.schema}'`, q.schema))
    const { joined, keys } = root.right
    // The parents (a projection's: its key rows, `shown` its rows), one per primary key.
    const assemble = (
      raw: ReadonlyArray<Decode.RawRow>,
    ): E.Either<
      LoadError,
      { parents: ReadonlyArray<Row>; shown: ReadonlyArray<Record<string, unknown>> }
    > => {
      const parents = q.projected ? keyRows(table, keys, raw) : Decode.rows(table, raw)
      if (E.isLeft(parents)) return parents
      const rows = q.projected ? projected(q, raw, false) : parents
      if (E.isLeft(rows)) return rows
      const pk = Assemble.pkOf(q.model, q.schema)
      const pks = joined.map(j => Assemble.pkOf(q.model, j.node.assoc.target))
      const children: Array<ReadonlyArray<Row | null>> = []
      for (const j of joined) {
        const target = Model.table(q.model, j.node.assoc.target)
        if (target === undefined)
          return E.left(
            QueryError.make('UnknownSchema', `the model has no schema '${j.node.assoc.target}'`, q.schema),
          )
        const keyCols = target.primaryKey
        const present: Array<boolean> = []
        const objs = raw.map(r => {
          const o: Record<string, unknown> = {}
          for (const c of j.outputs) o[c.column] = r[c.output]
          present.push(keyCols.some(c => o[c] !== null && o[c] !== undefined))
          return o
        })
        // `j.table`: the columns read (a projection's, its keys), all of them for whole rows.
        const decoded = Decode.rows(
          j.table,
          objs.filter((_, k) => present[k]),
        )
        if (E.isLeft(decoded)) return decoded
        let at = 0
        const column: Array<Row | null> = new Array(raw.length)
        for (const [n, p] of present.entries()) {
          const child = p ? (decoded.right[at++] as Row) : null
          if (child === null || j.computed.length === 0) {
            column[n] = child
            continue
          }
          // A projection's computed outputs, decoded as its outputs are, under their private names.
          const r = raw[n] as Decode.RawRow
          const withComputed: Record<string, unknown> = { ...child }
          for (const c of j.computed) {
            const v = c.decode(r[c.output])
            if (v === Column.invalid)
              return E.left(DecodeError.make(target.source, c.name, r[c.output], c.expected))
            withComputed[c.key] = v
          }
          column[n] = withComputed
        }
        children.push(column)
      }
      // One group per parent (by primary key, in the order of its first row), and under it one group
      // per child of each join-preload (by the child's primary key, in row order), at any depth.
      const byKey = new Map<unknown, Group>()
      const order: Array<Group> = []
      const shown: Array<Record<string, unknown>> = []
      const at: Array<Group | null> = new Array(joined.length)
      for (const [k, row] of parents.right.entries()) {
        const key = pk(row)
        let top = byKey.get(key)
        if (top === undefined) {
          top = { row, kids: new Map() }
          byKey.set(key, top)
          order.push(top)
          shown.push(rows.right[k] as Record<string, unknown>)
        }
        for (const [n, j] of joined.entries()) {
          const parent = j.parent < 0 ? top : at[j.parent]
          const child = children[n]?.[k] ?? null
          if (parent === null || parent === undefined || child === null) {
            at[n] = null
            continue
          }
          let slot = parent.kids.get(n)
          if (slot === undefined) parent.kids.set(n, (slot = { byKey: new Map(), order: [] }))
          const ck = (pks[n] as (r: Row) => unknown)(child)
          let g = slot.byKey.get(ck)
          if (g === undefined) {
            g = { row: child, kids: new Map() }
            slot.byKey.set(ck, g)
            slot.order.push(g)
          }
          at[n] = g
        }
      }
      const build = (g: Group, index: number): Row => {
        const out: Record<string, unknown> = { ...g.row }
        for (const [n, j] of joined.entries())
          if (j.parent === index)
            out[j.node.name] = Assemble.valueOf(
              j.node.assoc.cardinality,
              (g.kids.get(n)?.order ?? []).map(c => build(c, n)),
            )
        return out
      }
      return E.right({ parents: order.map(g => build(g, -1)), shown })
    }
    return pipe(
      bind === undefined ? i.select(root.right.select) : i.select(root.right.select, bind),
      TE.flatMapEither(assemble),
      // `auto` loads the rest batched (as `Query.statements` shows it); `lateral` when asked.
      TE.flatMap(({ parents, shown }) =>
        pipe(
          Preload.into(q.model, q.schema, q.preload, {
            ...options,
            strategy: options.strategy === 'lateral' ? 'lateral' : 'batched',
          })(parents)(bound(i, bind)),
          // Then the join-preloads under a projection keep its outputs (`Joined.project`).
          TE.map(all => {
            const loaded = Joined.project(joined, all)
            return q.projected ? withLoaded(shown, keys, loaded) : loaded
          }),
        ),
      ),
    )
  }

/**
 * Every row of the query, decoded and with its preloads (or, after `Query.select`, the projection's rows
 * with its preloads), on any interpreter. `Pg.all` and `Memory.all` are this function over a postgres.js
 * client and over in-memory tables.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Query, Run, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, { post: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }) } })
 * const i = Memory.interpreter(new Map([
 *   ['users', [{ id: 1, name: 'ada' }]],
 *   ['posts', [{ id: 7, author_id: 1 }]],
 * ]))
 * const q = pipe(Query.from(M, 'post'), Query.preload({ author: true }))
 * assert.deepStrictEqual(await Run.all(q)(i)(), E.right([{ id: 7, author_id: 1, author: O.some({ id: 1, name: 'ada' }) }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const all = <M extends Model.AnyModel, S extends string, P, J extends Joins, R = Whole>(
  q: Query<M, S, P, J, R>,
  options: Preload.Options = {},
): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Result<M, S, P, R>>> =>
  QueryError.total('Run.all', () =>
    guarded(
      q,
      options,
      o =>
        // A projection is its own rows, plus its preloads (batched: `projectedWithPreloads`; `auto`
        // takes batched, an explicit `lateral` is refused rather than silently run batched).
        (hasJoined(q)
          ? joinedPreloads(q, nodesOf(q), o)
          : Keys.preloadsProjection(q)
            ? projectedWithPreloads(q, o)
            : q.projected
              ? rows(q)
              : Preload.fromQuery(q, o)) as RTE.ReaderTaskEither<
          Interpreter,
          LoadError,
          ReadonlyArray<Result<M, S, P, R>>
        >,
    ),
  )

/**
 * A prepared query's runner: every row for some arguments, decoded and with its preloads. The query was
 * built and planned once (`Prepared.make`); each run checks its arguments against the declared codecs
 * (an `InvalidArgument` naming the parameter otherwise) and the interpreter binds them.
 *
 * @example
 * import * as t from 'io-ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Prepared, Pred, Query, Run, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const postById = Prepared.make({ id: t.number }, ({ id }) =>
 *   pipe(Query.from(M, 'post'), Query.where(p => Pred.eq(p.id, id))),
 * )
 * const load = Run.prepared(postById)
 * const tables = new Map([['posts', [{ id: 1, title: 'hi' }, { id: 2, title: 'yo' }]]])
 * const interpreter = Memory.interpreter(tables)
 * assert.deepStrictEqual(await load({ id: 2 })(interpreter)(), E.right([{ id: 2, title: 'yo' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const prepared =
  <M extends Model.AnyModel, S extends string, P, A extends Prepared.Params, R = Make.Whole>(
    p: Prepared.Prepared<M, S, P, A, R>,
    options: Preload.Options = {},
  ) =>
  (
    args: Prepared.Args<A>,
  ): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Make.Result<M, S, P, R>>> =>
  (i: Interpreter) => {
    let step: PreparedStep
    try {
      step = preparedStep(p as unknown as Prepared.AnyPrepared, options, args)
    } catch (u) {
      const e = QueryError.unreadable('Run.prepared', u)
      return () => Promise.resolve(E.left(e))
    }
    // `Preload.fromPrepared` is total already (`QueryError.total`): its task is returned as it is, not
    // wrapped in one more async layer (a per-call cost on a hot path); the others are made total here.
    return (step.total ? step.run(i) : QueryError.total('Run.prepared', () => step.run)(i)) as TE.TaskEither<
      LoadError,
      ReadonlyArray<Make.Result<M, S, P, R>>
    >
  }

// What a prepared query's run does with these arguments, and whether that reader is total already.
interface PreparedStep {
  readonly total: boolean
  readonly run: RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<unknown>>
}

const preparedStep = (p: Prepared.AnyPrepared, options: Preload.Options, args: unknown): PreparedStep => {
  const refused = (e: LoadError): PreparedStep => ({ total: false, run: () => TE.left(e) })
  const o = checkOptions(options)
  if (E.isLeft(o)) return refused(o.left)
  const bad = isPrepared(p) ? checkQuery(p.query) : notPrepared(p)
  if (bad !== null) return refused(bad)
  const q = p.query as AnyQuery
  if (hasJoinedOnce(q)) {
    const bind = PreparedQuery.bind(p, args)
    if (E.isLeft(bind)) return refused(bind.left)
    return { total: false, run: joinedPreloads(q, nodesOf(q), o.right, bind.right) }
  }
  if (q.projected) {
    if (Keys.preloadsProjection(q)) {
      const bind = PreparedQuery.bind(p, args)
      if (E.isLeft(bind)) return refused(bind.left)
      return { total: false, run: projectedWithPreloads(q, o.right, bind.right) }
    }
    return { total: false, run: preparedProjection(p, args) }
  }
  return { total: true, run: Preload.fromPrepared(p, args, o.right) }
}

// A prepared projection: the arguments bound to the placeholders, the root select run (its relation
// aggregates lowered, computed once per prepared query), the rows decoded output by output.
const preparedProjection =
  (
    p: Prepared.AnyPrepared,
    args: unknown,
  ): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Record<string, unknown>>> =>
  (i: Interpreter) => {
    const q = p.query as AnyQuery
    const error = q.errors[0]
    if (error !== undefined) return TE.left(error)
    const bind = PreparedQuery.bind(p, args)
    if (E.isLeft(bind)) return TE.left(bind.left)
    if (Select.isTriviallyEmpty(q.select) && !Make.oneGroup(q.select)) return TE.right([])
    return pipe(
      i.select(Lower.select(q.select), bind.right),
      TE.flatMapEither(raw => projected(q, raw, true)),
    )
  }

/**
 * The one row of the query: a `QueryError` `NotFound` with none, `TooMany` with several.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Run, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const i = Memory.interpreter(new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }]]]))
 * const named = (name: string) => pipe(Query.from(M, 'user'), Query.where(u => Pred.eq(u.name, name)))
 * assert.deepStrictEqual(await Run.one(named('bob'))(i)(), E.right({ id: 2, name: 'bob' }))
 * const many = await Run.one(Query.from(M, 'user'))(i)()
 * assert.ok(E.isLeft(many) && many.left._tag === 'QueryError' && many.left.code === 'TooMany')
 *
 * @category destructors
 * @since 0.1.0
 */
export const one = <M extends Model.AnyModel, S extends string, P, J extends Joins, R = Whole>(
  q: Query<M, S, P, J, R>,
  options: Preload.Options = {},
): RTE.ReaderTaskEither<Interpreter, LoadError, Result<M, S, P, R>> =>
  QueryError.total('Run.one', () =>
    pipe(
      all(q, options),
      RTE.flatMapEither(rs =>
        rs.length === 1
          ? E.right(rs[0] as Result<M, S, P, R>)
          : E.left(
              QueryError.make(
                rs.length === 0 ? 'NotFound' : 'TooMany',
                `expected exactly one '${q.schema}' row, got ${rs.length === 0 ? 'none' : 'several'}`,
                q.schema,
              ),
            ),
      ),
    ),
  )

/**
 * The first row of the query, if any (order the query to say which).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Query, Run, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const i = Memory.interpreter(new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }]]]))
 * const newest = pipe(Query.from(M, 'user'), Query.orderBy([['desc', 'id']]))
 * assert.deepStrictEqual(await Run.first(newest)(i)(), E.right(O.some({ id: 2, name: 'bob' })))
 * assert.deepStrictEqual(await Run.first(newest)(Memory.interpreter(new Map([['users', []]])))(), E.right(O.none))
 *
 * @category destructors
 * @since 0.1.0
 */
export const first = <M extends Model.AnyModel, S extends string, P, J extends Joins, R = Whole>(
  q: Query<M, S, P, J, R>,
  options: Preload.Options = {},
): RTE.ReaderTaskEither<Interpreter, LoadError, O.Option<Result<M, S, P, R>>> =>
  QueryError.total('Run.first', () =>
    pipe(
      all(q, options),
      RTE.map(rs => O.fromNullable(rs[0])),
    ),
  )

/**
 * Loads a preload spec under rows already loaded (Ecto's `Repo.preload`): the same rows, in the same
 * order, with their associations. Associations already present on a row are kept (and the nested spec
 * is applied to them) unless `force`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Memory, Run, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', {
 *   id: Column.serial, post_id: Column.integer, body: Column.text,
 * })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const interpreter = Memory.interpreter(new Map([['comments', [{ id: 5, post_id: 2, body: 'b' }]]]))
 * const posts = [{ id: 1, title: 'hi' }, { id: 2, title: 'yo' }]
 * assert.deepStrictEqual(
 *   await Run.preloadInto(M, 'post', { comments: true })(posts)(interpreter)(),
 *   E.right([
 *     { id: 1, title: 'hi', comments: [] },
 *     { id: 2, title: 'yo', comments: [{ id: 5, post_id: 2, body: 'b' }] },
 *   ]),
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const preloadInto =
  <M extends Model.AnyModel, S extends Model.SchemaName<M>, const P extends Preload.Input>(
    model: M,
    schema: S,
    spec: P & Spec.Valid<M, S, P>,
    options: Preload.Options = {},
  ) =>
  (
    rows: ReadonlyArray<Model.Row<M, S>>,
  ): RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Loaded<M, S, P>>> =>
    QueryError.total('Run.preloadInto', () => {
      const o = checkOptions(options)
      if (E.isLeft(o)) return () => TE.left(o.left)
      return Preload.into(model, schema, spec, o.right)(rows) as RTE.ReaderTaskEither<
        Interpreter,
        LoadError,
        ReadonlyArray<Loaded<M, S, P>>
      >
    })

// -------------------------------------------------------------------------------------
// facades
// -------------------------------------------------------------------------------------

/**
 * The runners of `Run` over another environment: what an interpreter facade (`Pg` over a postgres.js
 * connection, `Memory` over in-memory tables) exports, each the `Run` function of the same name with
 * the environment turned into an interpreter. One definition, so the facades cannot drift apart.
 *
 * @category model
 * @since 0.1.0
 */
export interface Runners<R> {
  /** Every row of the query, decoded and with its preloads (or its projection's rows). */
  readonly all: <M extends Model.AnyModel, S extends string, P, J extends Joins, X = Whole>(
    q: Query<M, S, P, J, X>,
    options?: Preload.Options,
  ) => RTE.ReaderTaskEither<R, LoadError, ReadonlyArray<Result<M, S, P, X>>>
  /** Exactly one row (else a `QueryError` `NotFound` / `TooMany`). */
  readonly one: <M extends Model.AnyModel, S extends string, P, J extends Joins, X = Whole>(
    q: Query<M, S, P, J, X>,
    options?: Preload.Options,
  ) => RTE.ReaderTaskEither<R, LoadError, Result<M, S, P, X>>
  /** The first row, if any. */
  readonly first: <M extends Model.AnyModel, S extends string, P, J extends Joins, X = Whole>(
    q: Query<M, S, P, J, X>,
    options?: Preload.Options,
  ) => RTE.ReaderTaskEither<R, LoadError, O.Option<Result<M, S, P, X>>>
  /** A prepared query's runner (see `Run.prepared`). */
  readonly prepared: <M extends Model.AnyModel, S extends string, P, A extends Prepared.Params, X = Whole>(
    p: Prepared.Prepared<M, S, P, A, X>,
    options?: Preload.Options,
  ) => (args: Prepared.Args<A>) => RTE.ReaderTaskEither<R, LoadError, ReadonlyArray<Result<M, S, P, X>>>
  /** Preloads under rows already loaded (see `Run.preloadInto`). */
  readonly preloadInto: <
    M extends Model.AnyModel,
    S extends Model.SchemaName<M>,
    const P extends Preload.Input,
  >(
    model: M,
    schema: S,
    spec: P & Spec.Valid<M, S, P>,
    options?: Preload.Options,
  ) => (
    rows: ReadonlyArray<Model.Row<M, S>>,
  ) => RTE.ReaderTaskEither<R, LoadError, ReadonlyArray<Loaded<M, S, P>>>
}

type UncheckedPreloadInto = <M extends Model.AnyModel, S extends Model.SchemaName<M>, P>(
  model: M,
  schema: S,
  spec: P,
  options?: Preload.Options,
) => (
  rows: ReadonlyArray<Model.Row<M, S>>,
) => RTE.ReaderTaskEither<Interpreter, LoadError, ReadonlyArray<Loaded<M, S, P>>>

/**
 * `Runners` over an environment `R` that `toInterpreter` turns into an interpreter, or over an
 * interpreter itself; `name` prefixes the function names in the errors of untyped input (`Pg.all`).
 *
 * @example
 * import { Memory, Run } from 'quiver-sql'
 * const runners = Run.on('Tables', Memory.interpreter)
 * assert.strictEqual(typeof runners.all, 'function')
 *
 * @category facades
 * @since 0.1.0
 */
export const on = <R>(name: string, toInterpreter: (r: R) => Interpreter): Runners<R | Interpreter> => {
  // Total over the environment too: a `toInterpreter` that throws on junk is a Left of `name.fn`. An
  // interpreter given as the environment is used as it is: the runner then composes with `Write.run`
  // and any program over an interpreter (a transaction's included). `run` is one of `Run`'s runners,
  // total already (`QueryError.total`: it neither throws nor gives a task that rejects), so its task is
  // returned as it is, not wrapped in one more async layer (a per-call cost on a hot path).
  const within =
    <A>(
      fn: string,
      run: RTE.ReaderTaskEither<Interpreter, LoadError, A>,
    ): RTE.ReaderTaskEither<R | Interpreter, LoadError, A> =>
    (r: R | Interpreter) => {
      let i: Interpreter
      try {
        i = isInterpreter(r) ? r : toInterpreter(r)
      } catch (u) {
        const e = QueryError.unreadable(`${name}.${fn}`, u)
        return () => Promise.resolve(E.left(e))
      }
      return run(i)
    }
  return {
    all: (q, options) => within('all', all(q, options)),
    one: (q, options) => within('one', one(q, options)),
    first: (q, options) => within('first', first(q, options)),
    prepared: (p, options) => {
      const load = prepared(p, options)
      return args => within('prepared', load(args))
    },
    // The spec was checked against the model at the caller's type (`Spec.Valid`); checking it again
    // here, for every `M`, `S` and `P` at once, is more than the compiler can instantiate.
    preloadInto: (model, schema, spec, options) => rows =>
      within(
        'preloadInto',
        (preloadInto as unknown as UncheckedPreloadInto)(model, schema, spec, options)(rows),
      ),
  }
}
