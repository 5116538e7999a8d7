// A to-many whose order nobody asked for comes back ordered by primary key in every strategy, but the
// batched strategy sorts each parent's rows in memory (one integer key) instead of sending an
// `order by`: the statements show none, and the rows arrive out of key order here (inserted, and then
// moved by an update, out of order), so a missing sort would show.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Memory, Pg, Preload, Query } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [
    ...ddl,
    ...seed,
    // comments 40, 20, 30 of post 4 inserted in that order, then 20 updated (a new tuple at the end)
    `insert into comments (id, post_id, author_id, parent_id, body, public, inserted_at) values
       (40, 4, 1, null, 'd', true, '2026-02-01T00:00:00Z'), (20, 4, 2, null, 'b', true, '2026-02-02T00:00:00Z'),
       (30, 4, 3, null, 'c', true, '2026-02-03T00:00:00Z')`,
    `update comments set body = 'b2' where id = 20`,
    `insert into tags (id, name) values (9, 'z'), (7, 'y')`,
    `insert into posts_tags (post_id, tag_id) values (4, 9), (4, 3), (4, 7), (4, 1)`,
  ])
})
afterAll(async () => db.close())

const q = pipe(
  Query.from(Blog, 'post'),
  Query.orderBy(['id']),
  Query.preload({
    comments: { children: true },
    tags: true,
    permalink: true,
    commentsAuthors: Preload.query({ hops: 'hide' }),
  }),
)

describe('ordering by key in memory (batched)', () => {
  it('no order by for the to-many levels nobody ordered; the has_one keeps its order', () => {
    const s = Query.statements(q, { strategy: 'batched' })
    if (E.isLeft(s)) throw new Error(s.left.message)
    const texts = s.right.statements.map(x => x.text)
    expect(texts.filter(t => / order by /.test(t))).toEqual([
      texts[0],
      expect.stringMatching(/from "permalinks".* order by "t0"."id" asc$/),
    ])
  })

  it('rows sorted by key, equal to lateral and to memory', async () => {
    // the server hands post 4's comments over unsorted without an order by
    const raw = await db.sql.unsafe(`select id from comments where post_id = 4`)
    expect(raw.map(r => r['id'])).not.toEqual([20, 30, 40])
    const batched = await Pg.all(q, { strategy: 'batched' })(db.sql)()
    const lateral = await Pg.all(q, { strategy: 'lateral' })(db.sql)()
    if (E.isLeft(batched) || E.isLeft(lateral)) throw new Error('load failed')
    const four = batched.right.find(p => p.id === 4)
    expect(four?.comments.map(c => c.id)).toEqual([20, 30, 40])
    expect(four?.tags.map(t => t.id)).toEqual([1, 3, 7, 9])
    expect(four?.commentsAuthors.map(u => u.id)).toEqual([2, 3, 1])
    expect(batched.right).toEqual(lateral.right)
    const tables: Memory.Tables = new Map(
      await Promise.all(
        ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags'].map(
          async name => [name, await db.sql.unsafe(`select * from ${name}`)] as const,
        ),
      ),
    )
    const memory = await Memory.all(q)(tables)()
    expect(memory).toEqual(E.right(batched.right))
  })
})
