// A projection with preloads (issue 15, "Projection and preloads compose"): the root statement reads the
// owner keys the preloads need under private names (`__key_<column>`) unless the projection selects
// them as plain columns, the rows are the projection plus the preloaded associations, and a key read
// only for the preload is not returned. `auto` runs a projection's preloads batched; an explicit
// `lateral` sends the root statement, then the whole preload tree in one statement over its keys.
// Prepared, with placeholders in the projection's filters, it gives what the query built with the
// arguments gives.
// Each query runs on PostgreSQL and on the memory interpreter (fed the database's own rows), and its
// associations equal those of the same preload under whole rows.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as t from 'io-ts'
import { Fn, Memory, Pg, Prepared, Preload, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { openBlog } from './fixture.js'

const names = ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags']

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(names))
})
afterAll(async () => db.close())

type Rows = ReadonlyArray<Readonly<Record<string, unknown>>>

const posts = Query.from(Blog, 'post')

const right = <A>(e: E.Either<{ readonly message: string }, A>, where: string): A => {
  if (E.isLeft(e)) throw new Error(`${where}: ${e.left.message}`)
  return e.right
}

// The root statement is `text` (in `toSql` and first in the statements of both strategies, each
// `batched`); the rows are equal on PostgreSQL and in memory, with every strategy.
const both = async (q: Query.AnyQuery, text: string, params: ReadonlyArray<unknown> = []): Promise<Rows> => {
  expect(Query.toSql(q)).toEqual(E.right({ text, params }))
  for (const strategy of ['batched', 'auto'] as const) {
    const s = right(Query.statements(q, { strategy }), `statements ${strategy}`)
    expect(s.strategy).toBe('batched')
    expect(s.statements[0]).toMatchObject({ _tag: 'Root', text, params })
  }
  // An explicit lateral sends the root statement, then the preloads in one statement over its keys.
  const l = right(Query.statements(q, { strategy: 'lateral' }), 'statements lateral')
  expect(l.strategy).toBe('lateral')
  expect(l.statements.map(x => x._tag)).toEqual(['Root', 'Tree'])
  expect(l.statements[0]).toMatchObject({ _tag: 'Root', text, params })
  const pg = right(await Pg.all(q)(db.sql)(), 'PostgreSQL')
  expect(right(await Pg.all(q, { strategy: 'batched' })(db.sql)(), 'PostgreSQL batched')).toEqual(pg)
  expect(right(await Pg.all(q, { strategy: 'lateral' })(db.sql)(), 'PostgreSQL lateral')).toEqual(pg)
  expect(right(await Memory.all(q)(tables)(), 'memory')).toEqual(pg)
  return pg as Rows
}

// The same preload under whole rows, in the same order.
const whole = async (q: Query.AnyQuery): Promise<Rows> => right(await Pg.all(q)(db.sql)(), 'whole') as Rows

describe('select with preload', () => {
  it('reads the owner key under a private name and does not return it', async () => {
    const q = pipe(
      posts,
      Query.select(p => ({ title: p.title })),
      Query.orderBy(['id']),
      Query.preload({ comments: Preload.query({ orderBy: [['desc', 'id']], limit: 2 }), permalink: true }),
    )
    const rows = await both(
      q,
      'select "t0"."title", "t0"."id" as "__key_id" from "posts" as "t0" order by "t0"."id" asc',
    )
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(['comments', 'permalink', 'title'])
    const full = await whole(
      pipe(
        posts,
        Query.orderBy(['id']),
        Query.preload({ comments: Preload.query({ orderBy: [['desc', 'id']], limit: 2 }), permalink: true }),
      ),
    )
    expect(rows).toEqual(full.map(p => ({ title: p.title, comments: p.comments, permalink: p.permalink })))
  })

  it('reuses a key the projection selects as a plain column, under its output name', async () => {
    const ok = pipe(
      posts,
      Query.select(p => ({ key: p.id, n: Fn.length(p.title) })),
      Query.orderBy(['id']),
      Query.preload({ tags: true, commentsAuthors: Preload.query({ hops: 'hide' }) }),
    )
    const rows = await both(
      ok,
      'select "t0"."id" as "key", length("t0"."title") as "n" from "posts" as "t0" order by "t0"."id" asc',
    )
    const full = await whole(
      pipe(
        posts,
        Query.orderBy(['id']),
        Query.preload({ tags: true, commentsAuthors: Preload.query({ hops: 'hide' }) }),
      ),
    )
    expect(rows).toEqual(
      full.map(p => ({
        key: p.id,
        n: (p.title as string).length,
        tags: p.tags,
        commentsAuthors: p.commentsAuthors,
      })),
    )
  })

  it('a belongs_to reads its foreign key; nested preloads and a where filter', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.in(p.id, [1, 3])),
      Query.select(p => ({ id: p.id, title: p.title })),
      Query.orderBy(['id']),
      Query.preload({ author: { posts: true }, comments: { author: true } }),
    )
    const rows = await both(
      q,
      'select "t0"."id", "t0"."title", "t0"."author_id" as "__key_author_id" from "posts" as "t0" where "t0"."id" = any($1) order by "t0"."id" asc',
      [[1, 3]],
    )
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(['author', 'comments', 'id', 'title'])
    const full = await whole(
      pipe(
        posts,
        Query.where(p => Pred.in(p.id, [1, 3])),
        Query.orderBy(['id']),
        Query.preload({ author: { posts: true }, comments: { author: true } }),
      ),
    )
    expect(rows).toEqual(
      full.map(p => ({ id: p.id, title: p.title, author: p.author, comments: p.comments })),
    )
  })

  it('refuses an output named as a preloaded association, and a grouped projection without its keys', () => {
    const clash = Query.toSql(
      pipe(
        posts,
        Query.select((_, $) => ({ comments: $.count('comments') })),
        Query.preload({ comments: true }),
      ),
    )
    expect(E.isLeft(clash) && clash.left).toMatchObject({ code: 'InvalidArgument', association: 'comments' })
    const grouped = pipe(
      posts,
      Query.groupBy(p => [p.author_id]),
      Query.select(p => ({ author: p.author_id, n: Fn.count() })),
      Query.preload({ comments: true }),
    )
    const g = Query.toSql(grouped)
    expect(E.isLeft(g) && g.left).toMatchObject({
      code: 'Unsupported',
      message: expect.stringMatching(/'id'/),
    })
  })

  it('prepared, with a placeholder: each strategy on PostgreSQL and in memory', async () => {
    const titled = (min: Pred.Term<number>) =>
      pipe(
        posts,
        Query.where(p => Pred.gte(p.id, min)),
        Query.select((p, $) => ({ title: p.title, n: $.count('comments') })),
        Query.orderBy(['id']),
        Query.preload({
          comments: Preload.query({ orderBy: [['desc', 'id']], limit: 2 }, { author: true }),
          tags: true,
        }),
      )
    const prepared = Prepared.make({ min: t.number }, ({ min }) => titled(min))
    for (const min of [1, 3, 99]) {
      const adHoc = right(await Pg.all(titled(Pred.value(min)))(db.sql)(), 'ad hoc')
      expect(adHoc.length).toBe(min === 99 ? 0 : 5 - min)
      for (const strategy of ['auto', 'batched', 'lateral'] as const) {
        const rows = right(
          await Pg.prepared(prepared, { strategy })({ min })(db.sql)(),
          `prepared ${strategy}`,
        )
        expect(rows).toEqual(adHoc)
        // The memory interpreter runs no trees: an explicit lateral is refused there, as for any query.
        if (strategy !== 'lateral')
          expect(right(await Memory.prepared(prepared, { strategy })({ min })(tables)(), 'memory')).toEqual(
            adHoc,
          )
      }
    }
    const rows = right(await Pg.prepared(prepared)({ min: 1 })(db.sql)(), 'prepared')
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(['comments', 'n', 'tags', 'title'])
    expect(rows[0]?.comments.map(c => c.id)).toEqual([3, 2])
  })
})
