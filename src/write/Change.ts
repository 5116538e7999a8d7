/**
 * Changing a record's associations, as Ecto's `put_assoc` / `cast_assoc`: a `Change` is a value (the
 * owner, the association changes, any errors), and `toPlan` turns a valid one into a write plan.
 *
 * Entries are matched to the currently loaded children by primary key: a new entry is inserted with
 * the owner's key, a matching one is updated, and a current child that is not in the new value is
 * "replaced" according to the association's `onReplace`: `raise` is an error value, `mark_as_invalid`
 * makes the change invalid (an error on the association), `nilify` sets its key to NULL, `update`
 * (has_one, belongs_to) updates the existing record in place, `delete` deletes it (a row already gone
 * is a `StaleEntry` error) and `delete_if_exists` deletes it if it is there. A many-to-many `delete`
 * removes the join row only (with `joinWhere`).
 *
 * Every value is checked with its column's codec before a plan exists: the entries of `putAssoc`
 * (an unknown key is an error, a preloaded association a record carries is not written), the params
 * of `cast` / `castAssoc` (a rejected value is a change error, a rejected key an error value), defaults
 * and join rows. Params from users pass a whitelist (`Permit`) per schema and association, nested as
 * deep as the params go: any other key is an `Unpermitted` error, or dropped when the whitelist says
 * so. A nested cast makes the entries' own association changes, written after their record (a new
 * record's key passed down by plan reference).
 *
 * A versioned table (`optimisticLock`) has every row the plan updates or deletes checked at its version
 * and every update bump it; the owner of a change is always checked and bumped, so that a concurrent
 * change to it or its children is a `StaleEntry` and the plan rolls back. As Ecto, a has_one / belongs_to with `onReplace: 'update'` only updates the existing
 * entry (another existing record is `OnlyUpdateExisting`), and a belongs_to change whose fields set
 * the foreign key to something else than the new parent's key is `ForeignKeyConflict`.
 *
 * Order, as Ecto: belongs_to parents first (a new parent is inserted and the owner's key taken from
 * it), then the owner, then the children, replaced children before new ones (so a has_one's old child
 * is out of the way of a unique index before the new one arrives). A belongs_to parent replaced with
 * `delete` is deleted after the owner stops pointing at it: Ecto deletes the old parent, so do we.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Ex from '../ast/Expr.js'
import * as W from '../ast/Write.js'
import { show } from '../error/Show.js'
import * as WriteError from '../error/WriteError.js'
import { filterExpr } from '../plan/Chain.js'
import type { Fields } from '../schema/Association.js'
import type { Loaded } from '../query/Loaded.js'
import type { Column } from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import * as Plan from './Plan.js'
import {
  type DirectName,
  applyDefaults,
  byKey,
  checkRecord,
  encode,
  insertStatements,
  lockOf,
  valueParam,
  withoutLock,
} from './Record.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What happens to one entry of an association change.
 *
 * @category model
 * @since 0.1.0
 */
export type Entry =
  /** `nested`: the changes of the new record's own associations (a nested cast), written after it. */
  | { readonly _tag: 'Insert'; readonly values: Fields; readonly nested?: ReadonlyArray<AssocChange> }
  | {
      readonly _tag: 'Update'
      readonly current: Fields
      readonly changes: Fields
      readonly nested?: ReadonlyArray<AssocChange>
    }
  /**
   * A record that exists but is not associated: re-pointed at the owner (a join row for many-to-many),
   * and its other given columns (`changes`) written with it.
   */
  | { readonly _tag: 'Link'; readonly current: Fields; readonly changes: Fields }
  | {
      readonly _tag: 'Replace'
      readonly current: Fields
      readonly action: 'nilify' | 'delete' | 'delete_if_exists'
    }

/**
 * The change of one association within a `Change`: its name, the association as the model resolved
 * it, and what happens to each entry.
 *
 * @category model
 * @since 0.1.0
 */
export interface AssocChange {
  readonly name: string
  readonly association: Model.ResolvedDirect
  readonly entries: ReadonlyArray<Entry>
}

/**
 * A change to a record and its associations. `valid` is false when an error was recorded (for
 * example by `onReplace: 'mark_as_invalid'`); an invalid change has no plan.
 *
 * @category model
 * @since 0.1.0
 */
export interface Change<
  M extends Model.AnyModel = Model.AnyModel,
  S extends string = string,
  P = Record<never, never>,
> {
  readonly _tag: 'Change'
  readonly model: M
  readonly schema: S
  /** The owner as loaded (with the associations to change preloaded), or a new record. */
  readonly owner: Fields
  readonly isNew: boolean
  /** Changes to the owner's own columns. */
  readonly fields: Fields
  readonly associations: ReadonlyArray<AssocChange>
  readonly errors: ReadonlyArray<WriteError.FieldError>
  readonly valid: boolean
  /**
   * The associations a cast names (its whitelist's `assocs`), written or not: the plan's result holds
   * each one (an association its params leave out, as loaded).
   */
  readonly named?: ReadonlyArray<string>
  /** Phantom: the associations the change names, as a preload spec (the shape of the plan's result). */
  readonly _P?: P
}

/**
 * The associations a whitelist names, as the preload spec of the records a cast writes.
 *
 * @category type-level checks
 * @since 0.2.0
 */
export type PermitSpec<P> = P extends { readonly assocs: infer A }
  ? { readonly [K in keyof A]: PermitSpec<A[K]> }
  : true

// The associations of a whitelist's `assocs` as a spec (none: nothing).
type PermitAssocs<P> = P extends { readonly assocs: infer A }
  ? { readonly [K in keyof A]: PermitSpec<A[K]> }
  : Record<never, never>

/**
 * A change's spec `P` with the associations `X` added (`X` alone when `P` names none).
 *
 * @category type-level checks
 * @since 0.2.0
 */
export type WithSpec<P, X> = [keyof P] extends [never] ? X : [keyof X] extends [never] ? P : P & X

/**
 * The options of `toPlan`.
 *
 * @category model
 * @since 0.1.0
 */
export interface PutOptions {
  /** Many-to-many: insert join rows with ON CONFLICT DO NOTHING (else the association's option). */
  readonly onJoinConflict?: 'raise' | 'nothing'
}

/**
 * A cast's whitelist (Ecto's `cast(params, permitted)`): the columns of the schema that params may set,
 * the associations that may be cast from params with their own whitelists (nested as deep as wanted),
 * and what a key of the params that is neither does: `'strict'` (default) an `Unpermitted` error naming
 * schema, association and key, `'drop'` leave it out. A nested whitelist without `unknown` takes its
 * parent's. The key `id` (the primary key) matches entries to the current children only when it is
 * permitted; the foreign key pointing a has-many / has-one entry at its owner is never permitted.
 *
 * @category model
 * @since 0.2.0
 */
export interface Permit {
  readonly permit: ReadonlyArray<string>
  readonly assocs?: { readonly [association: string]: Permit }
  readonly unknown?: 'strict' | 'drop'
}

// -------------------------------------------------------------------------------------
// type-level checks
// -------------------------------------------------------------------------------------

/**
 * `unknown` when `N` names an association of `S` that can be changed (or is a plain `string`, checked
 * when the change is made); otherwise a type no change has, whose one property says what is wrong.
 *
 * @category type-level checks
 * @since 0.2.0
 */
export type ValidName<M extends Model.AnyModel, S extends string, N extends string> = string extends N
  ? unknown
  : N extends DirectName<M, S>
    ? unknown
    : { readonly 'invalid association': `schema '${S}' has no association '${N}' that can be changed` }

type PermitColumnProblems<M extends Model.AnyModel, S extends string, P, At extends string> = P extends {
  readonly permit: ReadonlyArray<infer C>
}
  ? Exclude<C & string, keyof Model.Row<M, S> & string> extends infer X extends string
    ? [X] extends [never]
      ? never
      : string extends X
        ? never // a whitelist built at run time: checked when the change is made
        : `cast ${At}: '${X}' is not a column of schema '${S}'`
    : never
  : never

type PermitAssocProblems<M extends Model.AnyModel, S extends string, P, At extends string> = P extends {
  readonly assocs: infer A
}
  ? {
      readonly [K in keyof A & string]: K extends DirectName<M, S>
        ? PermitProblems<M, Model.Target<M, S, K>, A[K], `${At}.${K}`>
        : `cast ${At}: schema '${S}' has no association '${K}' that can be cast`
    }[keyof A & string]
  : never

/**
 * The problems of a cast whitelist on schema `S`, as messages (never when there is none): a permitted
 * name that is not a column, an association that is not one of the schema's (or is read-only), nested.
 *
 * @category type-level checks
 * @since 0.2.0
 */
export type PermitProblems<M extends Model.AnyModel, S extends string, P, At extends string = S> =
  PermitColumnProblems<M, S, P, At> | PermitAssocProblems<M, S, P, At>

/**
 * `unknown` for a whitelist that fits schema `S`; otherwise a type no change has, whose one property
 * names the problem (so a misspelled column in `permit` is a compile error that says which).
 *
 * @category type-level checks
 * @since 0.2.0
 */
export type ValidPermit<M extends Model.AnyModel, S extends string, P> = [PermitProblems<M, S, P>] extends [
  never,
]
  ? unknown
  : { readonly 'invalid cast': PermitProblems<M, S, P> }

/**
 * `unknown` when `P` is a whitelist that fits the target of association `N` of `S` (or `N` is not
 * known, which `ValidName` reports); otherwise a type no change has, naming the problem.
 *
 * @category type-level checks
 * @since 0.2.0
 */
export type ValidAssocPermit<M extends Model.AnyModel, S extends string, N extends string, P> =
  N extends DirectName<M, S>
    ? [PermitProblems<M, Model.Target<M, S, N>, P, `${S}.${N}`>] extends [never]
      ? unknown
      : { readonly 'invalid cast': PermitProblems<M, Model.Target<M, S, N>, P, `${S}.${N}`> }
    : unknown

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Starts a change of `owner`: a loaded row, or a new record (no primary key), which the plan inserts.
 *
 * @example
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const c = Write.change(M, 'post', { id: 1, title: 'draft' }, { title: 'final' })
 * assert.strictEqual(c.valid, true)
 * assert.strictEqual(c.isNew, false)
 * assert.strictEqual(Write.change(M, 'post', { title: 'new' }).isNew, true)
 *
 * @category constructors
 * @since 0.1.0
 */
export const change = <M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  owner: Partial<Model.Row<M, S>> & Fields,
  fields: Partial<Model.Row<M, S>> = {},
): Change<M, S> => {
  try {
    return start(model, schema, owner, fields)
  } catch (thrown) {
    return Object.freeze({
      _tag: 'Change',
      model,
      schema,
      owner: {},
      isNew: true,
      fields: {},
      associations: [],
      errors: [WriteError.fieldError('owner', WriteError.unreadable('Write.change', thrown).message)],
      valid: false,
    })
  }
}

const start = <M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  owner: Fields,
  fields: Fields,
): Change<M, S> => {
  // From untyped code an owner or fields may be anything: the change is then invalid (an error
  // recorded, no plan), rather than a throw here or later.
  const errors = [
    ...(isRecord(owner) ? [] : [WriteError.fieldError('owner', `is not a record: ${show(owner)}`)]),
    ...(isRecord(fields) ? [] : [WriteError.fieldError('fields', `is not a record: ${show(fields)}`)]),
  ]
  const o: Fields = isRecord(owner) ? owner : {}
  const t = Model.table(model, schema)
  const isNew = t === undefined || t.primaryKey.some(k => o[k] === undefined || o[k] === null)
  return Object.freeze({
    _tag: 'Change',
    model,
    schema,
    owner: o,
    isNew,
    fields: isRecord(fields) ? (fields as Fields) : {},
    associations: [],
    errors,
    valid: errors.length === 0,
  })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const isRecord = (u: unknown): u is Fields =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !(u instanceof Date)

const keyOf = (table: Table, row: Fields): string | null =>
  table.primaryKey.length > 0 && table.primaryKey.every(k => row[k] !== undefined && row[k] !== null)
    ? JSON.stringify(table.primaryKey.map(k => row[k]))
    : null

const same = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b

const diff = (current: Fields, next: Fields): Fields =>
  Object.fromEntries(Object.entries(next).filter(([k, v]) => v !== undefined && !same(current[k], v)))

// The loaded value of an association on the owner: a list, a row, null, or an fp-ts Option.
const loaded = (c: Change, name: string): E.Either<WriteError.WriteError, ReadonlyArray<Fields>> => {
  if (c.isNew && c.owner[name] === undefined) return E.right([])
  const v = c.owner[name]
  if (v === undefined)
    return E.left(
      WriteError.make(
        'NotLoaded',
        `association '${name}' of schema '${c.schema}' is not loaded; preload it before changing it`,
        { schema: c.schema, association: name },
      ),
    )
  if (Array.isArray(v)) return E.right(v as ReadonlyArray<Fields>)
  if (v === null) return E.right([])
  if (isRecord(v) && v['_tag'] === 'None') return E.right([])
  if (isRecord(v) && v['_tag'] === 'Some' && isRecord(v['value'])) return E.right([v['value']])
  return isRecord(v)
    ? E.right([v])
    : E.left(
        WriteError.make('NotLoaded', `association '${name}' of schema '${c.schema}' holds no records`, {
          schema: c.schema,
          association: name,
        }),
      )
}

// An association a cast permits but its params leave out: no change, its loaded value is the plan's
// result; one that is not loaded is a `NotLoaded` error (the result, typed with it, would lack it).
const omitted = (c: Change, name: string): E.Either<WriteError.WriteError, Change> =>
  E.isRight(loaded(c, name))
    ? E.right(c)
    : E.left(
        WriteError.make(
          'NotLoaded',
          `association '${name}' of schema '${c.schema}' is permitted by the cast and left out of its params, but is not loaded: the plan's result holds it as loaded; preload it, or leave it out of the whitelist`,
          { schema: c.schema, association: name },
        ),
      )

const fail = (c: Change, name: string, code: WriteError.WriteErrorCode, message: string) =>
  E.left(WriteError.make(code, message, { schema: c.schema, association: name }))

// What `onReplace` may be instead of `raise`, per kind: the message of a refusal offers only these.
const replaceOptions: Readonly<Record<Model.ResolvedDirect['_tag'], ReadonlyArray<string>>> = {
  HasMany: ['mark_as_invalid', 'nilify', 'delete', 'delete_if_exists'],
  HasOne: ['mark_as_invalid', 'nilify', 'update', 'delete', 'delete_if_exists'],
  BelongsTo: ['mark_as_invalid', 'nilify', 'update', 'delete', 'delete_if_exists'],
  ManyToMany: ['mark_as_invalid', 'delete'],
}

const integerText = /^-?\d+$/
const decimalText = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/

// Cast params come from forms and query strings, where every number is text: a value the codec
// rejects that is the text of a number is tried as that number (an integer only when it is exact).
const decodeParam = (column: Column<unknown>, v: unknown): E.Either<unknown, unknown> => {
  const d = column.codec.decode(v)
  if (E.isRight(d) || typeof v !== 'string' || !decimalText.test(v)) return d
  const n = Number(v)
  if (!Number.isFinite(n) || (integerText.test(v) && !Number.isSafeInteger(n))) return d
  const again = column.codec.decode(n)
  return E.isRight(again) ? again : d
}

// A cast's whitelist as checked against the schema it applies to: its columns, the nested whitelists by
// association, and what an unpermitted key does (inherited by the nested ones that do not say).
interface Permitted {
  readonly columns: ReadonlySet<string>
  readonly assocs: ReadonlyMap<string, Permit>
  readonly unknown: 'strict' | 'drop'
}

const permitKeys: ReadonlyArray<string> = ['permit', 'assocs', 'unknown']

// The whitelist of a cast on schema `schema` (reached through `name` of `owner`, for a castAssoc), or
// an error naming the schema, the association and what is wrong with it: an unknown column, an
// association that cannot be cast, the foreign key the owner sets, an option that is not one.
const checkPermit = (
  model: Model.AnyModel,
  schema: string,
  permit: unknown,
  inherited: 'strict' | 'drop',
  via: { readonly owner: string; readonly name: string; readonly association: Model.ResolvedDirect } | null,
): E.Either<WriteError.WriteError, Permitted> => {
  const where = via === null ? { schema } : { schema: via.owner, association: via.name }
  const what =
    via === null
      ? `the cast of schema '${schema}'`
      : `the cast of association '${via.name}' of schema '${via.owner}'`
  const refuse = (code: WriteError.WriteErrorCode, reason: string, column?: string) =>
    E.left(WriteError.make(code, `${what}: ${reason}`, column === undefined ? where : { ...where, column }))
  if (!isRecord(permit))
    return refuse(
      'InvalidValue',
      `expected a whitelist { permit: [columns], assocs?, unknown? }, got ${show(permit)}`,
    )
  const extra = Object.keys(permit).find(k => !permitKeys.includes(k))
  if (extra !== undefined)
    return refuse('InvalidValue', `unknown option '${extra}'; expected one of 'permit', 'assocs', 'unknown'`)
  const t = Model.table(model, schema)
  if (t === undefined) return refuse('UnknownSchema', `the model has no schema '${schema}'`)
  const list: unknown = permit['permit']
  if (!Array.isArray(list) || !list.every(c => typeof c === 'string'))
    return refuse('InvalidValue', `'permit' must be a list of column names, got ${show(list)}`)
  for (const c of list as ReadonlyArray<string>) {
    if (!t.columns.has(c))
      return refuse('UnknownColumn', `permits '${c}', which is not a column of schema '${schema}'`, c)
    // The owner's key is the owner's to set: a child naming another owner would move it.
    if (
      via !== null &&
      (via.association._tag === 'HasMany' || via.association._tag === 'HasOne') &&
      c === via.association.relatedKey
    )
      return refuse(
        'Unpermitted',
        `permits '${c}', the foreign key that points the '${via.name}' entries at their owner; the owner's key is set by the plan, never from params`,
        c,
      )
  }
  const unknown = permit['unknown'] ?? inherited
  if (unknown !== 'strict' && unknown !== 'drop')
    return refuse('InvalidValue', `option 'unknown' must be 'strict' or 'drop', got ${show(unknown)}`)
  const assocs = permit['assocs'] ?? {}
  if (!isRecord(assocs))
    return refuse(
      'InvalidValue',
      `'assocs' must be an object of association name -> whitelist, got ${show(assocs)}`,
    )
  for (const a of Object.keys(assocs)) {
    const r = Model.association(model, schema, a)
    if (r === undefined) return refuse('UnknownAssociation', `schema '${schema}' has no association '${a}'`)
    if (r._tag === 'Through')
      return refuse(
        'ReadOnlyAssociation',
        `association '${a}' of schema '${schema}' is a through association, which is read-only`,
      )
  }
  return E.right({
    columns: new Set(list as ReadonlyArray<string>),
    assocs: new Map(Object.entries(assocs as Readonly<Record<string, Permit>>)),
    unknown,
  })
}

// An unpermitted key of the params: an error naming the schema, association and key, or nothing (dropped).
const unpermitted = (
  permitted: Permitted,
  at: string,
  where: { readonly schema: string; readonly association?: string },
  key: string,
): E.Either<WriteError.WriteError, void> =>
  permitted.unknown === 'drop'
    ? E.right(undefined)
    : E.left(
        WriteError.make(
          'Unpermitted',
          `'${at}${key}' is not permitted: ${
            where.association === undefined
              ? `schema '${where.schema}'`
              : `association '${where.association}' of schema '${where.schema}'`
          } casts only ${permitted.columns.size === 0 && permitted.assocs.size === 0 ? 'nothing' : [...permitted.columns, ...permitted.assocs.keys()].map(k => `'${k}'`).join(', ')}; permit it, or cast with unknown: 'drop'`,
          { ...where, column: key },
        ),
      )

// The change, naming these associations too (see `Change.named`).
const withNamed = (c: Change, names: ReadonlyArray<string>): Change =>
  Object.freeze({ ...c, named: [...new Set([...(c.named ?? []), ...names])] })

const modify = (
  mode: 'put' | 'cast',
  name: string,
  value: unknown,
  permit: unknown,
): ((c: Change) => E.Either<WriteError.WriteError, Change>) => {
  return c =>
    WriteError.guarded(`Write.${mode}Assoc`, () => {
      if (mode === 'put') return modifyOne('put', name, value, c, null, '')
      // Named by the cast whatever its params say: the plan's result holds it.
      c = withNamed(c, [name])
      const a = directAssociation(c, mode, name)
      if (E.isLeft(a)) return a
      const p = checkPermit(c.model, a.right.target, permit, 'strict', {
        owner: c.schema,
        name,
        association: a.right,
      })
      return E.isLeft(p) ? p : modifyOne('cast', name, value, c, p.right, '')
    })
}

const directAssociation = (
  c: Change,
  mode: 'put' | 'cast',
  name: string,
): E.Either<WriteError.WriteError, Model.ResolvedDirect> => {
  const a = Model.association(c.model, c.schema, name)
  if (a === undefined)
    return fail(c, name, 'UnknownAssociation', `schema '${c.schema}' has no association '${name}'`)
  if (a._tag === 'Through')
    return fail(
      c,
      name,
      'ReadOnlyAssociation',
      `cannot ${mode} association '${name}' of schema '${c.schema}': a through association is read-only; change its hops instead`,
    )
  return E.right(a)
}

// A record of an association change, as a change of its own: what its nested casts apply to.
const entryChange = (c: Change, schema: string, e: Entry & { readonly _tag: 'Insert' | 'Update' }): Change =>
  Object.freeze({
    ...c,
    schema,
    owner: e._tag === 'Insert' ? e.values : e.current,
    isNew: e._tag === 'Insert',
    fields: {},
    associations: [],
    errors: [],
    valid: true,
  })

// `permitted` is the cast's whitelist (null for put); `at` the path of the entries' parent in the
// params (`comments[0].`), for the messages of nested casts.
const modifyOne = (
  mode: 'put' | 'cast',
  name: string,
  value: unknown,
  c: Change,
  permitted: Permitted | null,
  at: string,
): E.Either<WriteError.WriteError, Change> => {
  const direct = directAssociation(c, mode, name)
  if (E.isLeft(direct)) return direct
  const a = direct.right
  // Ecto: a key missing from the params is no change; the association must still be loaded, since the
  // plan's result (typed with it) holds it as loaded.
  if (mode === 'cast' && value === undefined) return omitted(c, name)
  const target = Model.table(c.model, a.target) as Table
  const origin = { schema: c.schema, association: name }
  const current = loaded(c, name)
  if (E.isLeft(current)) return current
  // The new value as a list of records.
  const many = a.cardinality === 'many'
  if (many ? !Array.isArray(value) : !(value === null || isRecord(value)))
    return fail(
      c,
      name,
      'InvalidValue',
      `association '${name}' of schema '${c.schema}' takes ${many ? 'a list of records' : 'a record or null'}`,
    )
  const given: ReadonlyArray<unknown> = many
    ? (value as ReadonlyArray<unknown>)
    : value === null
      ? []
      : [value]
  const errors: Array<WriteError.FieldError> = []
  const next: Array<Fields> = []
  for (const [i, g] of given.entries()) {
    if (!isRecord(g)) return fail(c, name, 'InvalidValue', `entry ${i} of '${at}${name}' is not a record`)
    if (permitted === null) {
      // A record given in code is trusted to be a record of the target: every column checked, an
      // unknown key an error; preloaded associations it carries are not written.
      const checked = checkRecord(c.model, target, g, origin, 'skip')
      if (E.isLeft(checked)) return checked
      next.push(checked.right)
      continue
    }
    // cast: keep the permitted columns, checked by their codecs; a rejected value is a change error,
    // except in a key, which decides what the entry is: that is an error of its own. Any other key is
    // an error (or dropped, as the whitelist says); nested associations are cast below.
    const kept: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(g)) {
      if (v === undefined) continue
      if (!permitted.columns.has(k)) {
        if (permitted.assocs.has(k)) continue
        const u = unpermitted(permitted, `${at}${name}[${i}].`, origin, k)
        if (E.isLeft(u)) return u
        continue
      }
      const col = target.columns.get(k) as Column<unknown>
      const isKey = target.primaryKey.includes(k)
      // A form's empty key, or a JSON null, means a new entry (Ecto casts both to nil).
      if (isKey && (v === null || v === '')) continue
      const d = decodeParam(col, v)
      if (E.isRight(d)) kept[k] = d.right
      else if (isKey)
        return E.left(
          WriteError.make(
            'InvalidValue',
            `invalid key ${show(v)} for column '${k}' of schema '${target.name}' in entry ${i} of association '${name}' of schema '${c.schema}': expected ${col.codec.name}`,
            { schema: c.schema, association: name, column: k },
          ),
        )
      else errors.push(WriteError.fieldError(`${at}${name}[${i}].${k}`, 'is invalid', 'cast'))
    }
    next.push(kept)
  }
  const byKey = new Map(
    current.right.flatMap(r => {
      const k = keyOf(target, r)
      return k === null ? [] : [[k, r] as const]
    }),
  )
  const seen = new Set<string>()
  const entries: Array<Entry> = []
  // The params entry each entry came from, for its nested casts.
  const from: Array<number> = []
  const replaced: Array<Fields> = []
  const defaultsOwner = mode === 'cast' ? c.owner : null
  for (const [i, n] of next.entries()) {
    const k = keyOf(target, n)
    if (k !== null && seen.has(k) && a._tag === 'ManyToMany' && a.unique) {
      errors.push(
        WriteError.fieldError(
          `${at}${name}[${i}].${target.primaryKey.join(',')}`,
          'has already been taken',
          'unique',
        ),
      )
      continue
    }
    if (k !== null) seen.add(k)
    const cur = k === null ? undefined : byKey.get(k)
    from.push(i)
    if (cur !== undefined) entries.push({ _tag: 'Update', current: cur, changes: diff(cur, n) })
    else if (k !== null && mode === 'put')
      entries.push({
        _tag: 'Link',
        current: n,
        changes: Object.fromEntries(Object.entries(n).filter(([col]) => !target.primaryKey.includes(col))),
      })
    else {
      // Defaults (a function's result included) are checked like the entry itself.
      const defaults = applyDefaults(a.defaults, {}, defaultsOwner, origin)
      if (E.isLeft(defaults)) return defaults
      const values = checkRecord(c.model, target, { ...defaults.right, ...n }, origin)
      if (E.isLeft(values)) return values
      entries.push({ _tag: 'Insert', values: values.right })
    }
  }
  for (const r of current.right) {
    const k = keyOf(target, r)
    if (k === null || !seen.has(k)) replaced.push(r)
  }
  // has_one / belongs_to with onReplace update: the new value updates the current record in place.
  if (a.cardinality === 'one' && a.onReplace === 'update' && replaced.length === 1 && entries.length === 1) {
    const only = entries[0] as Entry
    const cur = replaced[0] as Fields
    // Ecto: "you are only allowed to update the existing entry". Updating the current record with
    // another existing record's columns would detach it (its key) and leave the other untouched.
    if (only._tag === 'Link')
      return fail(
        c,
        name,
        'OnlyUpdateExisting',
        `association '${name}' of schema '${c.schema}' has onReplace 'update': only the existing entry (${target.primaryKey
          .map(col => `${col} ${show(cur[col])}`)
          .join(', ')}) can be updated, but another existing record (${target.primaryKey
          .map(col => `${col} ${show(only.current[col])}`)
          .join(', ')}) was given; give the changes without a key to update the existing entry`,
      )
    if (only._tag === 'Insert') {
      const values = only.values
      const changes = Object.fromEntries(
        Object.entries(values).filter(([col]) => !target.primaryKey.includes(col)),
      )
      entries.splice(0, 1, { _tag: 'Update', current: cur, changes: diff(cur, changes) })
      replaced.length = 0
    }
  }
  if (replaced.length > 0) {
    if (a.onReplace === 'raise')
      return fail(
        c,
        name,
        'OnReplaceRaise',
        `you are attempting to change association '${name}' of schema '${c.schema}' but its onReplace option is 'raise': ${replaced.length} current record(s) would be replaced; choose another onReplace (${replaceOptions[a._tag].join(', ')})`,
      )
    if (a.onReplace === 'mark_as_invalid')
      errors.push(WriteError.fieldError(`${at}${name}`, 'is invalid', mode === 'cast' ? 'assoc' : null))
  }
  // Nested casts: each entry's own associations, cast from its params as a change of the entry.
  if (permitted !== null && permitted.assocs.size > 0)
    for (const [j, e] of entries.entries()) {
      if (e._tag !== 'Insert' && e._tag !== 'Update') continue
      const i = from[j] as number
      const params = given[i] as Fields
      let sub = entryChange(c, target.name, e)
      for (const [nested, p] of permitted.assocs) {
        const inner = Model.association(c.model, target.name, nested) as Model.ResolvedDirect
        if (params[nested] === undefined) {
          // A new record has no children yet: the association it is written with is empty, so the
          // plan's result holds it (a parent is left out: its key may be given as a column).
          if (e._tag === 'Insert' && inner._tag !== 'BelongsTo')
            sub = Object.freeze({
              ...sub,
              associations: [...sub.associations, { name: nested, association: inner, entries: [] }],
            })
          continue
        }
        const np = checkPermit(c.model, inner.target, p, permitted.unknown, {
          owner: target.name,
          name: nested,
          association: inner,
        })
        if (E.isLeft(np)) return np
        const r = modifyOne('cast', nested, params[nested], sub, np.right, `${at}${name}[${i}].`)
        if (E.isLeft(r)) return r
        sub = r.right
      }
      errors.push(...sub.errors)
      if (sub.associations.length > 0) entries[j] = { ...e, nested: sub.associations }
    }
  const replaceEntries: Array<Entry> =
    a.onReplace === 'mark_as_invalid' || a.onReplace === 'raise'
      ? []
      : replaced.map(r => ({
          _tag: 'Replace' as const,
          current: r,
          action: a.onReplace === 'delete' || a.onReplace === 'delete_if_exists' ? a.onReplace : 'nilify',
        }))
  return E.right(
    Object.freeze({
      ...c,
      associations: [
        ...c.associations.filter(x => x.name !== name),
        { name, association: a, entries: [...replaceEntries, ...entries] },
      ],
      errors: [...c.errors, ...errors],
      valid: c.valid && errors.length === 0,
    }),
  )
}

// The owner's own params: the permitted columns decoded into the change's fields (a rejected value is a
// change error), the permitted associations cast from their params, anything else unpermitted.
const castOwner = (c: Change, params: unknown, permit: unknown): E.Either<WriteError.WriteError, Change> => {
  const p = checkPermit(c.model, c.schema, permit, 'strict', null)
  if (E.isLeft(p)) return p
  if (!isRecord(params))
    return E.left(
      WriteError.make(
        'InvalidValue',
        `the params cast into schema '${c.schema}' must be a record, got ${show(params)}`,
        {
          schema: c.schema,
        },
      ),
    )
  const t = Model.table(c.model, c.schema) as Table
  const fields: Record<string, unknown> = { ...c.fields }
  const errors: Array<WriteError.FieldError> = []
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || p.right.assocs.has(k)) continue
    if (!p.right.columns.has(k)) {
      const u = unpermitted(p.right, '', { schema: c.schema }, k)
      if (E.isLeft(u)) return u
      continue
    }
    const d = decodeParam(t.columns.get(k) as Column<unknown>, v)
    if (E.isRight(d)) fields[k] = d.right
    else errors.push(WriteError.fieldError(k, 'is invalid', 'cast'))
  }
  let out: Change = withNamed(
    Object.freeze({
      ...c,
      fields,
      errors: [...c.errors, ...errors],
      valid: c.valid && errors.length === 0,
    }),
    [...p.right.assocs.keys()],
  )
  for (const [name, np] of p.right.assocs) {
    if (params[name] === undefined) {
      const o = omitted(out, name)
      if (E.isLeft(o)) return o
      continue
    }
    const a = Model.association(c.model, c.schema, name) as Model.ResolvedDirect
    const q = checkPermit(c.model, a.target, np, p.right.unknown, { owner: c.schema, name, association: a })
    if (E.isLeft(q)) return q
    const r = modifyOne('cast', name, params[name], out, q.right, '')
    if (E.isLeft(r)) return r
    out = r.right
  }
  return E.right(out)
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Ecto's `put_assoc`: the association's new value (a list for has_many / many_to_many, a record or
 * `null` otherwise). A record with the primary key of a current child updates it; one with another
 * key that exists is linked (re-pointed, or a join row) and its other given columns are written with
 * the link (a record is its wanted state: there is no changeset to tell loaded values from changes,
 * so give only the key to link without writing); one without a key is inserted (defaults applied,
 * no owner given to a defaults function). Values are checked with the codecs here.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment', { onReplace: 'delete' }) } })
 * // The post as loaded with its comments; the new value keeps comment 10 and adds one.
 * const loaded = { id: 1, comments: [{ id: 10, post_id: 1, body: 'a' }, { id: 11, post_id: 1, body: 'b' }] }
 * const c = pipe(Write.change(M, 'post', loaded), Write.putAssoc('comments', [{ id: 10, post_id: 1, body: 'a' }, { body: 'c' }]))
 * const tags = E.map((x: Write.Change) => x.associations[0]?.entries.map(e => e._tag))(c)
 * // Comment 11 is replaced (deleted, its `onReplace`), 10 is kept as it is, the new one is inserted.
 * assert.deepStrictEqual(tags, E.right(['Replace', 'Update', 'Insert']))
 *
 * @category combinators
 * @since 0.1.0
 */
export const putAssoc =
  <const N extends string>(name: N, value: ReadonlyArray<Fields> | Fields | null) =>
  <M extends Model.AnyModel, S extends string, P = Record<never, never>>(
    c: Change<M, S, P> & ValidName<M, S, N>,
  ): E.Either<WriteError.WriteError, Change<M, S, WithSpec<P, { readonly [K in N]: true }>>> =>
    modify('put', name, value, null)(c as unknown as Change) as E.Either<
      WriteError.WriteError,
      Change<M, S, WithSpec<P, { readonly [K in N]: true }>>
    >

/**
 * Ecto's `cast_assoc`: like `putAssoc`, from untrusted params, through a whitelist (`Permit`): only
 * the permitted columns are taken, checked with the codecs (a rejected value is a change error,
 * `comments[1].body: is invalid`); any other key is an `Unpermitted` error naming the schema, the
 * association and the key, or is dropped with `unknown: 'drop'`. The primary key matches an entry to
 * a current child only when it is permitted; an entry whose key is not a current child is inserted with
 * that key (existing records elsewhere are never touched). `assocs` casts the entries' own associations
 * from their params, each with its whitelist, as deep as it goes (their current values must be loaded on
 * the current children). Text that is a number (as forms send `id: "1"`) is tried as that number when
 * the codec rejects the text; a key rejected either way is an `InvalidValue` error naming it.
 * `undefined` params are no change (Ecto: a missing key). A defaults function is given the owner.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const owner = Write.change(M, 'post', { id: 1, comments: [] })
 * // Form params: a body that is no text makes the change invalid, it is not thrown.
 * const c = pipe(owner, Write.castAssoc('comments', [{ body: 42 }], { permit: ['body'] }))
 * assert.ok(E.isRight(c) && !c.right.valid)
 * assert.deepStrictEqual(E.map((x: Write.Change) => x.errors.map(e => e.path))(c), E.right(['comments[0].body']))
 * // A key the whitelist does not permit (here the foreign key) is an error, or dropped if asked.
 * const moved = pipe(owner, Write.castAssoc('comments', [{ body: 'hi', post_id: 2 }], { permit: ['body'] }))
 * assert.ok(E.isLeft(moved) && moved.left.code === 'Unpermitted' && moved.left.column === 'post_id')
 * const dropped = pipe(owner, Write.castAssoc('comments', [{ body: 'hi', post_id: 2 }], { permit: ['body'], unknown: 'drop' }))
 * assert.ok(E.isRight(dropped) && dropped.right.valid)
 *
 * @category combinators
 * @since 0.1.0
 */
export const castAssoc =
  <const N extends string, const P extends Permit>(name: N, params: unknown, permit: P) =>
  <M extends Model.AnyModel, S extends string, Q = Record<never, never>>(
    c: Change<M, S, Q> & ValidName<M, S, N> & ValidAssocPermit<M, S, N, P>,
  ): E.Either<WriteError.WriteError, Change<M, S, WithSpec<Q, { readonly [K in N]: PermitSpec<P> }>>> =>
    modify('cast', name, params, permit)(c as unknown as Change) as E.Either<
      WriteError.WriteError,
      Change<M, S, WithSpec<Q, { readonly [K in N]: PermitSpec<P> }>>
    >

/**
 * Ecto's `cast`: the owner's own columns from untrusted params, through a whitelist (`Permit`), and the
 * associations its `assocs` permits, each cast from its key of the params as `castAssoc` does (nested as
 * deep as the whitelist goes). A permitted value is decoded with its column's codec (text that is a
 * number tried as the number), and one the codec rejects is a change error (`title: is invalid`); a key
 * that is not permitted is an `Unpermitted` error naming the schema and the key, or is dropped with
 * `unknown: 'drop'`. The values are written by the plan only where they differ from the loaded row.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text, admin: Column.boolean })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const loaded = { id: 1, title: 'draft', admin: false, comments: [] }
 * const form = { title: 'final', comments: [{ body: 'first' }] }
 * const permit = { permit: ['title'], assocs: { comments: { permit: ['body'] } } } as const
 * const plan = pipe(Write.change(M, 'post', loaded), Write.cast(form, permit), E.flatMap(c => Write.toPlan(c)))
 * assert.deepStrictEqual(E.map((p: Write.Plan<unknown>) => Write.toSql(p).map(s => s.text))(plan), E.right([
 *   'update "posts" as "t0" set "title" = $1 where "t0"."id" = $2 returning "id", "title", "admin"',
 *   'insert into "comments" ("body", "post_id") values ($1, $2) returning "id", "post_id", "body"',
 * ]))
 * // Mass assignment: `admin` is not permitted.
 * const sneaky = pipe(Write.change(M, 'post', loaded), Write.cast({ title: 'x', admin: true }, permit))
 * assert.ok(E.isLeft(sneaky) && sneaky.left.code === 'Unpermitted' && sneaky.left.column === 'admin')
 *
 * @category combinators
 * @since 0.2.0
 */
export const cast =
  <const P extends Permit>(params: unknown, permit: P) =>
  <M extends Model.AnyModel, S extends string, Q = Record<never, never>>(
    c: Change<M, S, Q> & ValidPermit<M, S, P>,
  ): E.Either<WriteError.WriteError, Change<M, S, WithSpec<Q, PermitAssocs<P>>>> =>
    WriteError.guarded('Write.cast', () => castOwner(c as unknown as Change, params, permit)) as E.Either<
      WriteError.WriteError,
      Change<M, S, WithSpec<Q, PermitAssocs<P>>>
    >

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

type Result<A> = E.Either<WriteError.WriteError, A>
type Steps = Array<Plan.Step>

// The plan being drafted: its statements in order, and those held back until the owner is written (a
// belongs_to parent the owner stops pointing at is deleted once it no longer does).
interface Draft {
  readonly change: Change
  readonly steps: Steps
  readonly deferred: Steps
  readonly options: PutOptions
  /** The table the owner is written to (an association's custom source, for a nested entry). */
  readonly source: string
  /** The notes of the owner's statements: `insert post`, or for a nested entry `post.comments: insert`. */
  readonly notes: { readonly insert: string; readonly update: string }
}

// The association whose entries are being written: its target table and the prefix of its steps' notes.
interface Writing<A extends Model.ResolvedDirect> {
  readonly name: string
  readonly association: A
  readonly target: Table
  readonly note: string
}

const writing = <A extends Model.ResolvedDirect>(c: Change, name: string, association: A): Writing<A> => ({
  name,
  association,
  target: Model.table(c.model, association.target) as Table,
  note: `${c.schema}.${name}`,
})

// The handlers of an entry kind, one per kind, each given the draft, the association and its entry.
type EntryWriters<X, R> = {
  readonly [K in Entry['_tag']]: (d: Draft, x: X, e: Extract<Entry, { readonly _tag: K }>) => Result<R>
}

const writeEntry = <X, R>(writers: EntryWriters<X, R>, d: Draft, x: X, e: Entry): Result<R> =>
  // A change assembled by untyped code may hold entries of no kind: refused, never skipped.
  Object.hasOwn(writers, e._tag)
    ? (writers[e._tag] as (d: Draft, x: X, e: Entry) => Result<R>)(d, x, e)
    : E.left(WriteError.make('InvalidValue', `not an entry of an association change: ${show(e)}`))

// The statements, each pushed where it belongs.

const push = (
  into: Steps,
  statement: W.Write,
  expect: Plan.Step['expect'],
  note: string,
  schema: string,
): void => {
  into.push({ statement, expect, note, schema })
}

// A record of the plan's result: the row `step` returns (or none), over the values known now.
const written = (t: Table, step: number | null, given: Fields): Plan.Written => ({
  schema: t.name,
  step,
  given: Object.fromEntries(Object.entries(given).filter(([k]) => t.columns.has(k))),
  associations: [],
})

// A row given in part (a record linked by its key alone): a statement that writes it returns every
// column, or one reads it (`Read`) when nothing is written, so the plan's result has the whole row
// without a reload.
const partial = (t: Table, row: Fields): boolean => [...t.columns.keys()].some(k => !(k in row))

// The row of `t` found by its key, given `set`, returning every column (the row as written, with what
// triggers or the database set); no statement when there is nothing to set (unless
// `always`: the owner of a change with an optimistic lock is checked and bumped whatever changed, so the
// association changes under it are guarded by its version too; or `fetch`, a record known in part: the
// statement reads the rest, a `Read` when it writes nothing). A versioned row is checked by its version (the one `set` gives, else the
// row's) and bumped. The record as written, for the plan's result.
const updateRow = (
  into: Steps,
  t: Table,
  source: string,
  row: Fields,
  set: Fields,
  expect: Plan.Step['expect'],
  note: string,
  always = false,
  fetch = false,
): Result<Plan.Written> => {
  const where = byKey(t, 't0', row)
  if (E.isLeft(where)) return where
  const s = encode(t, withoutLock(t, set), 'update')
  if (E.isLeft(s)) return s
  const versioned = t.optimisticLock !== null && (always || Object.keys(set).length > 0)
  const read = fetch && partial(t, row)
  if (s.right.length === 0 && !versioned) {
    if (!read) return E.right(written(t, null, row))
    // Nothing to write on a record known by its key alone: it is read (and its key locked as a link
    // would), so the plan's result has the whole row and a record that is not there fails the plan.
    push(
      into,
      W.read({
        binding: { table: source, alias: 't0' },
        where: where.right,
        returning: [...t.columns.keys()],
      }),
      'one',
      note,
      t.name,
    )
    return E.right(written(t, into.length - 1, row))
  }
  const lock = versioned ? lockOf(t, 't0', row, set) : E.right(null)
  if (E.isLeft(lock)) return lock
  const assignments = [...s.right, ...(lock.right === null ? [] : [lock.right.bump])]
  push(
    into,
    W.update({
      binding: { table: source, alias: 't0' },
      set: assignments.map(([k, v]) => [k, valueParam(t, k, v)] as const),
      where: lock.right === null ? where.right : [...where.right, lock.right.check],
      returning: [...t.columns.keys()],
    }),
    // A version that moved on touches no row: the plan fails whatever the step expected.
    lock.right === null ? expect : 'one',
    note,
    t.name,
  )
  const bumped = lock.right === null ? {} : { [lock.right.bump[0]]: lock.right.bump[1] }
  return E.right(written(t, into.length - 1, { ...row, ...set, ...bumped }))
}

// `delete` must find the row (one already gone is a stale entry); `delete_if_exists` need not.
const deleteExpects: Readonly<Record<'delete' | 'delete_if_exists', Plan.Step['expect']>> = {
  delete: 'one',
  delete_if_exists: 'any',
}

const deleteRow = (
  into: Steps,
  t: Table,
  source: string,
  row: Fields,
  action: 'delete' | 'delete_if_exists',
  note: string,
): Result<void> => {
  const where = byKey(t, 't0', row)
  if (E.isLeft(where)) return where
  // `delete` checks a versioned row's version; `delete_if_exists` deletes it whatever its version.
  const lock = action === 'delete' ? lockOf(t, 't0', row) : E.right(null)
  if (E.isLeft(lock)) return lock
  push(
    into,
    W.delete_({
      binding: { table: source, alias: 't0' },
      where: lock.right === null ? where.right : [...where.right, lock.right.check],
      returning: t.primaryKey,
    }),
    deleteExpects[action],
    note,
    t.name,
  )
  return E.right(undefined)
}

// The row inserted, as a record whose statement a later one refers to for its generated key.
const insertRow = (
  into: Steps,
  t: Table,
  source: string,
  values: Fields,
  note: string,
): Result<Plan.Written> => {
  const enc = encode(t, values, 'insert')
  if (E.isLeft(enc)) return enc
  for (const statement of insertStatements(t, source, [enc.right])) push(into, statement, 'any', note, t.name)
  return E.right(written(t, into.length - 1, values))
}

// The statement that inserted a record (a record written by a plan's insert always has one).
const stepOf = (w: Plan.Written): number => w.step as number

// 0. Only a valid change has a plan.

const refuseInvalid = (c: Change): Result<void> =>
  c.valid
    ? E.right(undefined)
    : E.left(
        WriteError.make(
          'InvalidChange',
          `the change of schema '${c.schema}' is invalid: ${c.errors.map(e => `${e.path} ${e.message}`).join('; ')}`,
          { schema: c.schema, errors: c.errors },
        ),
      )

const ownerTable = (c: Change): Result<Table> => {
  const t = Model.table(c.model, c.schema)
  return t === undefined
    ? E.left(WriteError.make('UnknownSchema', `the model has no schema '${c.schema}'`, { schema: c.schema }))
    : E.right(t)
}

// 1. belongs_to parents, before the owner: each entry says which parent the owner points at, if it
// says any (`some` key); a replaced parent points at nothing. With it, the parent as written (none for
// a replaced one).

type Parent = Writing<Model.ResolvedBelongsTo>

interface ParentWritten {
  readonly key: O.Option<unknown>
  readonly record: Plan.Written | null
}

const updateParent = (d: Draft, w: Parent, e: { readonly current: Fields; readonly changes: Fields }) =>
  E.map((record: Plan.Written): ParentWritten => ({
    key: O.some(e.current[w.association.relatedKey]),
    record,
  }))(
    updateRow(
      d.steps,
      w.target,
      w.association.source,
      e.current,
      e.changes,
      'one',
      `${w.note}: update parent`,
    ),
  )

const parentWriters: EntryWriters<Parent, ParentWritten> = {
  // A new parent's key is known once it is inserted: the owner takes it through a plan reference.
  Insert: (d, w, e) =>
    E.map((record: Plan.Written): ParentWritten => ({
      key: O.some(W.ref(stepOf(record), w.association.relatedKey)),
      record,
    }))(
      hasNested(e)
        ? writeNested(d, w, e, {})
        : insertRow(d.steps, w.target, w.association.source, e.values, `${w.note}: insert parent`),
    ),
  Update: (d, w, e) =>
    hasNested(e)
      ? E.map((record: Plan.Written): ParentWritten => ({
          key: O.some(e.current[w.association.relatedKey]),
          record,
        }))(writeNested(d, w, e, {}))
      : updateParent(d, w, e),
  Link: updateParent,
  // Deleted after the owner stops pointing at it (a nilified one is left as it is).
  Replace: (d, w, e) =>
    e.action === 'nilify'
      ? E.right({ key: O.none, record: null })
      : E.map((): ParentWritten => ({ key: O.none, record: null }))(
          deleteRow(
            d.deferred,
            w.target,
            w.association.source,
            e.current,
            e.action,
            `${w.note}: ${e.action} replaced parent`,
          ),
        ),
}

// The key of the parent the owner ends up pointing at (`null` when none), and that parent as written.
const writeParent = (
  d: Draft,
  w: Parent,
  entries: ReadonlyArray<Entry>,
): Result<{ readonly key: unknown; readonly records: ReadonlyArray<Plan.Written> }> => {
  let fk: unknown = null
  const records: Array<Plan.Written> = []
  for (const e of entries) {
    const r = writeEntry(parentWriters, d, w, e)
    if (E.isLeft(r)) return r
    if (O.isSome(r.right.key)) fk = r.right.key.value
    if (r.right.record !== null) records.push(r.right.record)
  }
  return E.right({ key: fk, records })
}

// Ecto: a change that sets the foreign key itself, to anything but the new parent's key, is refused
// rather than silently overridden (a new parent's key is only known once it is inserted).
const refuseConflictingKey = (c: Change, ac: AssocChange, a: Model.ResolvedBelongsTo, fk: unknown) => {
  const explicit = c.fields[a.ownerKey]
  if (explicit === undefined) return E.right(undefined)
  const inserted = ac.entries.find(e => e._tag === 'Insert')
  const known = inserted?._tag === 'Insert' ? inserted.values[a.relatedKey] : fk
  return known !== undefined && same(explicit, known)
    ? E.right(undefined)
    : E.left(
        WriteError.make(
          'ForeignKeyConflict',
          `cannot change belongs_to association '${ac.name}' of schema '${c.schema}' because there is already a change setting its foreign key '${a.ownerKey}' to ${show(explicit)}`,
          { schema: c.schema, association: ac.name, column: a.ownerKey },
        ),
      )
}

// The associations written under a record, by name, in the order they are written.
type Records = Map<string, ReadonlyArray<Plan.Written>>

// The owner's own changes, with the foreign key of every belongs_to parent written before it; the
// parents as written go into `records`.
const writeParents = (d: Draft, records: Records): Result<Fields> => {
  const c = d.change
  const ownerFields: Record<string, unknown> = { ...c.fields }
  for (const ac of c.associations) {
    const a = ac.association
    if (a._tag !== 'BelongsTo') continue
    const fk = writeParent(d, writing(c, ac.name, a), ac.entries)
    if (E.isLeft(fk)) return fk
    const conflict = refuseConflictingKey(c, ac, a, fk.right.key)
    if (E.isLeft(conflict)) return conflict
    records.set(ac.name, fk.right.records)
    // The parent updated in place, still the one the owner points at, leaves the owner's key alone.
    if (!ac.entries.some(e => e._tag === 'Update') || fk.right.key !== c.owner[a.ownerKey])
      ownerFields[a.ownerKey] = fk.right.key
  }
  return E.right(ownerFields)
}

// 2. The owner: a new one inserted (later statements refer to its key by its statement), a loaded one
// updated with what changed.

const writeOwner = (d: Draft, owner: Table, ownerFields: Fields): Result<Plan.Written> => {
  const c = d.change
  if (c.isNew) {
    // The new record's own values: its preloaded associations are not columns, anything else unknown is
    // an error (it would otherwise be dropped without a word).
    const own = checkRecord(c.model, owner, c.owner, undefined, 'skip')
    if (E.isLeft(own)) return own
    return insertRow(d.steps, owner, d.source, { ...own.right, ...ownerFields }, d.notes.insert)
  }
  // An owner known in part (its key, say) is read whole when nothing is written to it: the plan's result
  // is typed as the whole row.
  return updateRow(
    d.steps,
    owner,
    d.source,
    c.owner,
    diff(c.owner, ownerFields),
    'one',
    d.notes.update,
    true,
    true,
  )
}

// 3. The children, after the owner, each association's entries in order (replaced before new ones).

// The owner's key the children point at: a reference to the inserted owner's, or the loaded owner's.
const ownerKeyFor = (c: Change, owner: Plan.Written, name: string, column: string): Result<unknown> => {
  const key = owner.step !== null && c.isNew ? W.ref(owner.step, column) : c.owner[column]
  return key === null || key === undefined
    ? E.left(
        WriteError.make('MissingKey', `the owner has no '${column}' to associate '${name}' with`, {
          schema: c.schema,
          association: name,
          column,
        }),
      )
    : E.right(key)
}

interface Child<A extends Model.ResolvedDirect> extends Writing<A> {
  /** The owner's key, as the children (or the join rows) hold it. */
  readonly key: unknown
}

const updateChild = <A extends Model.ResolvedDirect>(
  d: Draft,
  w: Child<A>,
  row: Fields,
  set: Fields,
  what: string,
) => updateRow(d.steps, w.target, w.association.source, row, set, 'one', `${w.note}: ${what}`, false, true)

// A child no longer associated (replaced) is no record of the result.
const gone = E.map((): Plan.Written | null => null)

// has_many / has_one: a child holds the owner's key in `relatedKey`.
const hasWriters: EntryWriters<Child<Model.ResolvedHas>, Plan.Written | null> = {
  Insert: (d, w, e) =>
    hasNested(e)
      ? writeNested(d, w, e, { [w.association.relatedKey]: w.key })
      : insertRow(
          d.steps,
          w.target,
          w.association.source,
          { ...e.values, [w.association.relatedKey]: w.key },
          `${w.note}: insert`,
        ),
  Update: (d, w, e) =>
    hasNested(e) ? writeNested(d, w, e, {}) : updateChild(d, w, e.current, e.changes, 'update'),
  Link: (d, w, e) =>
    updateChild(d, w, e.current, { ...e.changes, [w.association.relatedKey]: w.key }, 'link'),
  Replace: (d, w, e) =>
    gone(
      e.action === 'nilify'
        ? E.map(() => undefined)(
            updateChild(d, w, e.current, { [w.association.relatedKey]: null }, 'nilify replaced'),
          )
        : deleteRow(
            d.steps,
            w.target,
            w.association.source,
            e.current,
            e.action,
            `${w.note}: ${e.action} replaced`,
          ),
    ),
}

type Joined = Child<Model.ResolvedManyToMany> & { readonly onConflict: 'raise' | 'nothing' }

// The columns of a join row linking the owner to `related`: the join defaults, the join filter's fixed
// values, then the two keys. A join schema's codecs check the row (joinDefaults included) like any other
// row; a join table given by name has no codecs: its values go as they are.
const joinColumns = (
  c: Change,
  w: Joined,
  related: unknown,
): Result<ReadonlyArray<readonly [string, unknown]>> => {
  const a = w.association
  const fixed = Object.fromEntries(
    a.joinWhere.flatMap(f => (f.condition._tag === 'Eq' ? [[f.column, f.condition.value] as const] : [])),
  )
  const values: Fields = { ...a.joinDefaults, ...fixed, [a.joinOwnerKey]: w.key, [a.joinRelatedKey]: related }
  if (a.joinSchema === null) return E.right(Object.entries(values))
  const enc = encode(Model.table(c.model, a.joinSchema) as Table, values, 'insert')
  return E.isLeft(enc)
    ? E.left(
        WriteError.make(enc.left.code, `${enc.left.message} (join row of association '${w.name}')`, {
          schema: c.schema,
          association: w.name,
          column: enc.left.column,
        }),
      )
    : enc
}

const insertJoinRow = (d: Draft, w: Joined, related: unknown): Result<void> => {
  const a = w.association
  const cols = joinColumns(d.change, w, related)
  if (E.isLeft(cols)) return cols
  const join = a.joinSchema === null ? null : (Model.table(d.change.model, a.joinSchema) as Table)
  push(
    d.steps,
    W.insert({
      table: a.joinTable,
      columns: cols.right.map(([k]) => k),
      rows: [cols.right.map(([k, v]) => (join === null ? Ex.param(v) : valueParam(join, k, v)))],
      // A join schema's identity columns are numbered by the database; memory numbers them too.
      generated: join === null ? [] : [...join.columns].filter(([, col]) => col.generated).map(([n]) => n),
      key: join === null ? [a.joinOwnerKey, a.joinRelatedKey] : join.primaryKey,
      onConflict: w.onConflict,
      returning: [a.joinOwnerKey, a.joinRelatedKey],
    }),
    'any',
    `${w.note}: join row`,
    a.joinSchema ?? d.change.schema,
  )
  return E.right(undefined)
}

// The record a join row was written for.
const joined = (d: Draft, w: Joined, record: Plan.Written, related: unknown): Result<Plan.Written> =>
  E.map(() => record)(insertJoinRow(d, w, related))

// many_to_many: the target rows as for has_many, and a join row for each link; a replaced target loses
// its join row only (found with `joinWhere`), whatever `onReplace` says.
const joinedWriters: EntryWriters<Joined, Plan.Written | null> = {
  Insert: (d, w, e) => {
    const ins = hasNested(e)
      ? writeNested(d, w, e, {})
      : insertRow(d.steps, w.target, w.association.source, e.values, `${w.note}: insert`)
    if (E.isLeft(ins)) return ins
    return joined(
      d,
      w,
      ins.right,
      e.values[w.association.relatedKey] ?? W.ref(stepOf(ins.right), w.association.relatedKey),
    )
  },
  Update: (d, w, e) =>
    hasNested(e) ? writeNested(d, w, e, {}) : updateChild(d, w, e.current, e.changes, 'update'),
  // Ecto: the target's changes, then the join row.
  Link: (d, w, e) => {
    const u = updateChild(d, w, e.current, e.changes, 'update')
    return E.isLeft(u) ? u : joined(d, w, u.right, e.current[w.association.relatedKey])
  },
  Replace: (d, w, e) => {
    const a = w.association
    push(
      d.steps,
      W.delete_({
        binding: { table: a.joinTable, alias: 't0' },
        where: [
          Ex.eq(Ex.column('t0', a.joinOwnerKey), Ex.param(w.key)),
          Ex.eq(Ex.column('t0', a.joinRelatedKey), Ex.param(e.current[a.relatedKey])),
          ...a.joinWhere.map(f => filterExpr('t0', f)),
        ],
        returning: [a.joinOwnerKey],
      }),
      'one',
      `${w.note}: delete join row`,
      a.joinSchema ?? d.change.schema,
    )
    return E.right(null)
  },
}

// The records an association holds after its entries are written, in the entries' order.
const writeEntries = <X>(
  writers: EntryWriters<X, Plan.Written | null>,
  d: Draft,
  x: X,
  entries: ReadonlyArray<Entry>,
): Result<ReadonlyArray<Plan.Written>> => {
  const records: Array<Plan.Written> = []
  for (const e of entries) {
    const r = writeEntry(writers, d, x, e)
    if (E.isLeft(r)) return r
    if (r.right !== null) records.push(r.right)
  }
  return E.right(records)
}

type ChildKind = Exclude<Model.ResolvedDirect['_tag'], 'BelongsTo'>

const writeHas = (
  d: Draft,
  a: Model.ResolvedHas,
  name: string,
  key: unknown,
  entries: ReadonlyArray<Entry>,
): Result<ReadonlyArray<Plan.Written>> =>
  writeEntries(hasWriters, d, { ...writing(d.change, name, a), key }, entries)

// The children's writer per association kind (belongs_to parents were written before the owner).
const childWriters: {
  readonly [K in ChildKind]: (
    d: Draft,
    a: Model.ResolvedDirect & { readonly _tag: K },
    name: string,
    key: unknown,
    entries: ReadonlyArray<Entry>,
    options: PutOptions,
  ) => Result<ReadonlyArray<Plan.Written>>
} = {
  HasMany: writeHas,
  HasOne: writeHas,
  ManyToMany: (d, a, name, key, entries, options) =>
    writeEntries(
      joinedWriters,
      d,
      { ...writing(d.change, name, a), key, onConflict: options.onJoinConflict ?? a.onJoinThroughConflict },
      entries,
    ),
}

const writeChildren = (d: Draft, owner: Plan.Written, records: Records): Result<void> => {
  const c = d.change
  for (const ac of c.associations) {
    const a = ac.association
    if (a._tag === 'BelongsTo') continue
    const key = ownerKeyFor(c, owner, ac.name, a.ownerKey)
    if (E.isLeft(key)) return key
    const write = childWriters[a._tag] as (
      d: Draft,
      a: Model.ResolvedDirect,
      name: string,
      key: unknown,
      entries: ReadonlyArray<Entry>,
      options: PutOptions,
    ) => Result<ReadonlyArray<Plan.Written>>
    const r = write(d, a, ac.name, key.right, ac.entries, d.options)
    if (E.isLeft(r)) return r
    records.set(ac.name, r.right)
  }
  return E.right(undefined)
}

// An association the change names but does not write (a cast whose params leave it out): its value
// as loaded on the owner, as records given; a new owner has none (a cast refuses one not loaded).
const asLoaded = (c: Change, name: string): ReadonlyArray<Plan.Written> | undefined => {
  const a = Model.association(c.model, c.schema, name)
  if (a === undefined || a._tag === 'Through') return undefined
  const t = Model.table(c.model, a.target) as Table
  const current = loaded(c, name)
  return E.isLeft(current) ? undefined : current.right.map(r => written(t, null, r))
}

// The owner as written, with its associations in the order the change names them.
const withAssociations = (d: Draft, owner: Plan.Written, records: Records): Plan.Written => {
  const c = d.change
  const names = [...new Set([...c.associations.map(ac => ac.name), ...(c.named ?? [])])]
  return {
    ...owner,
    associations: names.flatMap(name => {
      const a = Model.association(c.model, c.schema, name)
      const rs = records.get(name) ?? asLoaded(c, name)
      return a === undefined || a._tag === 'Through' || rs === undefined
        ? []
        : [{ name, cardinality: a.cardinality, records: rs }]
    }),
  }
}

// A change drafted into `d.steps`: belongs_to parents, the owner, the replaced parents, the children.
// The owner as written, with the associations written under it (later statements refer to a new
// owner's key by its statement).
const draft = (d: Draft): Result<Plan.Written> => {
  const owner = ownerTable(d.change)
  if (E.isLeft(owner)) return owner
  const records: Records = new Map()
  const ownerFields = writeParents(d, records)
  if (E.isLeft(ownerFields)) return ownerFields
  const written = writeOwner(d, owner.right, ownerFields.right)
  if (E.isLeft(written)) return written
  // The replaced parents, now that the owner no longer points at them.
  d.steps.push(...d.deferred)
  const children = writeChildren(d, written.right, records)
  return E.isLeft(children) ? children : E.right(withAssociations(d, written.right, records))
}

// An entry of a nested cast, written as a change of its own: the record (inserted with `fixed`, the key
// pointing it at its owner, or updated), then its own associations under it, keys passed down by
// reference. The record as written, with its associations.
const writeNested = (
  d: Draft,
  w: Writing<Model.ResolvedDirect>,
  e: Entry & { readonly _tag: 'Insert' | 'Update' },
  fixed: Fields,
): Result<Plan.Written> =>
  draft({
    change: Object.freeze({
      ...d.change,
      schema: w.association.target,
      owner: e._tag === 'Insert' ? { ...e.values, ...fixed } : e.current,
      isNew: e._tag === 'Insert',
      fields: e._tag === 'Insert' ? {} : { ...e.changes, ...fixed },
      associations: e.nested ?? [],
      named: [],
      errors: [],
      valid: true,
    }),
    steps: d.steps,
    deferred: [],
    options: d.options,
    source: w.association.source,
    notes: { insert: `${w.note}: insert`, update: `${w.note}: update` },
  })

const hasNested = (e: Entry & { readonly _tag: 'Insert' | 'Update' }): boolean =>
  e.nested !== undefined && e.nested.length > 0

/**
 * The write plan of a valid change (see the module doc for the order). An invalid change is an
 * `InvalidChange` error carrying its errors; a value a codec rejects, a missing required column or a
 * missing key is an error too, all before any SQL runs.
 *
 * The plan's result is the owner as written, with the associations the change names as they are
 * after the plan (`Loaded` of the same spec: a list, or an `Option`), each record as written: new
 * ones with their keys, defaults and the values the database generated (`returning`), updated ones
 * as written (every column from `returning`, a versioned row at its new version), replaced ones left
 * out, as deep as the change goes. An association a cast permits but its params leave out is the
 * loaded value (none for a new owner; the cast is a `NotLoaded` error when it is not loaded). A record given in part (an
 * owner `{ id: 1 }` that nothing updates) comes back with the columns known. So the caller goes on
 * without a reload.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const plan = pipe(
 *   Write.change(M, 'post', { id: 1, title: 'a', comments: [] }),
 *   Write.putAssoc('comments', [{ body: 'hello' }]),
 *   E.flatMap(c => Write.toPlan(c)),
 * )
 * const r = E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p)(new Map([['posts', [{ id: 1, title: 'a' }]], ['comments', []]])))(plan)
 * // The post with its comments as written: the new comment has its id and the post's key.
 * assert.deepStrictEqual(E.map((x: Write.PureResult<unknown>) => x.result)(r), E.right({
 *   id: 1, title: 'a', comments: [{ id: 1, post_id: 1, body: 'hello' }],
 * }))
 *
 * @category destructors
 * @since 0.1.0
 */
export function toPlan<M extends Model.AnyModel, S extends string, P>(
  c: Change<M, S, P>,
  options?: PutOptions,
): E.Either<WriteError.WriteError, Plan.Plan<Loaded<M, S, P>>>
// Passed as a function (`E.flatMap(Write.toPlan)`) the compiler takes this signature: the plan's
// result is then only known as `unknown` (call it, `c => Write.toPlan(c)`, for the typed one).
export function toPlan(c: Change, options?: PutOptions): E.Either<WriteError.WriteError, Plan.Plan<unknown>>
export function toPlan(
  c: Change,
  options: PutOptions = {},
): E.Either<WriteError.WriteError, Plan.Plan<unknown>> {
  return WriteError.guarded('Write.toPlan', () => {
    const valid = refuseInvalid(c)
    if (E.isLeft(valid)) return valid
    const owner = ownerTable(c)
    if (E.isLeft(owner)) return owner
    const d: Draft = {
      change: c,
      steps: [],
      deferred: [],
      options: isRecord(options) ? options : {},
      source: owner.right.source,
      notes: { insert: `insert ${c.schema}`, update: `update ${c.schema}` },
    }
    const drafted = draft(d)
    if (E.isLeft(drafted)) return drafted
    return E.right(Plan.make<unknown>(c.model, d.steps, { _tag: 'Tree', root: drafted.right }))
  })
}

// -------------------------------------------------------------------------------------
// constructors: nested inserts
// -------------------------------------------------------------------------------------

interface TreeRecord {
  readonly columns: Fields
  readonly associations: ReadonlyArray<AssocChange>
}

// A record of a nested insert: its columns (checked with the codecs) and the association changes its
// association keys give, as deep as they go. `at` is its path, for the messages (`comments[0].`).
const treeRecord = (
  model: Model.AnyModel,
  t: Table,
  values: unknown,
  at: string,
  origin: { readonly schema: string; readonly association: string } | undefined,
): Result<TreeRecord> => {
  if (!isRecord(values))
    return E.left(
      WriteError.make(
        'InvalidValue',
        `${at === '' ? 'the record' : `'${at.slice(0, -1)}'`} inserted into schema '${t.name}' must be a record, got ${show(values)}`,
        origin ?? { schema: t.name },
      ),
    )
  const cols: Record<string, unknown> = {}
  const associations: Array<AssocChange> = []
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue
    if (t.columns.has(k) || Model.association(model, t.name, k) === undefined) {
      cols[k] = v
      continue
    }
    const a = Model.association(model, t.name, k) as Model.Resolved
    if (a._tag === 'Through')
      return E.left(
        WriteError.make(
          'ReadOnlyAssociation',
          `cannot insert association '${k}' of schema '${t.name}': a through association is read-only; insert its hops instead`,
          { schema: t.name, association: k },
        ),
      )
    const ac = treeAssociation(model, t, k, a, v, at)
    if (E.isLeft(ac)) return ac
    associations.push(ac.right)
  }
  const checked = checkRecord(model, t, cols, origin)
  return E.map((columns: Fields): TreeRecord => ({ columns, associations }))(checked)
}

// The entries of one association of a nested insert: a record without a key is inserted (with the
// association's defaults, and its own associations under it); one with its key given is an existing
// record, linked (a join row, or its foreign key set), whose associations are not written.
const treeAssociation = (
  model: Model.AnyModel,
  owner: Table,
  name: string,
  a: Model.ResolvedDirect,
  value: unknown,
  at: string,
): Result<AssocChange> => {
  const origin = { schema: owner.name, association: name }
  const target = Model.table(model, a.target) as Table
  const many = a.cardinality === 'many'
  if (many ? !Array.isArray(value) : !(value === null || isRecord(value)))
    return E.left(
      WriteError.make(
        'InvalidValue',
        `association '${name}' of schema '${owner.name}' takes ${many ? 'a list of records' : 'a record or null'}, got ${show(value)}`,
        origin,
      ),
    )
  const given: ReadonlyArray<unknown> = many
    ? (value as ReadonlyArray<unknown>)
    : value === null
      ? []
      : [value]
  const entries: Array<Entry> = []
  for (const [i, g] of given.entries()) {
    const path = `${at}${name}${many ? `[${i}]` : ''}.`
    const r = treeRecord(model, target, g, path, origin)
    if (E.isLeft(r)) return r
    const keyed = keyOf(target, r.right.columns) !== null
    if (keyed) {
      if (r.right.associations.length > 0)
        return E.left(
          WriteError.make(
            'InvalidValue',
            `'${path.slice(0, -1)}' gives the key of an existing record of schema '${target.name}', which is linked, not inserted: its associations (${r.right.associations.map(x => `'${x.name}'`).join(', ')}) are not written; change it with Write.change, or give it without its key`,
            origin,
          ),
        )
      entries.push({
        _tag: 'Link',
        current: r.right.columns,
        changes: Object.fromEntries(
          Object.entries(r.right.columns).filter(([col]) => !target.primaryKey.includes(col)),
        ),
      })
      continue
    }
    // A new child's foreign key is the new owner's key, which the plan sets: a value given for it would
    // be overridden without a word, so it is refused (as Ecto refuses a change setting a belongs_to's key).
    const fk = a._tag === 'HasMany' || a._tag === 'HasOne' ? a.relatedKey : null
    if (fk !== null && r.right.columns[fk] !== undefined)
      return E.left(
        WriteError.make(
          'ForeignKeyConflict',
          `'${path}${fk}' is given (${show(r.right.columns[fk])}), but the plan sets it to the key of the new '${owner.name}' record it is inserted under: leave it out`,
          { ...origin, column: fk },
        ),
      )
    const defaults = applyDefaults(a.defaults, {}, null, origin)
    if (E.isLeft(defaults)) return defaults
    const values = checkRecord(model, target, { ...defaults.right, ...r.right.columns }, origin)
    if (E.isLeft(values)) return values
    entries.push(
      r.right.associations.length > 0
        ? { _tag: 'Insert', values: values.right, nested: r.right.associations }
        : { _tag: 'Insert', values: values.right },
    )
  }
  return E.right({ name, association: a, entries })
}

/**
 * The change that inserts a new record of `schema` with the records its association keys give, as
 * deep as they go (what `Write.insert` makes of a record with associations): a record without its
 * key is inserted, one with its key is an existing record that is linked. Every value is checked with
 * its column's codec; an unknown key, a through association or a linked record with associations of
 * its own is an error naming the schema and association.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const c = Write.changeOfTree(M, 'post', { title: 'hi', comments: [{ body: 'first' }] })
 * assert.deepStrictEqual(E.map((x: Write.Change) => x.associations.map(a => a.entries.map(e => e._tag)))(c), E.right([['Insert']]))
 *
 * @category constructors
 * @since 0.2.0
 */
export const changeOfTree = (
  model: Model.AnyModel,
  schema: string,
  values: unknown,
): E.Either<WriteError.WriteError, Change> =>
  WriteError.guarded('Write.insert', () => {
    const t = Model.table(model, schema)
    if (t === undefined)
      return E.left(WriteError.make('UnknownSchema', `the model has no schema '${schema}'`, { schema }))
    const r = treeRecord(model, t, values, '', undefined)
    if (E.isLeft(r)) return r
    return E.right(
      Object.freeze({
        _tag: 'Change',
        model,
        schema,
        owner: r.right.columns,
        isNew: true,
        // The owner's own columns are its changes too: a foreign key given beside a new parent for it
        // is a ForeignKeyConflict, not overridden.
        fields: r.right.columns,
        associations: r.right.associations,
        errors: [],
        valid: true,
      }),
    )
  })
