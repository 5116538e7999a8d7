/**
 * The type of a loaded row: the schema's row, plus one field per preloaded association, following the
 * preload spec. To-many associations (has_many, many_to_many, has-many-through) are `ReadonlyArray`s,
 * to-one associations (has_one, belongs_to, has-one-through) are `Option`s. A through association also
 * exposes its first hop (with the rest of the path nested under it) unless its query says
 * `hops: 'hide'`; when the spec names that hop itself, the spec's own shape is the one typed.
 *
 * @since 0.1.0
 */
import type * as O from 'fp-ts/lib/Option.js'
import type { FromQuery, PreloadJoined, PreloadQuery, QueryOptions } from '../plan/Spec.js'
import type * as Model from '../schema/Model.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

// The spec nested under one association's value; `true & { author: true }` (a key given twice) keeps
// the nested part.
type Nested<V> =
  V extends PreloadQuery<QueryOptions | FromQuery, infer N>
    ? N
    : V extends PreloadJoined<string | undefined, infer N>
      ? N
      : V extends true
        ? Omit<V, keyof boolean>
        : V

// The projection of a preload query (`Preload.query(Query.select(...))`) or of a join-preload
// (`Preload.joined(binding, nested, Query.select(...))`); `unknown`: whole rows.
type Projection<V> =
  V extends PreloadQuery<FromQuery<string, infer R>, unknown>
    ? R
    : V extends PreloadJoined<string | undefined, unknown, infer R>
      ? R
      : unknown

// A child row: the target's row with its associations, or a projection's row with them.
type Child<M extends Model.AnyModel, T extends string, N, R> = unknown extends R
  ? Loaded<M, T, N>
  : [keyof N] extends [never]
    ? R
    : R & Omit<Loaded<M, T, N>, keyof Model.Row<M, T>>

type Field<M extends Model.AnyModel, S extends string, K extends string, N, R = unknown> =
  Model.Cardinality<M, S, K> extends 'one'
    ? O.Option<Child<M, Model.Target<M, S, K>, N, R>>
    : ReadonlyArray<Child<M, Model.Target<M, S, K>, N, R>>

type ThroughPath<M extends Model.AnyModel, S extends string, K> = Model.AssociationsOf<M, S>[K &
  keyof Model.AssociationsOf<M, S>] extends {
  readonly _tag: 'Through'
  readonly path: infer Path
}
  ? Path
  : never

type PathSpec<R, N> = R extends readonly [infer H extends string, ...infer T]
  ? { readonly [h in H]: PathSpec<T, N> }
  : N

type Shown<V> = V extends PreloadQuery<{ readonly hops: 'hide' }, unknown> ? false : true

// Distributive over `Path`, so a non-through (`never`) adds nothing.
type HopSpec<Path, N> = Path extends readonly [infer H extends string, ...infer R]
  ? { readonly [h in H]: PathSpec<R, N> }
  : never

type HopSpecs<M extends Model.AnyModel, S extends string, P> = {
  readonly [K in keyof P & string]: Shown<P[K]> extends true
    ? HopSpec<ThroughPath<M, S, K>, Nested<P[K]>>
    : never
}[keyof P & string]

type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never

// `unknown` (nothing) when no through adds a hop the spec does not name itself.
type Hops<M extends Model.AnyModel, S extends string, P> = [HopSpecs<M, S, P>] extends [never]
  ? unknown
  : HopFields<M, S, P, Intersect<HopSpecs<M, S, P>>>

type HopFields<M extends Model.AnyModel, S extends string, P, H> = [Exclude<keyof H, keyof P>] extends [never]
  ? unknown
  : { readonly [K in Exclude<keyof H, keyof P> & string]: Field<M, S, K, H[K]> }

/**
 * A row of schema `S` with the associations of spec `P`.
 *
 * @example
 * import * as O from 'fp-ts/lib/Option.js'
 * import { Column, Schema, type Loaded } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * const M = Schema.modelOrThrow(
 *   { user, post },
 *   {
 *     user: { posts: Schema.hasMany('post', { foreignKey: 'author_id' }) },
 *     post: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }) },
 *   },
 * )
 * // A to-many association is a ReadonlyArray, a to-one an Option; nested specs nest.
 * const ada: Loaded<typeof M, 'user', { posts: { author: true } }> = {
 *   id: 1, name: 'ada', posts: [{ id: 7, author_id: 1, author: O.some({ id: 1, name: 'ada' }) }],
 * }
 * assert.strictEqual(ada.posts[0]?.author._tag, 'Some')
 *
 * @category model
 * @since 0.1.0
 */
export type Loaded<M extends Model.AnyModel, S extends string, P> = [keyof P] extends [never]
  ? Model.Row<M, S>
  : Model.Row<M, S> & {
      readonly [K in keyof P & string]: Field<M, S, K, Nested<P[K]>, Projection<P[K]>>
    } & Hops<M, S, P>
