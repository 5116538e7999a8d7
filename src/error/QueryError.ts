/**
 * Errors of building or interpreting a query that are not the database's: an association name that
 * does not exist (from untyped input), an unsupported construct for an interpreter, or a cardinality
 * expectation (`one`) that the rows did not meet.
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
