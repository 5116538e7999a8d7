/**
 * Tables as values: a singular schema name (which drives default foreign keys, as an Ecto schema
 * module's name does), the source table in the database, and a column per field. Nothing is checked
 * here; `model` validates tables and associations together and reports problems as values.
 *
 * @since 0.1.0
 */
import * as Column from './Column.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export type Columns = Readonly<Record<string, Column.ColumnInput>>

/**
 * @category model
 * @since 0.1.0
 */
export interface Table<N extends string = string, C extends Columns = Columns> {
  readonly _tag: 'Table'
  readonly name: N
  readonly source: string
  /** The columns as given (codecs or columns), kept for typing. */
  readonly input: C
  /** Every column normalised to a `Column`, in definition order. */
  readonly columns: ReadonlyMap<string, Column.Column<unknown>>
  readonly primaryKey: ReadonlyArray<string>
}

/**
 * The row type of a table: one readonly field per column.
 *
 * @category model
 * @since 0.1.0
 */
export type RowOf<T> =
  T extends Table<string, infer C> ? { readonly [K in keyof C]: Column.TypeOf<C[K]> } : never

/**
 * @category model
 * @since 0.1.0
 */
export interface TableOptions<C extends Columns> {
  /** The primary key column(s); default `id`. Composite keys are allowed. An empty array means none. */
  readonly primaryKey?: (keyof C & string) | ReadonlyArray<keyof C & string>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * @example
 * import { Schema, Column } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 *
 * @category constructors
 * @since 0.1.0
 */
export const table = <const N extends string, const C extends Columns>(
  name: N,
  source: string,
  columns: C,
  options: TableOptions<C> = {},
): Table<N, C> => {
  const pk = options.primaryKey ?? 'id'
  return Object.freeze({
    _tag: 'Table',
    name,
    source,
    input: columns,
    columns: new Map(Object.entries(columns).map(([k, v]) => [k, Column.fromInput(v)])),
    primaryKey: Object.freeze(typeof pk === 'string' ? [pk] : [...pk]),
  })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * @category utils
 * @since 0.1.0
 */
export const columnNames = (table: Table): ReadonlyArray<string> => [...table.columns.keys()]
