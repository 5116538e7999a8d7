/**
 * Upsert: the `onConflict` option of `insert` and `insertAll`. A conflict is about one unique key of
 * the table, named by its columns or by its constraint's name (PostgreSQL's default names:
 * `<table>_pkey`, `<table>_<columns>_key`); the model knows the table's primary key and `unique`
 * keys, so a target that is none of them is refused before any SQL (PostgreSQL would answer 42P10).
 * The action is `'nothing'` (skip the row) or `{ update }`: a set over the existing row and the
 * proposed one (`excluded`), `'replace_all'` (every column the insert gives, from `excluded`), or
 * `{ except }` (those but some).
 *
 * As in PostgreSQL, one statement that proposes the same key twice with `do update` fails (21000,
 * "ON CONFLICT DO UPDATE command cannot affect row a second time"), with `do nothing` skips the
 * second row; a conflict on another unique key than the target is a unique violation (23505).
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as Ex from '../ast/Expr.js'
import * as W from '../ast/Write.js'
import { show } from '../error/Show.js'
import * as WriteError from '../error/WriteError.js'
import * as Make from '../query/Make.js'
import type * as Pred from '../query/Pred.js'
import type { TableRefs } from '../query/Query.js'
import * as Column from '../schema/Column.js'
import type * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import { assignments, termsOf, type AssignError, type Assignments } from './Assign.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The columns of schema `S`.
 *
 * @category model
 * @since 0.2.0
 */
export type ColumnOf<M extends Model.AnyModel, S extends string> = keyof Model.Row<M, S> & string

/**
 * The set of an upsert's update: assignments, or a function of the existing row's terms and the
 * proposed row's (`excluded`) giving them.
 *
 * @category model
 * @since 0.2.0
 */
export type UpsertSet<M extends Model.AnyModel, S extends string> =
  Assignments<M, S> | ((row: TableRefs<M, S>, excluded: TableRefs<M, S>) => Assignments<M, S>)

/**
 * What an upsert does with a conflicting row.
 *
 * @category model
 * @since 0.2.0
 */
export type UpsertAction<M extends Model.AnyModel, S extends string> =
  | 'nothing'
  | {
      readonly update: 'replace_all' | { readonly except: ReadonlyArray<ColumnOf<M, S>> } | UpsertSet<M, S>
    }

/**
 * The `onConflict` option of `insert` / `insertAll`: the unique key (`target` columns, or
 * `{ constraint: name }`) and the action.
 *
 * @category model
 * @since 0.2.0
 */
export interface OnConflict<M extends Model.AnyModel, S extends string> {
  readonly target: ReadonlyArray<ColumnOf<M, S>> | { readonly constraint: string }
  readonly action: UpsertAction<M, S>
}

/**
 * A resolved conflict: the statement's conflict clause for the columns a statement inserts.
 *
 * @category model
 * @since 0.2.0
 */
export type ConflictFor = (columns: ReadonlyArray<string>) => E.Either<AssignError, W.Conflict>

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const alias = 't0'

const refuse = (
  message: string,
  schema: string,
  column?: string,
  code: WriteError.WriteErrorCode = 'InvalidValue',
) => E.left(WriteError.make(code, message, column === undefined ? { schema } : { schema, column }))

const sameColumns = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every(c => b.includes(c)) && new Set(a).size === a.length

// NAMEDATALEN - 1: a longer default name is truncated by PostgreSQL (not modelled: name the columns).
const maxName = 63

/**
 * The unique keys of a table with the names PostgreSQL gives their constraints when `Ddl.ddl` creates
 * them (unnamed): `<table>_pkey`, `<table>_<col>_<col>_key`.
 *
 * @category utils
 * @since 0.2.0
 */
export const keysOf = (
  table: Table,
  source: string,
): ReadonlyArray<{ readonly name: string; readonly columns: ReadonlyArray<string> }> => [
  ...(table.primaryKey.length > 0 ? [{ name: `${source}_pkey`, columns: table.primaryKey }] : []),
  ...table.unique.map(u => ({ name: `${source}_${u.join('_')}_key`, columns: u })),
]

const keyList = (table: Table, source: string): string =>
  keysOf(table, source)
    .map(k => `(${k.columns.join(', ')}) "${k.name}"`)
    .join(', ') || 'none'

const targetOf = (
  table: Table,
  source: string,
  target: unknown,
): E.Either<
  WriteError.WriteError,
  { readonly columns: ReadonlyArray<string>; readonly constraint: string | null }
> => {
  const schema = table.name
  if (Array.isArray(target)) {
    for (const c of target as ReadonlyArray<unknown>)
      if (typeof c !== 'string' || !table.columns.has(c))
        return refuse(
          `onConflict: target ${show(c)} is not a column of schema '${schema}'`,
          schema,
          typeof c === 'string' ? c : undefined,
          'UnknownColumn',
        )
    const cols = target as ReadonlyArray<string>
    const key = keysOf(table, source).find(k => sameColumns(k.columns, cols))
    return key === undefined
      ? refuse(
          `onConflict: schema '${schema}' has no primary or unique key on (${cols.join(', ')}) (PostgreSQL: 42P10, no unique constraint matching the ON CONFLICT specification); its keys: ${keyList(table, source)}`,
          schema,
          cols.join(', '),
          'MissingKey',
        )
      : E.right({ columns: key.columns, constraint: null })
  }
  if (
    typeof target === 'object' &&
    target !== null &&
    typeof (target as { constraint?: unknown }).constraint === 'string'
  ) {
    const name = (target as { readonly constraint: string }).constraint
    const key = keysOf(table, source).find(k => k.name === name && k.name.length <= maxName)
    return key === undefined
      ? refuse(
          `onConflict: schema '${schema}' has no unique constraint named '${name}' (PostgreSQL: 42704); its keys: ${keyList(table, source)}`,
          schema,
          undefined,
          'MissingKey',
        )
      : E.right({ columns: key.columns, constraint: name })
  }
  return refuse(
    `onConflict: target of schema '${schema}' is a list of columns or { constraint: name }, got ${show(target)}`,
    schema,
  )
}

const isExcept = (u: unknown): u is { readonly except: ReadonlyArray<unknown> } =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  Object.keys(u).length === 1 &&
  Array.isArray((u as { readonly except?: unknown }).except)

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Resolves an `onConflict` option for a table: the target checked against the table's keys, the
 * action's columns against its columns; the result makes the conflict clause of each statement.
 *
 * @category constructors
 * @since 0.2.0
 */
export const resolve = (table: Table, source: string, spec: unknown): E.Either<AssignError, ConflictFor> => {
  const schema = table.name
  if (typeof spec !== 'object' || spec === null)
    return refuse(`onConflict of schema '${schema}' is { target, action }, got ${show(spec)}`, schema)
  const { target, action } = spec as { readonly target?: unknown; readonly action?: unknown }
  const t = targetOf(table, source, target)
  if (E.isLeft(t)) return t
  const conflict = (a: W.ConflictAction) =>
    W.conflict({ target: t.right.columns, constraint: t.right.constraint, alias, action: a })
  if (action === 'nothing') return E.right(() => E.right(conflict({ _tag: 'Nothing' })))
  const update =
    typeof action === 'object' && action !== null
      ? (action as { readonly update?: unknown }).update
      : undefined
  if (update === undefined)
    return refuse(
      `onConflict of schema '${schema}': action is 'nothing' or { update: set | 'replace_all' | { except } }, got ${show(action)}`,
      schema,
    )
  if (update === 'replace_all' || isExcept(update)) {
    const except = update === 'replace_all' ? [] : update.except
    for (const c of except)
      if (typeof c !== 'string' || !table.columns.has(c))
        return refuse(
          `onConflict: except ${show(c)} is not a column of schema '${schema}'`,
          schema,
          typeof c === 'string' ? c : undefined,
          'UnknownColumn',
        )
    return E.right(columns => {
      const replaced = columns.filter(c => !t.right.columns.includes(c) && !except.includes(c))
      // Nothing left to replace: the key is set to itself, so the row is still returned (and a key
      // proposed twice is still PostgreSQL's 21000).
      const set = (replaced.length > 0 ? replaced : t.right.columns.slice(0, 1)).map(
        c => [c, Ex.column('excluded', c, Column.jsonType(table.columns.get(c)))] as const,
      )
      return E.right(conflict({ _tag: 'Update', set }))
    })
  }
  // the row being written and the proposed one: terms of one statement of their own
  const scope = Make.freshScope()
  const set = assignments(
    table,
    update,
    [termsOf(table, alias, scope), termsOf(table, 'excluded', scope, 'excluded')] as ReadonlyArray<
      Readonly<Record<string, Pred.Term<unknown>>>
    >,
    new Set([alias, 'excluded']),
    `onConflict update`,
    scope,
  )
  if (E.isLeft(set)) return set
  return E.right(() => E.right(conflict({ _tag: 'Update', set: set.right })))
}
