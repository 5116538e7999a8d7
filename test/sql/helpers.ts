// Shared by the golden tests: the expected column lists, a closed client that proves "no round trip",
// and a runner that asserts the exact SQL of a query and then runs that same query.
import * as E from 'fp-ts/lib/Either.js'
import { createServer } from 'node:net'
import postgres from 'postgres'
import { expect } from 'vitest'
import { Pg, Query } from '../../src/index.js'

const list = (alias: string, cols: ReadonlyArray<string>) => cols.map(c => `"${alias}"."${c}"`).join(', ')
export const USER = list('t0', ['id', 'name', 'email'])
export const POST = list('t0', ['id', 'author_id', 'title', 'body', 'published', 'inserted_at'])
export const COMMENT = list('t0', [
  'id',
  'post_id',
  'author_id',
  'parent_id',
  'body',
  'public',
  'inserted_at',
])
export const TAG = list('t0', ['id', 'name'])
export const PERMALINK = list('t0', ['id', 'post_id', 'url'])
export const PROFILE = list('t0', ['id', 'user_name', 'bio'])

/** Asserts the compiled SQL of `q`, runs it, and returns its rows. */
export const golden = async <Q extends Query.AnyQuery>(
  sql: postgres.Sql,
  q: Q,
  text: string,
  params: ReadonlyArray<unknown>,
): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
  expect(Query.toSql(q)).toEqual(E.right({ text, params }))
  const r = await Pg.all(q)(sql)()
  if (E.isLeft(r)) throw new Error(`query failed: ${r.left.message}`)
  return r.right as ReadonlyArray<Readonly<Record<string, unknown>>>
}

/** The ids of rows, sorted (the order of rows without ORDER BY is unspecified). */
export const ids = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): ReadonlyArray<number> =>
  rows.map(r => r['id'] as number).sort((a, b) => a - b)

/** A port nothing listens on. */
export const closedPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

/** A client of a port nothing listens on: any query sent through it fails with ConnectionRefused. */
export const deadClient = async (): Promise<postgres.Sql> =>
  postgres({
    host: '127.0.0.1',
    port: await closedPort(),
    max: 1,
    connect_timeout: 2,
    onnotice: () => undefined,
  })
