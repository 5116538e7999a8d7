// A preload query with a projection (issue 15, "Relation aggregates": "each post with its 3 newest
// comments, each with its like count"): the child rows are the projection's rows plus their own
// preloads; the keys the preload needs are read and not returned. Every case runs batched and lateral
// on PostgreSQL and batched in memory (fed the database's rows): the three are deep-equal.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Memory, Pg, Prepared, Pred, Preload, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { openBlog } from '../query/fixture.js'

const names = ['users', 'posts', 'comments', 'archived_comments', 'permalinks', 'tags', 'posts_tags']

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(names))
})
afterAll(async () => db.close())

const right = <A>(e: E.Either<{ readonly message: string }, A>, where: string): A => {
  if (E.isLeft(e)) throw new Error(`${where}: ${e.left.message}`)
  return e.right
}

const trees = async <S extends string, P, J extends Query.Joins, R>(
  q: Query.Query<typeof Blog, S, P, J, R>,
) => {
  const batched = right(await Pg.all(q, { strategy: 'batched' })(db.sql)(), 'batched')
  const lateral = right(await Pg.all(q, { strategy: 'lateral' })(db.sql)(), 'lateral')
  const memory = right(await Memory.all(q)(tables)(), 'memory')
  expect(lateral).toEqual(batched)
  expect(memory).toEqual(batched)
  return batched
}

const posts = pipe(Query.from(Blog, 'post'), Query.orderBy(['id']))
const comments = Query.from(Blog, 'comment')

describe('Preload.query with a projection', () => {
  it('each post with its 2 newest comments, each with its reply count', async () => {
    const newest = pipe(
      comments,
      Query.select((c, $) => ({ id: c.id, body: c.body, replies: $.count('children') })),
      Query.orderBy(c => [['desc', c.inserted_at], c.id]),
      Query.limit(2),
    )
    const q = pipe(posts, Query.preload({ comments: Preload.query(newest) }))
    const rows = await trees(q)
    console.log(JSON.stringify(rows))
  })
})
