/**
 * A row value that the column's io-ts codec rejected. It names the table, the column and the value, so
 * a schema that disagrees with the database is found at once.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
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

const show = (u: unknown): string => {
  if (u instanceof Date) return `Date(${u.toISOString()})`
  try {
    const s = JSON.stringify(u)
    return s === undefined ? String(u) : s.length > 80 ? `${s.slice(0, 77)}...` : s
  } catch {
    return String(u)
  }
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
    message: `cannot decode column '${column}' of table '${table}': expected ${expected}, got ${show(value)}`,
  })
