// `Query.selectMerge` (issue 15, Ecto's select_merge): the whole row, or an earlier projection, plus
// some outputs; an output named like a column replaces it in place. Each query's SQL is pinned where it
// is new, and it runs batched and lateral on PostgreSQL and in memory with equal results: with
// preloads (over a key an output replaced), as a preload query, prepared.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { Fn, Memory, Pg, Pred, Prepared, Preload, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import { right, useBlog } from './harness.js'

const { env, trees } = useBlog()

const posts = pipe(Query.from(Blog, 'post'), Query.orderBy(['id']))
const comments = Query.from(Blog, 'comment')
const counted =
  'left join (select "e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "e1_0" group by "e1_0"."post_id") ' +
  'as "t0_j0" on "t0_j0"."k" = "t0"."id"'
const ada = { id: 1, name: 'ada', email: 'ada@example.com' }

describe('Query.selectMerge', () => {
  it('the whole row plus a relation aggregate, a column replaced in its place', async () => {
    const q = pipe(
      posts,
      Query.selectMerge((p, $) => ({ title: Fn.upper(p.title), comments: $.count('comments') })),
    )
    expect(Query.toSql(q)).toEqual(
      E.right({
        text:
          'select "t0"."id", "t0"."author_id", upper("t0"."title") as "title", "t0"."body", "t0"."published", ' +
          `"t0"."inserted_at", coalesce("t0_j0"."v0", cast($1 as bigint)) as "comments" from "posts" as "t0" ${counted} ` +
          'order by "t0"."id" asc',
        params: [0],
      }),
    )
    const rows = await trees(q)
    expect(rows[0]).toEqual({
      id: 1,
      author_id: 1,
      title: 'HELLO',
      body: 'first post',
      published: true,
      inserted_at: new Date('2026-01-01T10:00:00.000Z'),
      comments: 3,
    })
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'id',
      'author_id',
      'title',
      'body',
      'published',
      'inserted_at',
      'comments',
    ])
    expect(rows.map(p => [p.title, p.comments])).toEqual([
      ['HELLO', 3],
      ['AGAIN', 1],
      ['BOBS', 1],
      ['ORPHAN', 0],
    ])
  })

  it('onto a projection, twice; the last output of a name wins', async () => {
    const q = pipe(
      posts,
      Query.select(p => ({ id: p.id, title: p.title })),
      Query.selectMerge((_, $) => ({ n: $.count('comments') })),
      Query.selectMerge(p => ({ title: Fn.lower(p.title), n: Fn.add(p.id, 10) })),
    )
    expect(Query.toSql(q)).toEqual(
      E.right({
        text: 'select "t0"."id", lower("t0"."title") as "title", "t0"."id" + $1 as "n" from "posts" as "t0" order by "t0"."id" asc',
        params: [10],
      }),
    )
    expect((await trees(q)).slice(0, 2)).toEqual([
      { id: 1, title: 'hello', n: 11 },
      { id: 2, title: 'again', n: 12 },
    ])
  })

  it('with preloads: the owner keys are read even when an output replaced them', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.in(p.id, [2, 4])),
      Query.selectMerge((p, $) => ({ id: Fn.add(p.id, 100), comments_n: $.count('comments') })),
      Query.preload({ comments: true, author: true }),
    )
    expect(Query.toSql(q)).toEqual(
      E.right({
        text:
          'select "t0"."id" + $1 as "id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at", ' +
          'coalesce("t0_j0"."v0", cast($2 as bigint)) as "comments_n", "t0"."id" as "__key_id" from "posts" as "t0" ' +
          'left join (select "e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "e1_0" where "e1_0"."post_id" = any($3) ' +
          'group by "e1_0"."post_id") as "t0_j0" on "t0_j0"."k" = "t0"."id" where "t0"."id" = any($4) order by "t0"."id" asc',
        params: [100, 0, [2, 4], [2, 4]],
      }),
    )
    const rows = await trees(q)
    expect(rows.map(p => [p.id, p.comments_n, p.comments.map(c => c.id), p.author])).toEqual([
      [102, 1, [4], O.some(ada)],
      [104, 0, [], O.none],
    ])
    // The key read for the preload is not returned: `id` is the merged output.
    expect(Object.keys(rows[0] ?? {})).not.toContain('__key_id')
  })

  it('as a preload query, with its own preloads', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.eq(p.id, 1)),
      Query.preload({
        comments: Preload.query(
          pipe(
            comments,
            Query.selectMerge((c, $) => ({ body: Fn.upper(c.body), replies: $.count('children') })),
            Query.orderBy(['id']),
          ),
          { author: true },
        ),
      }),
    )
    const rows = await trees(q)
    expect(
      rows[0]?.comments.map(c => [
        c.id,
        c.post_id,
        c.body,
        c.replies,
        O.map((a: { readonly name: string }) => a.name)(c.author),
      ]),
    ).toEqual([
      [1, 1, 'NICE', 2, O.some('bob')],
      [2, 1, 'AGREED', 0, O.some('cy')],
      [3, 1, 'THANKS', 0, O.some('bob')],
    ])
  })

  it('prepared, with a placeholder in a merged output', async () => {
    const p = Prepared.make({ k: t.number }, ({ k }) =>
      pipe(
        posts,
        Query.selectMerge(x => ({ shifted: Fn.add(x.id, k) })),
        Query.preload({ author: true }),
      ),
    )
    for (const strategy of ['batched', 'lateral'] as const) {
      const rows = right(await Pg.prepared(p, { strategy })({ k: 5 })(env.db.sql)(), strategy)
      expect(rows.map(r => [r.id, r.shifted, O.isSome(r.author)])).toEqual([
        [1, 6, true],
        [2, 7, true],
        [3, 8, true],
        [4, 9, false],
      ])
    }
    const mem = right(await Memory.prepared(p)({ k: 1 })(env.tables)(), 'memory')
    expect(mem.map(r => r.shifted)).toEqual([2, 3, 4, 5])
  })

  it('over a subquery (Query.fromQuery): its outputs are the row', async () => {
    const q = pipe(
      Query.fromQuery(
        pipe(
          Query.from(Blog, 'post'),
          Query.select(p => ({ id: p.id, title: p.title })),
        ),
      ),
      Query.selectMerge(r => ({ shout: Fn.upper(r.title) })),
      Query.orderBy(['id']),
    )
    expect(Query.toSql(q)).toEqual(
      E.right({
        text:
          'select "t0"."id", "t0"."title", upper("t0"."title") as "shout" from (select "s1_0"."id", "s1_0"."title" ' +
          'from "posts" as "s1_0") as "t0" order by "t0"."id" asc',
        params: [],
      }),
    )
    expect((await trees(q)).slice(0, 2)).toEqual([
      { id: 1, title: 'hello', shout: 'HELLO' },
      { id: 2, title: 'again', shout: 'AGAIN' },
    ])
  })

  it('refuses what is not a term, naming selectMerge', () => {
    const r = Query.toSql(
      pipe(
        posts,
        Query.selectMerge(() => ({ n: 5 as never })),
      ),
    )
    expect(E.isLeft(r) && r.left).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/^Query.selectMerge: output 'n' must be a term/),
    })
  })
})
