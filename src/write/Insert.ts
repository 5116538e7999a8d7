/**
 * `Write.insert`: one record, or a record with new records under it (a nested insert). A record whose
 * keys name associations of its schema is inserted with them in one plan, as deep as they go: parents
 * (belongs_to) before it, children (has_many, has_one) after it with its key, many-to-many targets
 * with their join rows, each new record's key passed down to the statements after it (a plan
 * reference resolved when the plan runs). The plan's result is the tree as written, typed as the
 * preload of the same associations would be.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Option } from 'fp-ts/lib/Option.js'
import * as WriteError from '../error/WriteError.js'
import type { Loaded } from '../query/Loaded.js'
import * as Model from '../schema/Model.js'
import * as Change from './Change.js'
import type * as Plan from './Plan.js'
import * as Record from './Record.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a nested insert takes for schema `S`: its columns (each checked by its type; which are required
 * is checked when the plan is made, since a child's foreign key is set by the plan), and any writable
 * association of `S`, a list of records for a to-many one, a record or `null` for a to-one one, each
 * record of the same kind for the target, as deep as wanted. A record given with its key is an
 * existing record, linked.
 *
 * @category model
 * @since 0.2.0
 */
export type InsertTree<M extends Model.AnyModel, S extends string> = Partial<Model.Row<M, S>> & {
  readonly [K in Record.DirectName<M, S>]?: Model.Cardinality<M, S, K> extends 'one'
    ? InsertTree<M, Model.Target<M, S, K>> | null
    : ReadonlyArray<InsertTree<M, Model.Target<M, S, K>>>
}

type Element<X> = X extends ReadonlyArray<infer E> ? E : NonNullable<X>

/**
 * The preload spec of the associations a nested insert's value `V` gives: the shape of its result.
 *
 * @category model
 * @since 0.2.0
 */
export type TreeSpec<M extends Model.AnyModel, S extends string, V> = {
  readonly [K in keyof V & Record.DirectName<M, S>]: TreeSpec<M, Model.Target<M, S, K>, Element<V[K]>>
}

/**
 * `V` with every key checked against schema `S`, as deep as the value goes: a column keeps its value,
 * an association's records are checked against its target, and any other key is `never` (so a
 * misspelled column of a nested record is a compile error, as at the top).
 *
 * @category model
 * @since 0.2.0
 */
export type CheckTree<M extends Model.AnyModel, S extends string, V> = {
  readonly [K in keyof V]: K extends keyof Model.Row<M, S>
    ? V[K]
    : K extends Record.DirectName<M, S>
      ? V[K] extends ReadonlyArray<infer X>
        ? ReadonlyArray<CheckTree<M, Model.Target<M, S, K>, X>>
        : V[K] extends null
          ? null
          : CheckTree<M, Model.Target<M, S, K>, V[K]>
      : never
}

/**
 * `unknown` when `V` gives an association of `S` (a nested insert); otherwise a type no value has, so
 * that a plain record is held to `Insertable` (every required column), not to a nested insert's
 * columns, which may leave out the keys the plan sets.
 *
 * @category model
 * @since 0.2.0
 */
export type Nested<M extends Model.AnyModel, S extends string, V> = [
  keyof V & Record.DirectName<M, S>,
] extends [never]
  ? {
      readonly 'not a nested insert': `a record of schema '${S}' without associations gives every required column`
    }
  : unknown

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// Whether a value is a record with a key that names an association of the schema (and no column).
const nested = (model: Model.AnyModel, schema: string, values: unknown): boolean => {
  try {
    const t = Model.table(model, schema)
    return (
      t !== undefined &&
      typeof values === 'object' &&
      values !== null &&
      Object.keys(values).some(k => !t.columns.has(k) && Model.association(model, schema, k) !== undefined)
    )
  } catch {
    // Unreadable input: the plain insert refuses it with a Left.
    return false
  }
}

/**
 * A plan inserting one record; the stored row (with generated values) is its result. A record that
 * also gives associations of its schema (`{ title, comments: [{ body, likes: [...] }], tags: [{ id: 1 }] }`)
 * is a nested insert: every new record is inserted, in one transaction, with the keys of the records
 * above it, and an existing record (given with its key) is linked; the result is the record as
 * written with those associations, typed as `Loaded` of the same spec (see `Change.toPlan` for the
 * order of the statements). A nested insert takes no options.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Schema, Column, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const plan = Write.insert(M, 'tag', { name: 'sql' })
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'insert into "tags" ("name") values ($1) returning "id", "name"', params: ['sql'],
 * }]))
 * // A post with its comments, in one plan; the result is the post with its comments as written.
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const Blog = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const tree = Write.insert(Blog, 'post', { title: 'hi', comments: [{ body: 'first' }] })
 * const r = E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p, { constraints: 'model' })(new Map()))(tree)
 * assert.deepStrictEqual(E.map((x: Write.PureResult<unknown>) => x.result)(r), E.right({
 *   id: 1, title: 'hi', comments: [{ id: 1, post_id: 1, body: 'first' }],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export function insert<M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  values: Record.Insertable<M, S>,
  options: Record.InsertOptions<M, S> & { readonly onConflict: { readonly action: 'nothing' } },
): E.Either<WriteError.WriteError, Plan.Plan<Option<Model.Row<M, S>>>>
export function insert<M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  values: Record.Insertable<M, S>,
  options?: Record.InsertOptions<M, S>,
): E.Either<WriteError.WriteError, Plan.Plan<Model.Row<M, S>>>
export function insert<
  M extends Model.AnyModel,
  S extends Model.SchemaName<M>,
  const V extends InsertTree<M, S>,
>(
  model: M,
  schema: S,
  values: V & Nested<M, S, NoInfer<V>> & CheckTree<M, S, NoInfer<V>>,
): E.Either<WriteError.WriteError, Plan.Plan<Loaded<M, S, TreeSpec<M, S, V>>>>
export function insert(
  model: Model.AnyModel,
  schema: string,
  values: unknown,
  options?: unknown,
): E.Either<WriteError.WriteError, Plan.Plan<unknown>> {
  if (!nested(model, schema, values))
    return (
      Record.insert as (
        m: unknown,
        s: unknown,
        v: unknown,
        o?: unknown,
      ) => E.Either<WriteError.WriteError, Plan.Plan<unknown>>
    )(model, schema, values, options)
  if (options !== undefined)
    return E.left(
      WriteError.make(
        'InvalidValue',
        `insert into schema '${schema}': a record with associations is a nested insert, which takes no options (source, onConflict); insert the records one by one for those`,
        { schema },
      ),
    )
  const c = Change.changeOfTree(model, schema, values)
  return E.isLeft(c) ? c : Change.toPlan(c.right)
}
