/**
 * A real PostgreSQL with no server: PGlite (PostgreSQL compiled to WebAssembly) served over the wire
 * protocol by pglite-socket on a free loopback port, with a postgres.js client connected to it. The same
 * postgres.js interpreter then runs on it unchanged. PGlite is one session, so the pool has one
 * connection.
 *
 * @since 0.1.0
 */
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import * as TE from 'fp-ts/lib/TaskEither.js'
import postgres from 'postgres'
import * as DbError from '../error/DbError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export interface Embedded {
  readonly sql: postgres.Sql
  /** A connection URL for other clients (one connection at a time). */
  readonly url: string
  /** Closes the client, the socket server and the database. */
  readonly stop: () => Promise<void>
}

/**
 * @category model
 * @since 0.1.0
 */
export interface Options {
  /** postgres.js options merged over the defaults (pool size stays 1). */
  readonly client?: Omit<postgres.Options<Record<string, postgres.PostgresType>>, 'max' | 'host' | 'port'>
  /** A directory for the data files; in memory when absent. */
  readonly dataDir?: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Starts an embedded database.
 *
 * @example
 * import { start } from 'quiver-sql/embedded'
 * // const db = await start()()          // Either<DbError, Embedded>
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = (options: Options = {}): TE.TaskEither<DbError.DbError, Embedded> =>
  TE.tryCatch(async () => {
    const db = options.dataDir === undefined ? await PGlite.create() : await PGlite.create(options.dataDir)
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 })
    await server.start()
    const conn = server.getServerConn()
    const port = Number(conn.slice(conn.lastIndexOf(':') + 1))
    const sql = postgres({
      onnotice: () => undefined,
      ...options.client,
      host: '127.0.0.1',
      port,
      username: 'postgres',
      database: 'postgres',
      max: 1,
    })
    return {
      sql,
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        await sql.end({ timeout: 5 })
        await server.stop()
        await db.close()
      },
    }
  }, DbError.fromUnknown)
