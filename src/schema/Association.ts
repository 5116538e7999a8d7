/**
 * Association combinators: `hasMany`, `hasOne`, `belongsTo`, `manyToMany` and `through`, with Ecto's
 * options. Each returns a frozen value, branded as built here (see `Brand.ts`), that names its target by
 * schema name, so cycles and self-reference need no thunks. The options are kept exactly as given; `model` validates them against
 * the whole graph and resolves defaults (see `Model.ts`).
 *
 * @since 0.1.0
 */
import * as Node from '../ast/Node.js'
import { show } from '../error/Show.js'
import * as Brand from './Brand.js'

// -------------------------------------------------------------------------------------
// model: where filters
// -------------------------------------------------------------------------------------

/**
 * The placeholder for the filtered column inside a `fragment` where-filter.
 *
 * @category model
 * @since 0.1.0
 */
export interface Self {
  readonly _tag: 'Self'
}

/**
 * @category model
 * @since 0.1.0
 */
export interface WhereNotNull {
  readonly _tag: 'WhereNotNull'
}

/**
 * @category model
 * @since 0.1.0
 */
export interface WhereIn {
  readonly _tag: 'WhereIn'
  readonly values: ReadonlyArray<unknown>
}

/**
 * @category model
 * @since 0.1.0
 */
export interface WhereFragment {
  readonly _tag: 'WhereFragment'
  readonly strings: ReadonlyArray<string>
  /** `self` where the column goes; anything else is a value, sent as a parameter. */
  readonly args: ReadonlyArray<unknown>
}

/**
 * A where-filter value: `null` (IS NULL), `notNull`, `isIn([...])`, a `fragment`, or a plain value (=).
 *
 * @category model
 * @since 0.1.0
 */
export type WhereValue = null | string | number | boolean | Date | WhereNotNull | WhereIn | WhereFragment

/**
 * A filter an association applies to its target rows: each field equal to its value (`null`, `notNull`, `isIn`, `fragment` for the other tests; see `WhereValue`). The filters are and-ed.
 *
 * @category model
 * @since 0.1.0
 */
export type Where = Readonly<Record<string, WhereValue>>

/**
 * The direction of an association's preload order: ascending or descending, NULLs first, last or where PostgreSQL puts them.
 *
 * @category model
 * @since 0.1.0
 */
export type Direction =
  'asc' | 'desc' | 'asc_nulls_first' | 'asc_nulls_last' | 'desc_nulls_first' | 'desc_nulls_last'

const directions: Readonly<
  Record<Direction, { readonly dir: 'asc' | 'desc'; readonly nulls: 'first' | 'last' | 'default' }>
> = {
  asc: { dir: 'asc', nulls: 'default' },
  desc: { dir: 'desc', nulls: 'default' },
  asc_nulls_first: { dir: 'asc', nulls: 'first' },
  asc_nulls_last: { dir: 'asc', nulls: 'last' },
  desc_nulls_first: { dir: 'desc', nulls: 'first' },
  desc_nulls_last: { dir: 'desc', nulls: 'last' },
}

/**
 * The names `preloadOrder` and `Query.orderBy` accept as directions.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * assert.ok(Schema.directionNames.includes('desc_nulls_last'))
 * assert.strictEqual(Schema.directionNames.length, 6)
 *
 * @category model
 * @since 0.1.0
 */
export const directionNames: ReadonlyArray<Direction> = Object.keys(directions) as ReadonlyArray<Direction>

/**
 * What a direction name means (`undefined` for anything else, inherited names included).
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * assert.deepStrictEqual(Schema.direction('desc_nulls_first'), { dir: 'desc', nulls: 'first' })
 * assert.deepStrictEqual(Schema.direction('asc'), { dir: 'asc', nulls: 'default' })
 * assert.strictEqual(Schema.direction('toString'), undefined)
 *
 * @category model
 * @since 0.1.0
 */
export const direction = (
  name: unknown,
): { readonly dir: 'asc' | 'desc'; readonly nulls: 'first' | 'last' | 'default' } | undefined =>
  typeof name === 'string' && Object.hasOwn(directions, name) ? directions[name as Direction] : undefined

/**
 * An order item: a column name (ascending) or `[direction, column]`.
 *
 * @category model
 * @since 0.1.0
 */
export type OrderItem<C extends string = string> = C | readonly [Direction, C]

// -------------------------------------------------------------------------------------
// model: options
// -------------------------------------------------------------------------------------

/**
 * What deleting a parent does to the children of a has-many/has-one association: nothing, set their foreign key to NULL, or delete them.
 *
 * @category model
 * @since 0.1.0
 */
export type OnDelete = 'nothing' | 'nilify_all' | 'delete_all'

/**
 * What a changeset does to a child that a `putAssoc`/`castAssoc` replaces (Ecto's `on_replace`): refuse, mark the change invalid, set the key to NULL, update it in place, or delete it.
 *
 * @category model
 * @since 0.1.0
 */
export type OnReplace = 'raise' | 'mark_as_invalid' | 'nilify' | 'update' | 'delete' | 'delete_if_exists'

/**
 * A loosely typed record, as defaults functions see children and owners.
 *
 * @category model
 * @since 0.1.0
 */
export type Fields = Readonly<Record<string, unknown>>

/**
 * A defaults function with extra arguments: the analogue of Ecto's `{Mod, fun, args}`.
 *
 * @category model
 * @since 0.1.0
 */
export interface DefaultsWithArgs {
  readonly _tag: 'DefaultsWithArgs'
  readonly fn: (child: Fields, owner: Fields | null, ...args: ReadonlyArray<unknown>) => Fields
  readonly args: ReadonlyArray<unknown>
}

/**
 * Defaults applied when building an associated record: an object, a function `(child, owner) => child`,
 * or a function with extra arguments (`withArgs`).
 *
 * @category model
 * @since 0.1.0
 */
export type Defaults = Fields | ((child: Fields, owner: Fields | null) => Fields) | DefaultsWithArgs

/**
 * @category model
 * @since 0.1.0
 */
export interface HasOptions {
  /** Column on the target; default `<owner schema name>_<references>`. */
  readonly foreignKey?: string
  /** Column on the owner; default its (first) primary key column. */
  readonly references?: string
  readonly where?: Where
  readonly preloadOrder?: ReadonlyArray<OrderItem>
  readonly onDelete?: OnDelete
  readonly defaults?: Defaults
  /** A custom source table holding target rows (Ecto's `{"posts_tags", Tag}`). */
  readonly source?: string
}

/**
 * The options of `hasMany`.
 *
 * @category model
 * @since 0.1.0
 */
export interface HasManyOptions extends HasOptions {
  readonly onReplace?: Exclude<OnReplace, 'update'>
}

/**
 * The options of `hasOne`.
 *
 * @category model
 * @since 0.1.0
 */
export interface HasOneOptions extends HasOptions {
  readonly onReplace?: OnReplace
}

/**
 * The options of `belongsTo` (foreign key, the referenced key, filters).
 *
 * @category model
 * @since 0.1.0
 */
export interface BelongsToOptions {
  /** Column on the owner; default `<association name>_id`. */
  readonly foreignKey?: string
  /** Column on the target; default `id` (not the target's primary key, as in Ecto). */
  readonly references?: string
  readonly where?: Where
  readonly defaults?: Defaults
  readonly onReplace?: OnReplace
  readonly source?: string
}

/**
 * The options of `manyToMany` (the join table and its keys, filters).
 *
 * @category model
 * @since 0.1.0
 */
export interface ManyToManyOptions {
  /** The join table: a schema name of the model, or a plain table name. */
  readonly joinThrough: string
  /** `[[joinOwnerKey, ownerKey], [joinRelatedKey, relatedKey]]`; default `[[<owner>_id, id], [<target>_id, id]]`. */
  readonly joinKeys?: readonly [readonly [string, string], readonly [string, string]]
  readonly joinWhere?: Where
  readonly joinDefaults?: Fields
  readonly where?: Where
  readonly preloadOrder?: ReadonlyArray<OrderItem>
  readonly onDelete?: 'nothing' | 'delete_all'
  readonly onReplace?: 'raise' | 'mark_as_invalid' | 'delete'
  readonly defaults?: Defaults
  readonly unique?: boolean
  /** `nothing` inserts join rows with ON CONFLICT DO NOTHING. */
  readonly onJoinThroughConflict?: 'raise' | 'nothing'
  readonly source?: string
}

/**
 * The options of a through association (the path of associations it follows).
 *
 * @category model
 * @since 0.1.0
 */
export interface ThroughOptions {
  readonly cardinality?: 'one' | 'many'
}

// -------------------------------------------------------------------------------------
// model: associations
// -------------------------------------------------------------------------------------

/**
 * An association to the target's rows whose foreign key refers to this row. Built by `hasMany`.
 *
 * @category model
 * @since 0.1.0
 */
export interface HasMany<T extends string = string> {
  readonly _tag: 'HasMany'
  readonly target: T
  readonly options: HasManyOptions
}

/**
 * An association to the one target row (at most) whose foreign key refers to this row. Built by `hasOne`.
 *
 * @category model
 * @since 0.1.0
 */
export interface HasOne<T extends string = string> {
  readonly _tag: 'HasOne'
  readonly target: T
  readonly options: HasOneOptions
}

/**
 * An association to the target row this row's foreign key refers to. Built by `belongsTo`.
 *
 * @category model
 * @since 0.1.0
 */
export interface BelongsTo<T extends string = string> {
  readonly _tag: 'BelongsTo'
  readonly target: T
  readonly options: BelongsToOptions
}

/**
 * An association to the target rows linked to this row through a join table. Built by `manyToMany`.
 *
 * @category model
 * @since 0.1.0
 */
export interface ManyToMany<T extends string = string> {
  readonly _tag: 'ManyToMany'
  readonly target: T
  readonly options: ManyToManyOptions
}

/**
 * An association that follows a path of other associations (`throughMany`, `throughOne`).
 *
 * @category model
 * @since 0.1.0
 */
export interface Through<
  P extends ReadonlyArray<string> = ReadonlyArray<string>,
  C extends 'one' | 'many' = 'one' | 'many',
> {
  readonly _tag: 'Through'
  readonly path: P
  readonly cardinality: C
  readonly options: ThroughOptions
}

/**
 * An association of a schema: the closed union of the kinds above, tagged by `_tag`.
 *
 * @category model
 * @since 0.1.0
 */
export type Association<T extends string = string> =
  HasMany<T> | HasOne<T> | BelongsTo<T> | ManyToMany<T> | Through

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A has-many association to the schema `target`: the target rows whose foreign key (by default
 * `<owner schema>_id`) holds this row's key. Options name other keys, filter and order the rows, and
 * say what deleting or replacing does to them.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * const comments = Schema.hasMany('comment', { preloadOrder: [['desc', 'inserted_at']] })
 *
 * @category constructors
 * @since 0.1.0
 */
export const hasMany = <const T extends string>(target: T, options: HasManyOptions = {}): HasMany<T> =>
  Brand.make({ _tag: 'HasMany' as const, target, options })

/**
 * A has-one association to the schema `target`: like `hasMany`, but at most one target row refers to
 * this row, and it loads as a record or `null` rather than a list.
 *
 * @example
 * import { Schema, Column } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial })
 * const profile = Schema.table('profile', 'profiles', { id: Column.serial, user_id: Column.integer })
 * const M = Schema.model({ user, profile }, { user: { profile: Schema.hasOne('profile') } })
 * assert.strictEqual(M._tag, 'Right')
 *
 * @category constructors
 * @since 0.1.0
 */
export const hasOne = <const T extends string>(target: T, options: HasOneOptions = {}): HasOne<T> =>
  Brand.make({ _tag: 'HasOne' as const, target, options })

/**
 * A belongs-to association to the schema `target`: the one target row that this row's foreign key
 * (by default `<association name>_id`) refers to, or `null` when the key is NULL.
 *
 * @example
 * import { Schema, Column } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial })
 * const post = Schema.table('post', 'posts', { id: Column.serial, author_id: Column.integer })
 * // The association is named `author`, so its key defaults to `author_id`.
 * const M = Schema.model({ user, post }, { post: { author: Schema.belongsTo('user') } })
 * assert.strictEqual(M._tag, 'Right')
 *
 * @category constructors
 * @since 0.1.0
 */
export const belongsTo = <const T extends string>(target: T, options: BelongsToOptions = {}): BelongsTo<T> =>
  Brand.make({ _tag: 'BelongsTo' as const, target, options })

/**
 * A many-to-many association to the schema `target`, through the join table `joinThrough` (a schema
 * of the model or a bare table name) whose rows hold a key of each side.
 *
 * @example
 * import { Schema, Column } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * // Join rows in `posts_tags (post_id, tag_id)`, the default keys.
 * const M = Schema.model({ post, tag }, { post: { tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags' }) } })
 * assert.strictEqual(M._tag, 'Right')
 *
 * @category constructors
 * @since 0.1.0
 */
export const manyToMany = <const T extends string>(target: T, options: ManyToManyOptions): ManyToMany<T> =>
  Brand.make({ _tag: 'ManyToMany' as const, target, options })

/**
 * A has-many through association: the walk of a path of associations, of any depth (a hop may itself
 * be a through). Read-only.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * const commentsAuthors = Schema.through(['comments', 'author'])
 *
 * @category constructors
 * @since 0.1.0
 */
export const through = <const P extends readonly [string, string, ...Array<string>]>(
  path: P,
  options: ThroughOptions = {},
): Through<P, 'many'> => Brand.make({ _tag: 'Through' as const, path, cardinality: 'many' as const, options })

/**
 * A has-one through association: the first record of the walk.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * // A comment's post's author, as one record or null.
 * const postAuthor = Schema.throughOne(['post', 'author'])
 * assert.strictEqual(postAuthor.cardinality, 'one')
 *
 * @category constructors
 * @since 0.1.0
 */
export const throughOne = <const P extends readonly [string, string, ...Array<string>]>(
  path: P,
  options: ThroughOptions = {},
): Through<P, 'one'> => Brand.make({ _tag: 'Through' as const, path, cardinality: 'one' as const, options })

/**
 * Where the filtered column goes in a `fragment` where-filter; it must appear there exactly once.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * const recent = Schema.fragment`${Schema.self} > now() - interval '7 days'`
 * assert.deepStrictEqual(recent.args, [Schema.self])
 *
 * @category constructors
 * @since 0.1.0
 */
export const self: Self = Brand.make({ _tag: 'Self' as const })

/**
 * `NOT (column IS NULL)`.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * // Only the comments that were published.
 * const published = Schema.hasMany('comment', { where: { published_at: Schema.notNull } })
 * assert.strictEqual(published.options.where?.['published_at'], Schema.notNull)
 *
 * @category constructors
 * @since 0.1.0
 */
export const notNull: WhereNotNull = Brand.make({ _tag: 'WhereNotNull' as const })

/**
 * `column = any($1)` with the list as one parameter.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * const visible = Schema.hasMany('post', { where: { state: Schema.isIn(['draft', 'published']) } })
 * assert.deepStrictEqual(Schema.isIn([1, 2]).values, [1, 2])
 *
 * @category constructors
 * @since 0.1.0
 */
export const isIn = (values: ReadonlyArray<string | number | boolean | Date>): WhereIn =>
  Brand.make({ _tag: 'WhereIn' as const, values: copy(values) as ReadonlyArray<unknown> })

// A frozen copy of a list, or, for anything that is not one (untyped input), the value itself, which
// `model` then reports: a constructor never throws.
const copy = (u: unknown): unknown => {
  try {
    return Array.isArray(u) ? Object.freeze([...(u as ReadonlyArray<unknown>)]) : u
  } catch {
    return u
  }
}

/**
 * A SQL fragment over the column: `self` marks where the column goes (exactly once); every other
 * interpolation is a value and is sent as a parameter.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * const longTitle = Schema.fragment`length(${Schema.self}) > ${10}`
 *
 * @category constructors
 * @since 0.1.0
 */
export const fragment = (strings: TemplateStringsArray, ...args: ReadonlyArray<unknown>): WhereFragment =>
  isTemplate(strings, args.length)
    ? Brand.make({
        _tag: 'WhereFragment' as const,
        strings: Object.freeze([...strings]),
        args: copy(args) as ReadonlyArray<unknown>,
      })
    : // Not a fragment (no brand): `model` refuses it as a `where` value, naming schema, association and
      // option, and its text says why. Typed callers always pass a template; this is for untyped ones.
      (Object.freeze({
        refused: `Schema.fragment: expected a tagged template (Schema.fragment\`...\`), got ${show(strings)}`,
      }) as unknown as WhereFragment)

// Only a tagged template's strings are SQL text (see `Node.isTemplate`).
const isTemplate = Node.isTemplate

/**
 * Defaults computed by `fn(child, owner, ...args)`.
 *
 * @example
 * import { Schema } from 'quiver-sql'
 * const stamp = (child: Schema.Fields, owner: Schema.Fields | null, source: string) => ({ ...child, source })
 * const comments = Schema.hasMany('comment', { defaults: Schema.withArgs(stamp, 'import') })
 * assert.deepStrictEqual(Schema.withArgs(stamp, 'import').args, ['import'])
 *
 * @category constructors
 * @since 0.1.0
 */
export const withArgs = <Args extends ReadonlyArray<unknown>>(
  fn: (child: Fields, owner: Fields | null, ...args: Args) => Fields,
  ...args: Args
): DefaultsWithArgs =>
  Brand.make({
    _tag: 'DefaultsWithArgs' as const,
    fn: fn as DefaultsWithArgs['fn'],
    args: copy(args) as ReadonlyArray<unknown>,
  })

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value is an association built by `hasMany`, `hasOne`, `belongsTo`, `manyToMany`,
 * `through` or `throughOne` (an object with the same fields is not one).
 *
 * @category utils
 * @since 0.1.0
 */
export const isAssociation = (u: unknown): u is Association =>
  Brand.is(u, 'HasMany') ||
  Brand.is(u, 'HasOne') ||
  Brand.is(u, 'BelongsTo') ||
  Brand.is(u, 'ManyToMany') ||
  Brand.is(u, 'Through')

/**
 * @category utils
 * @since 0.1.0
 */
export const isSelf = (u: unknown): u is Self => Brand.is(u, 'Self')

/**
 * @category utils
 * @since 0.1.0
 */
export const isNotNull = (u: unknown): u is WhereNotNull => Brand.is(u, 'WhereNotNull')

/**
 * @category utils
 * @since 0.1.0
 */
export const isWhereIn = (u: unknown): u is WhereIn => Brand.is(u, 'WhereIn')

/**
 * @category utils
 * @since 0.1.0
 */
export const isFragment = (u: unknown): u is WhereFragment => Brand.is(u, 'WhereFragment')

/**
 * @category utils
 * @since 0.1.0
 */
export const isWithArgs = (u: unknown): u is DefaultsWithArgs => Brand.is(u, 'DefaultsWithArgs')
