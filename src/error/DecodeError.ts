/**
 * A row value that the column's io-ts codec rejected. It names the table, the column and the value, so
 * a schema that disagrees with the database is found at once.
 *
 * @since 0.1.0
 */
import { show } from './Show.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A value read from `column` of `table` that the column's codec refused; `value` is the raw value and
 * `message` says what the codec expected instead.
 *
 * @category model
 * @since 0.1.0
 */
export interface DecodeError {
  readonly _tag: 'DecodeError'
  readonly table: string
  readonly column: string
  readonly value: unknown
  readonly message: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// Dates read better as ISO text; an invalid Date (whose toISOString throws) or a revoked proxy (whose
// instanceof check throws) falls back to `show`.
const render = (u: unknown): string => {
  try {
    if (u instanceof Date && !Number.isNaN(u.getTime())) return `Date(${u.toISOString()})`
  } catch {
    // not a readable Date
  }
  return show(u)
}

/**
 * @category constructors
 * @since 0.1.0
 */
export const make = (table: string, column: string, value: unknown, expected: string): DecodeError =>
  Object.freeze({
    _tag: 'DecodeError',
    table,
    column,
    value,
    message: `cannot decode column '${column}' of table '${table}': expected ${expected}, got ${render(value)}`,
  })
