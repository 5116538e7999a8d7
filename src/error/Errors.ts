/**
 * Every error the library returns, as one union of tagged values.
 *
 * @since 0.1.0
 */
import type { DbError } from './DbError.js'
import type { DecodeError } from './DecodeError.js'
import type { QueryError } from './QueryError.js'
import type { SchemaError } from './SchemaError.js'

export type { DbError, DbErrorKind } from './DbError.js'
export type { DecodeError } from './DecodeError.js'
export type { QueryError, QueryErrorCode } from './QueryError.js'
export type { SchemaError } from './SchemaError.js'

/**
 * @category model
 * @since 0.1.0
 */
export type QuiverError = SchemaError | QueryError | DecodeError | DbError
