/**
 * Every error the library returns, as one union of tagged values.
 *
 * @since 0.1.0
 */
import type { DbError } from './error/DbError.js'
import type { DecodeError } from './error/DecodeError.js'
import type { QueryError } from './error/QueryError.js'
import type { SchemaError } from './error/SchemaError.js'

export type { DbError, DbErrorKind } from './error/DbError.js'
export type { DecodeError } from './error/DecodeError.js'
export type { QueryError, QueryErrorCode } from './error/QueryError.js'
export type { SchemaError } from './error/SchemaError.js'

/**
 * @category model
 * @since 0.1.0
 */
export type QuiverError = SchemaError | QueryError | DecodeError | DbError
