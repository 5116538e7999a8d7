// The database of the query tests: the golden fixture's blog (test/sql/fixture.ts) plus a file's own
// statements, and the same rows read back as the memory interpreter's tables, so that each query runs
// on PostgreSQL and in memory over equal data.
import type { Memory } from '../../src/index.js'
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
