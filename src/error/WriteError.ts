/**
 * The errors of writing that are not the database's: a value a column's codec rejects, a missing
 * required column, an association that cannot be written this way (not loaded, read-only, `onReplace:
 * 'raise'`, another record given where only the existing entry may be updated, a foreign key set both
 * by the change and by a belongs_to parent), an invalid change, a key of user params that the cast's
 * whitelist does not permit, or a row that was no longer there or whose optimistic lock version moved
 * on (a stale entry). Each names the schema, and the association and column where there is one.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { show } from './Show.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Why a write was refused before reaching the database: an unknown name (`Unknown*`), a value or change
 * that is not valid (`InvalidValue`, `InvalidChange`), a column or key that is missing (`MissingColumn`,
 * `MissingKey`), an association that cannot be written as asked (`NotLoaded`, `ReadOnlyAssociation`,
 * `OnReplaceRaise`, `OnlyUpdateExisting`, `ForeignKeyConflict`), a key of cast params that the
 * whitelist does not permit (`Unpermitted`), a row that was gone, or whose optimistic lock version
 * moved on, when written (`StaleEntry`), or a construct that is not supported (`Unsupported`).
 *
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
  | 'Unpermitted'
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
 * A refused write, told apart from database failures (`DbError`): its `code` says why, `schema`,
 * `association` and `column` say where when known, and `errors` lists the field errors of an invalid
 * change.
 *
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

/**
 * The error of a write function whose untyped input could not even be read (a proxy whose traps
 * throw, a getter that throws, a value of no known shape): the boundary turns the throw into a value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unreadable = (where: string, thrown: unknown): WriteError => {
  let reason: string
  try {
    reason = thrown instanceof Error ? show(thrown.message) : show(thrown)
  } catch {
    reason = show(thrown)
  }
  return make('InvalidValue', `${where}: the input could not be read (${reason})`)
}

/**
 * Runs a write function on untyped input: a throw while reading it becomes an `unreadable` error.
 *
 * @category utils
 * @since 0.1.0
 */
export const guarded = <A>(where: string, f: () => E.Either<WriteError, A>): E.Either<WriteError, A> => {
  try {
    return f()
  } catch (thrown) {
    return E.left(unreadable(where, thrown))
  }
}
