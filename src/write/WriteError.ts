/**
 * The errors of writing that are not the database's: a value a column's codec rejects, a missing
 * required column, an association that cannot be written this way (not loaded, read-only, `onReplace:
 * 'raise'`, another record given where only the existing entry may be updated, a foreign key set both
 * by the change and by a belongs_to parent), an invalid change, or a row that was no longer there (a
 * stale entry). Each names the schema, and the association and column where there is one.
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
export type WriteErrorCode =
  | 'UnknownSchema'
  | 'UnknownAssociation'
  | 'UnknownColumn'
  | 'InvalidValue'
  | 'MissingColumn'
  | 'MissingKey'
  | 'NotLoaded'
  | 'ReadOnlyAssociation'
  | 'OnReplaceRaise'
  | 'OnlyUpdateExisting'
  | 'ForeignKeyConflict'
  | 'InvalidChange'
  | 'StaleEntry'
  | 'Unsupported'

/**
 * An error recorded on a change (Ecto's changeset errors): `path` is the association, or the
 * association, entry and column (`comments[1].body`).
 *
 * @category model
 * @since 0.1.0
 */
export interface FieldError {
  readonly path: string
  readonly message: string
  /** What produced it: `assoc` (cast), `unique`, `cast`. */
  readonly validation: string | null
}

/**
 * @category model
 * @since 0.1.0
 */
export interface WriteError {
  readonly _tag: 'WriteError'
  readonly code: WriteErrorCode
  readonly schema: string | null
  readonly association: string | null
  readonly column: string | null
  readonly message: string
  /** The errors of an invalid change. */
  readonly errors: ReadonlyArray<FieldError>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  code: WriteErrorCode,
  message: string,
  where: {
    readonly schema?: string | null
    readonly association?: string | null
    readonly column?: string | null
    readonly errors?: ReadonlyArray<FieldError>
  } = {},
): WriteError =>
  Object.freeze({
    _tag: 'WriteError',
    code,
    schema: where.schema ?? null,
    association: where.association ?? null,
    column: where.column ?? null,
    message,
    errors: Object.freeze([...(where.errors ?? [])]),
  })

/**
 * @category constructors
 * @since 0.1.0
 */
export const fieldError = (path: string, message: string, validation: string | null = null): FieldError =>
  Object.freeze({ path, message, validation })
