/**
 * A real PostgreSQL with no server: PGlite (PostgreSQL compiled to WebAssembly) served over the wire
 * protocol on a free loopback port, with a postgres.js client connected to it. The same postgres.js
 * interpreter then runs on it unchanged.
 *
 * PGlite is one backend session. This module serves it to any number of clients at once (`db.sql`,
 * a migration tool, `psql` on `db.url`): each client's statements run whole, one client at a time, in
 * arrival order. A client that is inside a transaction (or between a protocol batch and its `Sync`, or
 * in a `COPY`) holds the session until it is done, and the others wait; a client that waits longer
 * than `Options.busyTimeout` gets an error (SQLSTATE `55P03`, "the embedded database is held by
 * another client's open transaction") instead of waiting forever. A client that disconnects inside a
 * transaction has it rolled back. Since the clients share one session, session state is shared too:
 * `SET` (without `LOCAL`), temporary tables, `LISTEN`, named prepared statements. (pglite-socket's own
 * multi-client mode interleaves clients message by message, which can mix two clients' unnamed
 * statements; it is not used.)
 *
 * `@electric-sql/pglite` is an optional peer dependency of `quiver-sql`: install it to use this module.
 * Without it, `start` answers a `DbError` (code `QUIVER_MISSING_PEER`) naming the package to install.
 *
 * @since 0.1.0
 * @module quiver-sql/embedded
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import postgres from 'postgres'
import * as DbError from '../error/DbError.js'
import * as Session from '../sql/Session.js'

// The error type of `start`, nameable from this entry point (a user's declaration files need it).
export type { DbError } from '../error/DbError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A running embedded database, as `start` answers it: a postgres.js client already connected (pass it
 * to the `Pg` interpreter), the URL other clients connect with, and the way to shut it all down.
 *
 * @category model
 * @since 0.1.0
 */
export interface Embedded {
  /** A postgres.js client connected to the database, with one connection. */
  readonly sql: postgres.Sql
  /** A connection URL for other clients; any number may connect (see the module doc). */
  readonly url: string
  /** Closes the client, the server and the database. Idempotent: later calls return the same promise. */
  readonly stop: () => Promise<void>
}

/**
 * The options of `start`, all optional: postgres.js settings for the client, where the data files live,
 * and how long a client waits for the session another client holds.
 *
 * @category model
 * @since 0.1.0
 */
export interface Options {
  /** postgres.js options merged over the defaults (pool size stays 1). */
  readonly client?: Omit<postgres.Options<Record<string, postgres.PostgresType>>, 'max' | 'host' | 'port'>
  /** A directory for the data files; in memory when absent. */
  readonly dataDir?: string
  /**
   * How long, in milliseconds, a client's statement may wait while another client holds the session
   * (an open transaction) before it fails with `55P03`. Default 30 000.
   */
  readonly busyTimeout?: number
}

// -------------------------------------------------------------------------------------
// the wire front
// -------------------------------------------------------------------------------------

const sslRequest = 80877103
const cancelRequest = 80877102

interface Client {
  readonly socket: Socket
  buffer: Buffer
  /** Data received since `buffer` was last joined, kept apart until `need` bytes are there. */
  chunks: Array<Buffer>
  chunked: number
  /** The bytes `buffer` must hold before the next message can be read (0: try at once). */
  need: number
  started: boolean
  closed: boolean
  /** Messages read since the last batch end. */
  pending: Array<Buffer>
}

interface Job {
  readonly client: Client
  readonly messages: ReadonlyArray<Buffer>
  /** Output discarded (the rollback of a client that left). */
  readonly silent: boolean
  /** The client's startup message: refused with a FATAL error when it times out. */
  readonly startup: boolean
  timer: NodeJS.Timeout | null
}

const cstring = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8')

const message = (type: string, body: Buffer): Buffer => {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

const errorResponse = (severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer =>
  message(
    'E',
    Buffer.concat([
      Buffer.from('S'),
      cstring(severity),
      Buffer.from('V'),
      cstring(severity),
      Buffer.from('C'),
      cstring(code),
      Buffer.from('M'),
      cstring(text),
      Buffer.from([0]),
    ]),
  )

// Protocol 3.0, then `name\0value\0` pairs with a `user`, then a terminating `\0`.
const wellFormedStartup = (m: Buffer): boolean => {
  if (m.length < 9 || m.readInt32BE(4) !== 196608 || m[m.length - 1] !== 0) return false
  const fields = m
    .subarray(8, m.length - 1)
    .toString('utf8')
    .split('\0')
  if (fields.pop() !== '' || fields.length % 2 !== 0) return false
  let user = false
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === '') return false
    if (fields[i] === 'user' && fields[i + 1] !== '') user = true
  }
  return user
}

const readyIdle = message('Z', Buffer.from('I'))
const sync = message('S', Buffer.alloc(0))
const rollback = message('Q', cstring(Session.rollback))

// Serves one PGlite session to many sockets; see the module doc for the rules.
const front = (db: PGlite, busyTimeout: number) => {
  const queue: Array<Job> = []
  const clients = new Set<Client>()
  // The client holding the session between its batches (inside a transaction, a COPY, or before Sync).
  let owner: Client | null = null
  let running = false

  const next = (): Job | undefined => {
    const i = owner === null ? 0 : queue.findIndex(j => j.client === owner)
    return i < 0 ? undefined : queue.splice(i, 1)[0]
  }

  const pump = (): void => {
    if (running) return
    const job = next()
    if (job === undefined) return
    if (job.timer !== null) clearTimeout(job.timer)
    running = true
    void run(job).finally(() => {
      running = false
      pump()
    })
  }

  const run = async (job: Job): Promise<void> => {
    let tail = Buffer.alloc(0)
    try {
      await db.runExclusive(async () => {
        for (const m of job.messages)
          await db.execProtocolRawStream(new Uint8Array(m.buffer, m.byteOffset, m.length), {
            onRawData: (data: Uint8Array) => {
              const b = Buffer.from(data)
              tail = b.length >= 6 ? b.subarray(-6) : Buffer.concat([tail, b]).subarray(-6)
              if (!job.silent && !job.client.closed) job.client.socket.write(b)
            },
          })
      })
    } catch {
      // The engine failed the batch without an answer: the client is disconnected (so it does not wait
      // for one) and its transaction, if any, rolled back.
      tail = Buffer.alloc(0)
      if (!job.silent) close(job.client)
    }
    // The session is free again once the output ends with ReadyForQuery and the session is idle ('I').
    const idle = tail.length === 6 && tail[0] === 0x5a && tail[5] === 0x49
    if (job.silent) owner = null
    else if (idle) owner = owner === job.client ? null : owner
    else owner = job.client
    if (owner !== null && owner.closed) release(owner)
  }

  const enqueue = (
    client: Client,
    messages: ReadonlyArray<Buffer>,
    silent = false,
    startup = false,
  ): void => {
    const job: Job = { client, messages, silent, startup, timer: null }
    if (!silent && busyTimeout > 0)
      job.timer = setTimeout(() => {
        const i = queue.indexOf(job)
        if (i < 0) return
        queue.splice(i, 1)
        if (client.closed) return
        const text = `the embedded database is held by another client's open transaction (waited ${busyTimeout} ms)`
        if (startup) client.socket.end(errorResponse('FATAL', '55P03', text))
        else client.socket.write(Buffer.concat([errorResponse('ERROR', '55P03', text), readyIdle]))
      }, busyTimeout)
    queue.push(job)
    pump()
  }

  // A client that leaves while holding the session: its transaction (or unfinished batch) is rolled back.
  const release = (client: Client): void => {
    if (owner === client && !queue.some(j => j.client === client && j.silent))
      enqueue(client, [sync, rollback], true)
  }

  const close = (client: Client): void => {
    if (client.closed) return
    client.closed = true
    clients.delete(client)
    for (let i = queue.length - 1; i >= 0; i--) {
      const j = queue[i] as Job
      if (j.client === client && !j.silent) {
        if (j.timer !== null) clearTimeout(j.timer)
        queue.splice(i, 1)
      }
    }
    if (owner === client && !running) release(client)
    client.socket.destroy()
    pump()
  }

  const read = (client: Client, data: Buffer): void => {
    // A large message arrives in many chunks: they are joined once it is complete, not on every chunk
    // (which copied the growing message again and again).
    client.chunks.push(data)
    client.chunked += data.length
    if (client.buffer.length + client.chunked < client.need) return
    client.buffer =
      client.buffer.length === 0 && client.chunks.length === 1
        ? data
        : Buffer.concat([client.buffer, ...client.chunks])
    client.chunks = []
    client.chunked = 0
    client.need = 0
    const wait = (bytes: number): void => {
      client.need = bytes
    }
    for (;;) {
      const b = client.buffer
      if (!client.started) {
        if (b.length < 8) return wait(8)
        const length = b.readInt32BE(0)
        if (length < 8) return close(client)
        if (b.length < length) return wait(length)
        const code = b.readInt32BE(4)
        client.buffer = b.subarray(length)
        if (code === sslRequest) {
          client.socket.write('N')
          continue
        }
        if (code === cancelRequest) return close(client)
        const startup = Buffer.from(b.subarray(0, length))
        // PGlite's one session does not survive a startup packet it refuses: such a client is answered here.
        if (!wellFormedStartup(startup)) {
          client.socket.end(errorResponse('FATAL', '08P01', 'invalid startup packet'))
          return close(client)
        }
        client.started = true
        enqueue(client, [startup], false, true)
        continue
      }
      if (b.length < 5) return wait(5)
      const length = b.readInt32BE(1) + 1
      // A length below the header's own is no message: the client is dropped, not looped on.
      if (length < 5) return close(client)
      if (b.length < length) return wait(length)
      const m = Buffer.from(b.subarray(0, length))
      client.buffer = b.subarray(length)
      const type = String.fromCharCode(m[0] as number)
      // Terminate ends this client only: the one backend session stays.
      if (type === 'X') return close(client)
      client.pending.push(m)
      // A batch ends where the client waits for an answer: Sync, a simple query, Flush, COPY's end.
      if (type === 'S' || type === 'Q' || type === 'H' || type === 'c' || type === 'f') {
        const batch = client.pending
        client.pending = []
        enqueue(client, batch)
      }
    }
  }

  const server: Server = createServer(socket => {
    const client: Client = {
      socket,
      buffer: Buffer.alloc(0),
      chunks: [],
      chunked: 0,
      need: 0,
      started: false,
      closed: false,
      pending: [],
    }
    clients.add(client)
    socket.setNoDelay(true)
    socket.on('data', (d: Buffer) => read(client, d))
    socket.on('error', () => close(client))
    socket.on('close', () => close(client))
  })

  const stop = async (): Promise<void> => {
    for (const c of [...clients]) close(c)
    await new Promise<void>(resolve => server.close(() => resolve()))
    // Let a rollback or a statement already running finish before the database closes.
    while (running || queue.length > 0) await new Promise(resolve => setTimeout(resolve, 5))
  }

  return { server, stop }
}

// -------------------------------------------------------------------------------------
// the engine (an optional peer)
// -------------------------------------------------------------------------------------

const engine = '@electric-sql/pglite'

const notFound = (e: unknown): boolean => {
  try {
    const code = (e as { readonly code?: unknown }).code
    const text = (e as { readonly message?: unknown }).message
    return (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      typeof text === 'string' &&
      text.includes(engine)
    )
  } catch {
    return false
  }
}

const engineError = (e: unknown): DbError.DbError =>
  DbError.make(
    'Unknown',
    notFound(e)
      ? `quiver-sql/embedded needs the optional peer dependency '${engine}', which is not installed: npm install ${engine}`
      : `quiver-sql/embedded could not load the optional peer dependency '${engine}': ${DbError.fromUnknown(e).message}`,
    'QUIVER_MISSING_PEER',
    e,
  )

// PGlite is an optional peer dependency, so that a server-only app does not install its 28 MB: it is
// loaded on the first `start`, and its absence is an error value naming the package to install. A
// failed load is not kept, so installing the package later is enough.
let loading: Promise<E.Either<DbError.DbError, typeof PGlite>> | null = null
const loadEngine: TE.TaskEither<DbError.DbError, typeof PGlite> = () =>
  (loading ??= import('@electric-sql/pglite').then(
    m => E.right(m.PGlite),
    (e: unknown) => {
      loading = null
      return E.left(engineError(e))
    },
  ))

type Read = {
  readonly busyTimeout: number
  readonly dataDir: string | undefined
  readonly client: Options['client']
}

const optionError = (name: string, expected: string): DbError.DbError =>
  DbError.make('Unknown', `embedded option '${name}': expected ${expected}`)

// Every option is read, once, before the engine loads: an option that cannot be read (a getter that
// throws, a proxy) or has the wrong type is a Left at once, never after a database has started.
const readOptions = (options: Options): E.Either<DbError.DbError, Read> => {
  try {
    if (typeof options !== 'object' || options === null)
      return E.left(optionError('options', 'a record of options'))
    const busyTimeout = options.busyTimeout ?? 30_000
    if (typeof busyTimeout !== 'number' || !(busyTimeout >= 0) || busyTimeout > 2_147_483_647)
      return E.left(optionError('busyTimeout', 'milliseconds in [0, 2147483647]'))
    const dataDir = options.dataDir
    if (dataDir !== undefined && typeof dataDir !== 'string')
      return E.left(optionError('dataDir', 'a directory path (a string)'))
    const given = options.client
    if (given !== undefined && (typeof given !== 'object' || given === null))
      return E.left(optionError('client', 'a record of postgres.js options'))
    // A copy, so a getter among the client options runs here, once.
    const client = given === undefined ? undefined : { ...given }
    return E.right({ busyTimeout, dataDir, client })
  } catch (e) {
    return E.left(DbError.fromUnknown(e))
  }
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
  pipe(
    TE.fromEither(readOptions(options)),
    TE.flatMap(({ busyTimeout, dataDir, client }) =>
      pipe(
        loadEngine,
        TE.map(PGlite => ({ PGlite, busyTimeout, dataDir, client })),
      ),
    ),
    TE.flatMap(({ PGlite, busyTimeout, dataDir, client }) =>
      TE.tryCatch(async () => {
        const db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir)
        await db.waitReady
        const f = front(db, busyTimeout)
        await new Promise<void>((resolve, reject) => {
          f.server.once('error', reject)
          f.server.listen(0, '127.0.0.1', () => resolve())
        })
        const address = f.server.address()
        const port = typeof address === 'object' && address !== null ? address.port : 0
        const sql = postgres({
          onnotice: () => undefined,
          ...client,
          host: '127.0.0.1',
          port,
          username: 'postgres',
          database: 'postgres',
          max: 1,
        })
        let stopping: Promise<void> | null = null
        return {
          sql,
          url: `postgres://postgres@127.0.0.1:${port}/postgres`,
          stop: () =>
            (stopping ??= (async () => {
              await sql.end({ timeout: 5 }).catch(() => undefined)
              await f.stop()
              await db.close()
            })()),
        }
      }, DbError.fromUnknown),
    ),
  )
