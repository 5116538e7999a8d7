import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pg, Pred, Query } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
})
afterAll(async () => db.close())

describe('sanity', () => {
  it('from + where + orderBy runs and decodes', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.in(p.id, [1, 2, 3])),
      Query.orderBy([['desc', 'id']]),
    )
    expect(Query.toSql(q)).toEqual(
      E.right({
        text: 'select "t0"."id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at" from "posts" as "t0" where "t0"."id" = any($1) order by "t0"."id" desc',
        params: [[1, 2, 3]],
      }),
    )
    const r = await Pg.all(q)(db.sql)()
    expect(E.isRight(r) && r.right.map(p => p.id)).toEqual([3, 2, 1])
    expect(E.isRight(r) && r.right[0]?.inserted_at instanceof Date).toBe(true)
  })

  it('assoc through two hops is distinct', async () => {
    const posts = await Pg.all(
      pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.eq(p.id, 1)),
      ),
    )(db.sql)()
    if (E.isLeft(posts)) throw posts.left
    const q = Query.assoc(Blog, 'post', 'commentsAuthors')(posts.right)
    expect(Query.toSql(q)).toEqual(
      E.right({
        text: 'select distinct "t0"."id", "t0"."name", "t0"."email" from "users" as "t0" inner join "comments" as "t1" on "t1"."author_id" = "t0"."id" where "t1"."post_id" = $1',
        params: [1],
      }),
    )
    const r = await Pg.all(pipe(q, Query.orderBy(['id'])))(db.sql)()
    expect(E.isRight(r) && r.right.map(u => u.name)).toEqual(['bob', 'cy'])
  })

  it('exists over an association', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where((_, $) => $.exists('comments', c => Pred.eq(c.public, false))),
      Query.orderBy(['id']),
    )
    const r = await Pg.all(q)(db.sql)()
    expect(E.isRight(r) && r.right.map(p => p.id)).toEqual([1, 3])
  })

  it('transact rolls back a Left', async () => {
    const prog = Pg.transact(sql =>
      pipe(Pg.execute({ text: "insert into tags (name) values ('x')", params: [] })(sql), te => async () => {
        await te()
        return E.left('boom' as const)
      }),
    )
    const r = await prog(db.sql)()
    expect(r).toEqual(E.left('boom'))
    const c = await db.sql.unsafe("select count(*)::int as n from tags where name = 'x'")
    expect(c[0]?.['n']).toBe(0)
  })
})
