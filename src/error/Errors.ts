/**
 * Every error the library returns, as one union of tagged values.
 *
 * @since 0.1.0
 */
import type { DbError } from './DbError.js'
import type { DecodeError } from './DecodeError.js'
import type { QueryError } from './QueryError.js'
import type { SchemaError } from './SchemaError.js'
import type { WriteError } from './WriteError.js'

export type { DbError, DbErrorKind } from './DbError.js'
export type { DecodeError } from './DecodeError.js'
export type { QueryError, QueryErrorCode } from './QueryError.js'
export type { SchemaError } from './SchemaError.js'
export type { WriteError } from './WriteError.js'

/**
 * Any error the library can return, told apart by `_tag`: an invalid model (`SchemaError`), a refused
 * query (`QueryError`), a row that does not decode (`DecodeError`), a failure of the database or the
 * driver (`DbError`), or a refused write (`WriteError`).
 *
 * @category model
 * @since 0.1.0
 */
export type QuiverError = SchemaError | QueryError | DecodeError | DbError | WriteError

/**
 * What loading rows can fail with: the query is refused, the database fails, or a row does not decode.
 *
 * @category model
 * @since 0.1.0
 */
export type LoadError = QueryError | DbError | DecodeError
