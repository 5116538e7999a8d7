// The database of the query tests: the golden fixture's blog (test/sql/fixture.ts) plus a file's own
// statements, and the same rows read back as the memory interpreter's tables, so that each query runs
// on PostgreSQL and in memory over equal data.
import * as E from 'fp-ts/lib/Either.js'
import { expect } from 'vitest'
import { Memory, Pg, Query } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'
import { ddl, seed } from '../sql/fixture.js'

export const openBlog = async (
  names: ReadonlyArray<string>,
  extra: ReadonlyArray<string> = [],
): Promise<{ readonly db: TestDb; readonly tables: Memory.Tables }> => {
  const db = await connect()
  await run(db.sql, [...ddl, ...seed, ...extra])
  const tables: Memory.Tables = new Map(
    await Promise.all(names.map(async name => [name, await db.sql.unsafe(`select * from ${name}`)] as const)),
  )
  return { db, tables }
}

export type Rows = ReadonlyArray<Readonly<Record<string, unknown>>>

/**
 * Asserts the query's SQL (`text`, `params`), runs it on PostgreSQL and in memory, and expects equal
 * rows: in the query's order when it has one (`ordered`), else compared as sets. Returns PostgreSQL's.
 */
export const agree = async (
  env: { readonly db: TestDb; readonly tables: Memory.Tables },
  q: Query.AnyQuery,
  text: string,
  params: ReadonlyArray<unknown> = [],
  ordered: boolean = q.select.orderBy.length > 0,
): Promise<Rows> => {
  expect(Query.toSql(q)).toEqual(E.right({ text, params }))
  const pg = await Pg.all(q)(env.db.sql)()
  if (E.isLeft(pg)) throw new Error(`PostgreSQL: ${pg.left.message}`)
  const mem = await Memory.all(q)(env.tables)()
  if (E.isLeft(mem)) throw new Error(`memory: ${mem.left.message}`)
  const sorted = (rs: Rows) =>
    ordered ? rs : [...rs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
  expect(sorted(mem.right as Rows)).toEqual(sorted(pg.right as Rows))
  return pg.right as Rows
}

/** Asserts that the query is refused before any SQL with a `QueryError` of `code` (and `association`). */
export const refused = (q: Query.AnyQuery, code: string, message: RegExp, association?: string): void => {
  const r = Query.toSql(q)
  expect(E.isLeft(r) && r.left).toMatchObject({
    _tag: 'QueryError',
    code,
    message: expect.stringMatching(message),
    ...(association === undefined ? {} : { association }),
  })
}
