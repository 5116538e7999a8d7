/**
 * Errors of building or interpreting a query that are not the database's: an association name that
 * does not exist (from untyped input), an unsupported construct for an interpreter, or a cardinality
 * expectation (`one`) that the rows did not meet.
 *
 * @since 0.1.0
 */
import type { Either } from 'fp-ts/lib/Either.js'
import { show } from './Show.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Why a query was refused: a schema, association or column that the model does not have (`Unknown*`),
 * an argument of the wrong shape (`InvalidArgument`), a write through an association that only reads
 * (`ReadOnlyAssociation`), a construct the interpreter cannot run (`Unsupported`), or rows that did not
 * meet the cardinality asked for (`NotFound` and `TooMany`, from `one`).
 *
 * @category model
 * @since 0.1.0
 */
export type QueryErrorCode =
  | 'UnknownSchema'
  | 'UnknownAssociation'
  | 'UnknownColumn'
  | 'InvalidArgument'
  | 'ReadOnlyAssociation'
  | 'Unsupported'
  | 'NotFound'
  | 'TooMany'

/**
 * A query refused before or after it ran, but not by the database: its `code` says why, `schema` and
 * `association` say where when the error belongs to one, and `message` is the text to show.
 *
 * @category model
 * @since 0.1.0
 */
export interface QueryError {
  readonly _tag: 'QueryError'
  readonly code: QueryErrorCode
  readonly schema: string | null
  readonly association: string | null
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
  code: QueryErrorCode,
  message: string,
  schema: string | null = null,
  association: string | null = null,
): QueryError => Object.freeze({ _tag: 'QueryError', code, schema, association, message })

/**
 * The error of a public function whose untyped input could not be read (a proxy or a getter that
 * throws, a value of the wrong shape deep inside).
 *
 * @category constructors
 * @since 0.1.0
 */
export const unreadable = (fn: string, u: unknown): QueryError =>
  make('InvalidArgument', `${fn}: its input could not be read (${show(u)})`)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * A reader of tasks that never throws and never rejects: `f` is built at the environment stage, and a
 * throw there or a rejection of its task is an `unreadable` error of `fn`. For the public entry points
 * that take untyped input.
 *
 * @category utils
 * @since 0.1.0
 */
export const total =
  <R, E, A>(
    fn: string,
    f: () => (r: R) => () => Promise<Either<E, A>>,
  ): ((r: R) => () => Promise<Either<E | QueryError, A>>) =>
  r => {
    let task: () => Promise<Either<E, A>>
    try {
      task = f()(r)
    } catch (u) {
      const e = unreadable(fn, u)
      return () => Promise.resolve({ _tag: 'Left', left: e })
    }
    return async () => {
      try {
        return await task()
      } catch (u) {
        return { _tag: 'Left', left: unreadable(fn, u) }
      }
    }
  }
