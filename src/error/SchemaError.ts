/**
 * The error of an invalid model definition. `model` validates the whole graph once and reports the
 * first problem it finds as one of these, naming the schema, the association and the option at fault.
 *
 * @since 0.1.0
 */
import { show } from './Show.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A model definition that cannot be used, found when the model is built: `reason` says what is wrong
 * and `message` adds where (the schema, and the association and option when the fault is theirs).
 *
 * @category model
 * @since 0.1.0
 */
export interface SchemaError {
  readonly _tag: 'SchemaError'
  /** The schema (table name given to `table`) the problem belongs to. */
  readonly schema: string
  /** The association at fault, or `null` when the problem is on the table itself. */
  readonly association: string | null
  /** The option (or table property) at fault, e.g. `foreignKey`, `where.public`, `primaryKey`. */
  readonly option: string | null
  readonly reason: string
  readonly message: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  schema: string,
  association: string | null,
  option: string | null,
  reason: string,
): SchemaError => {
  const where =
    association === null ? `schema '${schema}'` : `association '${association}' of schema '${schema}'`
  const opt = option === null ? '' : `, option '${option}'`
  return Object.freeze({
    _tag: 'SchemaError',
    schema,
    association,
    option,
    reason,
    message: `invalid ${where}${opt}: ${reason}`,
  })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * What was thrown while reading a definition from untyped input, as text: an error's message, else the
 * value rendered by `show`. Never throws (the thrown value may itself be hostile).
 *
 * @category utils
 * @since 0.1.0
 */
export const thrown = (e: unknown): string => {
  try {
    return e instanceof Error ? String(e.message) : show(e)
  } catch {
    return show(e)
  }
}
