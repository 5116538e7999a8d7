// The blog on PostgreSQL and in memory for a preload test file, and `trees`: a query's rows batched and
// lateral on PostgreSQL and in memory (fed the database's rows), checked deep-equal.
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, expect } from 'vitest'
import { Memory, Pg, type Query } from '../../src/index.js'
import type { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { openBlog } from '../query/fixture.js'

const names = ['users', 'posts', 'comments', 'archived_comments', 'permalinks', 'tags', 'posts_tags']

/** The value of a `Right`; a `Left` fails the test with its message and where it came from. */
export const right = <A>(e: E.Either<{ readonly message: string }, A>, where: string): A => {
  if (E.isLeft(e)) throw new Error(`${where}: ${e.left.message}`)
  return e.right
}

/** Opens the blog (those of its tables) before the file's tests and closes it after; `env` holds it once open. */
export const useBlog = (tables: ReadonlyArray<string> = names) => {
  const env = {} as { db: TestDb; tables: Memory.Tables }
  beforeAll(async () => {
    Object.assign(env, await openBlog(tables))
  })
  afterAll(async () => env.db.close())
  const trees = async <S extends string, P, J extends Query.Joins, R>(
    q: Query.Query<typeof Blog, S, P, J, R>,
  ) => {
    const batched = right(await Pg.all(q, { strategy: 'batched' })(env.db.sql)(), 'batched')
    const lateral = right(await Pg.all(q, { strategy: 'lateral' })(env.db.sql)(), 'lateral')
    const memory = right(await Memory.all(q)(env.tables)(), 'memory')
    expect(lateral).toEqual(batched)
    expect(memory).toEqual(batched)
    return batched
  }
  return { env, trees }
}
