/**
 * Failures reported by the database or the driver, classified by SQLSTATE (server errors) and by the
 * client's error code (connection errors). This module is the only place that inspects driver errors.
 *
 * @since 0.1.0
 */
import { show } from './Show.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What went wrong in the database or the driver, read from the SQLSTATE of a server error or the code
 * of a client error: constraint violations, undefined objects, aborted or cancelled work, and lost or
 * refused connections. `Unknown` is a code this library does not classify (the `code` field keeps it).
 *
 * @category model
 * @since 0.1.0
 */
export type DbErrorKind =
  | 'UniqueViolation'
  | 'ForeignKeyViolation'
  | 'NotNullViolation'
  | 'CheckViolation'
  | 'ExclusionViolation'
  | 'UndefinedTable'
  | 'UndefinedColumn'
  | 'UndefinedFunction'
  | 'SyntaxError'
  | 'DataException'
  | 'SerializationFailure'
  | 'DeadlockDetected'
  | 'QueryCanceled'
  | 'AdminShutdown'
  | 'ConnectionRefused'
  | 'ConnectionClosed'
  | 'ConnectTimeout'
  | 'ConnectionFailure'
  | 'ProtocolViolation'
  | 'TooManyParameters'
  | 'Unknown'

/**
 * A failure reported by PostgreSQL or by the driver, as a value: its `kind`, the raw `code`, the
 * server's `message`, the constraint, table, column and detail when the server names them, and the
 * thrown value itself as `cause`.
 *
 * @category model
 * @since 0.1.0
 */
export interface DbError {
  readonly _tag: 'DbError'
  readonly kind: DbErrorKind
  /** SQLSTATE for server errors, the client's code for driver errors, `null` when unknown. */
  readonly code: string | null
  readonly message: string
  readonly constraint: string | null
  readonly table: string | null
  readonly column: string | null
  readonly detail: string | null
  readonly cause: unknown
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const bySqlState: Readonly<Record<string, DbErrorKind>> = {
  '23505': 'UniqueViolation',
  '23503': 'ForeignKeyViolation',
  '23502': 'NotNullViolation',
  '23514': 'CheckViolation',
  '23P01': 'ExclusionViolation',
  '42P01': 'UndefinedTable',
  '42703': 'UndefinedColumn',
  '42883': 'UndefinedFunction',
  '42601': 'SyntaxError',
  '40001': 'SerializationFailure',
  '40P01': 'DeadlockDetected',
  '57014': 'QueryCanceled',
  '57P01': 'AdminShutdown',
  '57P02': 'AdminShutdown',
  '57P03': 'ConnectionFailure',
  '08000': 'ConnectionFailure',
  '08003': 'ConnectionClosed',
  '08006': 'ConnectionFailure',
  // A malformed message (a NUL byte in the text, say): the server refuses the statement and keeps the
  // session, so it is not a lost connection.
  '08P01': 'ProtocolViolation',
}

const byClientCode: Readonly<Record<string, DbErrorKind>> = {
  ECONNREFUSED: 'ConnectionRefused',
  ECONNRESET: 'ConnectionClosed',
  EPIPE: 'ConnectionClosed',
  CONNECTION_CLOSED: 'ConnectionClosed',
  CONNECTION_ENDED: 'ConnectionClosed',
  CONNECTION_DESTROYED: 'ConnectionClosed',
  CONNECT_TIMEOUT: 'ConnectTimeout',
  BEGIN_TIMEOUT: 'ConnectionClosed',
  MAX_PARAMETERS_EXCEEDED: 'TooManyParameters',
}

// Reads a driver error's field; a getter or proxy trap that throws reads as absent.
const field = (u: object, k: string): string | null => {
  try {
    const v = (u as Record<string, unknown>)[k]
    return typeof v === 'string' ? v : null
  } catch {
    return null
  }
}

const messageOf = (u: object): string => {
  const m = field(u, 'message')
  return m ?? show(u)
}

/**
 * A `DbError` of a given kind, without a driver error behind it (the fields the server would fill in
 * are `null`). The memory interpreter uses it to fail as PostgreSQL would.
 *
 * @example
 * import { DbError } from 'quiver-sql'
 *
 * const e = DbError.make('UniqueViolation', 'duplicate key value', '23505')
 * assert.strictEqual(e._tag, 'DbError')
 * assert.strictEqual(e.kind, 'UniqueViolation')
 * assert.strictEqual(e.constraint, null)
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  kind: DbErrorKind,
  message: string,
  code: string | null = null,
  cause: unknown = null,
): DbError =>
  Object.freeze({
    _tag: 'DbError',
    kind,
    code,
    message,
    constraint: null,
    table: null,
    column: null,
    detail: null,
    cause,
  })

/**
 * Classifies anything a driver threw or rejected with.
 *
 * @example
 * import { DbError } from 'quiver-sql'
 *
 * // The shape of a server error as postgres.js rejects with it.
 * const e = DbError.fromUnknown({ code: '23503', message: 'violates foreign key', constraint_name: 'fk' })
 * assert.strictEqual(e.kind, 'ForeignKeyViolation')
 * assert.strictEqual(e.constraint, 'fk')
 * assert.strictEqual(DbError.fromUnknown('boom').kind, 'Unknown')
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromUnknown = (u: unknown): DbError => {
  if (typeof u !== 'object' || u === null)
    return make('Unknown', typeof u === 'string' ? u : show(u), null, u)
  const code = field(u, 'code')
  const message = messageOf(u)
  const kind: DbErrorKind =
    code === null
      ? 'Unknown'
      : (bySqlState[code] ??
        byClientCode[code] ??
        (code.startsWith('22') ? 'DataException' : code.startsWith('08') ? 'ConnectionFailure' : 'Unknown'))
  return Object.freeze({
    _tag: 'DbError',
    kind,
    code,
    message,
    constraint: field(u, 'constraint_name'),
    table: field(u, 'table_name'),
    column: field(u, 'column_name'),
    detail: field(u, 'detail'),
    cause: u,
  })
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

// The client's codes for a socket that is gone; server errors say so by their severity instead.
const lostClientCodes: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'BEGIN_TIMEOUT',
])

/**
 * Whether the session is gone with this error: the socket closed or reset, or the server ended the
 * session (a `FATAL` or `PANIC` error, such as `57P01` from `pg_terminate_backend`). An `ERROR` keeps
 * the session, whatever its SQLSTATE class (`08P01` included), and a transaction on it must be rolled
 * back by the client.
 *
 * @example
 * import { DbError } from 'quiver-sql'
 * assert.strictEqual(DbError.isConnectionLost(DbError.make('ConnectionClosed', 'reset', 'ECONNRESET')), true)
 * assert.strictEqual(DbError.isConnectionLost(DbError.make('ProtocolViolation', 'bad', '08P01')), false)
 *
 * @category destructors
 * @since 0.1.0
 */
export const isConnectionLost = (e: DbError): boolean => {
  if (typeof e !== 'object' || e === null) return false
  const code = field(e, 'code')
  if (code !== null && lostClientCodes.has(code)) return true
  let c: unknown
  try {
    c = e.cause
  } catch {
    return false
  }
  if (typeof c !== 'object' || c === null) return false
  const severity = field(c, 'severity')
  return severity === 'FATAL' || severity === 'PANIC'
}
