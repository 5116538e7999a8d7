// Join-preloads (issue 15, "Preloads, completed"): `Preload.joined` fills an association from the rows
// of a binding the query joins, in one statement. Parents are not repeated, children keep the join's
// order, a left join's miss is an empty list or None. Each query's SQL is pinned, and it runs on
// PostgreSQL (with each strategy for the rest of the spec) and in memory with equal results.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import * as t from 'io-ts'
import { Fn, Memory, Pg, Prepared, Pred, Preload, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import { right, useBlog } from './harness.js'

const names = ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags']

const { env } = useBlog(names)

const cols = (a: string, k: number, cs: ReadonlyArray<string>) =>
  cs.map(c => `"${a}"."${c}" as "__j${k}_${c}"`).join(', ')
const post = '"t0"."id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at"'
const commentCols = ['id', 'post_id', 'author_id', 'parent_id', 'body', 'public', 'inserted_at']

// The SQL of `q` (its root statement, and the only one when `single`), and its rows: equal on
// PostgreSQL (auto, batched, lateral) and in memory.
const agree = async <S extends string, P, J extends Query.Joins, R>(
  q: Query.Query<typeof Blog, S, P, J, R>,
  text: string,
  params: ReadonlyArray<unknown>,
  single: boolean,
) => {
  expect(Query.toSql(q)).toEqual(E.right({ text, params }))
  const s = right(Query.statements(q), 'statements')
  expect(s.statements[0]).toMatchObject({ _tag: 'Root', text, params })
  expect(s.statements.length === 1).toBe(single)
  const pg = right(await Pg.all(q)(env.db.sql)(), 'PostgreSQL')
  expect(right(await Pg.all(q, { strategy: 'batched' })(env.db.sql)(), 'batched')).toEqual(pg)
  expect(right(await Pg.all(q, { strategy: 'lateral' })(env.db.sql)(), 'lateral')).toEqual(pg)
  expect(right(await Memory.all(q)(env.tables)(), 'memory')).toEqual(pg)
  return pg
}

const posts = Query.from(Blog, 'post')

describe('Preload.joined', () => {
  it('a filtered inner join and its preload are one statement; parents are not repeated', async () => {
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.where((_, $) => Pred.eq($.joined.comments.public, true)),
      Query.orderBy((p, $) => [p.id, ['desc', $.joined.comments.inserted_at]]),
      Query.preload({ comments: Preload.joined() }),
    )
    const rows = await agree(
      q,
      `select ${post}, ${cols('t1', 0, commentCols)} from "posts" as "t0" inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" ` +
        'where "t1"."public" = $1 order by "t0"."id" asc, "t1"."inserted_at" desc',
      [true],
      true,
    )
    // post 1: public comments 2 then 1 (newest first); post 2: comment 4; post 3 has none public: gone
    expect(rows.map(p => [p.id, p.comments.map(c => c.id)])).toEqual([
      [1, [2, 1]],
      [2, [4]],
    ])
  })

  it('a left join keeps parents without a row, with an empty list / None; a named binding', async () => {
    const q = pipe(
      posts,
      Query.join('comments', 'left', { as: 'c', on: c => Pred.eq(c.public, false) }),
      Query.join('permalink', 'left'),
      Query.orderBy((p, $) => [p.id, $.joined.c.id]),
      Query.preload({ comments: Preload.joined('c'), permalink: Preload.joined() }),
    )
    const rows = await agree(
      q,
      `select ${post}, ${cols('t1', 0, commentCols)}, ${cols('t2', 1, ['id', 'post_id', 'url'])} from "posts" as "t0" ` +
        'left join "comments" as "t1" on "t1"."post_id" = "t0"."id" and "t1"."public" = $1 ' +
        'left join "permalinks" as "t2" on "t2"."post_id" = "t0"."id" order by "t0"."id" asc, "t1"."id" asc',
      [false],
      true,
    )
    expect(
      rows.map(p => [
        p.id,
        p.comments.map(c => c.id),
        O.map((l: { readonly url: string }) => l.url)(p.permalink),
      ]),
    ).toEqual([
      [1, [3], O.some('/hello')],
      [2, [], O.none],
      [3, [5], O.some('/bobs')],
      [4, [], O.none],
    ])
  })

  it('two to-many joins: each child once per parent, in the order of its first row', async () => {
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.join('tags'),
      Query.orderBy((p, $) => [p.id, ['desc', $.joined.tags.id], $.joined.comments.id]),
      Query.preload({ comments: Preload.joined(), tags: Preload.joined() }),
    )
    const rows = await agree(
      q,
      `select ${post}, ${cols('t1', 0, commentCols)}, ${cols('t3', 1, ['id', 'name'])} from "posts" as "t0" ` +
        'inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" ' +
        'inner join "posts_tags" as "t2" on "t2"."post_id" = "t0"."id" inner join "tags" as "t3" on "t3"."id" = "t2"."tag_id" ' +
        'order by "t0"."id" asc, "t3"."id" desc, "t1"."id" asc',
      [],
      true,
    )
    expect(rows.map(p => [p.id, p.comments.map(c => c.id), p.tags.map(t => t.id)])).toEqual([
      [1, [1, 2, 3], [3, 1]],
      [2, [4], [2]],
      [3, [5], [3]],
    ])
  })

  it('with a nested spec under the joined rows and other preloads beside them', async () => {
    const q = pipe(
      posts,
      Query.join('comments', 'inner', { on: c => Pred.eq(c.public, true) }),
      Query.orderBy((p, $) => [p.id, $.joined.comments.id]),
      Query.preload({ comments: Preload.joined('comments', { author: true }), tags: true }),
    )
    const rows = await agree(
      q,
      `select ${post}, ${cols('t1', 0, commentCols)} from "posts" as "t0" ` +
        'inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" and "t1"."public" = $1 order by "t0"."id" asc, "t1"."id" asc',
      [true],
      false,
    )
    expect(
      rows.map(p => [
        p.id,
        p.comments.map(c => [c.id, O.map((u: { readonly name: string }) => u.name)(c.author)]),
        p.tags.map(t => t.id),
      ]),
    ).toEqual([
      [
        1,
        [
          [1, O.some('bob')],
          [2, O.some('cy')],
        ],
        [1, 3],
      ],
      [2, [[4, O.some('ada')]], [2]],
    ])
  })
})

describe('Preload.joined, prepared', () => {
  it('binds the placeholders of the root statement; each strategy; memory', async () => {
    const withComments = (pub: Pred.Term<boolean>) =>
      pipe(
        posts,
        Query.join('comments', 'left', { on: c => Pred.eq(c.public, pub) }),
        Query.orderBy((p, $) => [p.id, $.joined.comments.id]),
        Query.preload({ comments: Preload.joined('comments', { author: true }), permalink: true }),
      )
    const prepared = Prepared.make({ pub: t.boolean }, ({ pub }) => withComments(pub))
    for (const pub of [true, false]) {
      const adHoc = right(await Pg.all(withComments(Pred.value(pub)))(env.db.sql)(), 'ad hoc')
      expect(adHoc.map(p => p.comments.every(c => c.public === pub))).toEqual([true, true, true, true])
      for (const strategy of ['auto', 'batched', 'lateral'] as const)
        expect(right(await Pg.prepared(prepared, { strategy })({ pub })(env.db.sql)(), strategy)).toEqual(
          adHoc,
        )
      expect(right(await Memory.prepared(prepared)({ pub })(env.tables)(), 'memory')).toEqual(adHoc)
    }
  })

  it('Preload.fromQuery refuses join-preloads (they read the joined columns, Run.all does)', async () => {
    const q = pipe(posts, Query.join('comments'), Query.preload({ comments: Preload.joined() }))
    const r = await Preload.fromQuery(q as Query.AnyQuery)(Memory.interpreter(env.tables))()
    expect(E.isLeft(r) && r.left).toMatchObject({
      code: 'Unsupported',
      message: expect.stringMatching(/Run.all/),
    })
  })
})

describe('Preload.joined: bad input', () => {
  const refused = (q: unknown, code: string, message: RegExp) => {
    const r = Query.toSql(q as Query.AnyQuery)
    expect(E.isLeft(r) && r.left).toMatchObject({ code, message: expect.stringMatching(message) })
  }

  it('an association that is not joined', async () => {
    // @ts-expect-error the query joins no binding 'comments'
    const q = pipe(posts, Query.preload({ comments: Preload.joined() }))
    refused(q, 'InvalidArgument', /the query joins no binding 'comments'/)
    const r = await Memory.all(q as Query.AnyQuery)(env.tables)()
    expect(E.isLeft(r) && r.left).toMatchObject({ code: 'InvalidArgument' })
  })

  it('a binding of another association, or of another schema', () => {
    refused(
      pipe(
        posts,
        Query.join('publicComments'),
        Query.preload({ comments: Preload.joined('publicComments' as never) }),
      ),
      'InvalidArgument',
      /binding 'publicComments' is the join of 'publicComments', not of association 'comments'/,
    )
    refused(
      // @ts-expect-error binding 'author' is a join of 'user', not of 'comment'
      pipe(posts, Query.join('author'), Query.preload({ comments: Preload.joined('author') })),
      'InvalidArgument',
      /not of association 'comments'/,
    )
  })

  it('a join-preload under a plain preload, a grouped projection, a right join, a through', () => {
    refused(
      pipe(
        posts,
        Query.join(['comments', 'author']),
        // @ts-expect-error a join-preload nests only under join-preloads
        Query.preload({ comments: { author: Preload.joined('comments.author') } }),
      ),
      'Unsupported',
      /nests only under join-preloads; 'comments.author' is under 'comments', which is not one/,
    )
    refused(
      pipe(
        posts,
        Query.join('comments'),
        Query.groupBy(p => [p.id]),
        Query.select(p => ({ id: p.id })),
        Query.preload({ comments: Preload.joined() }),
      ),
      'Unsupported',
      /a grouped or distinct projection cannot join-preload/,
    )
    refused(
      pipe(posts, Query.join('comments', 'right'), Query.preload({ comments: Preload.joined() })),
      'Unsupported',
      /right or full join/,
    )
    refused(
      pipe(posts, Query.join('commentsAuthors'), Query.preload({ commentsAuthors: Preload.joined() })),
      'Unsupported',
      /through association/,
    )
  })
})

// Under a projection: the root statement is the projection plus the root's primary key (and the owner
// keys of the other preloads) and the joined columns; the parents are the projection's rows, once each,
// plus the preloaded fields; the children whole rows in the join's order.
describe('Preload.joined under a projection', () => {
  it('the parents are the projection plus the field, once each; the children whole, in join order', async () => {
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.where((_, $) => Pred.eq($.joined.comments.public, true)),
      Query.orderBy((p, $) => [p.id, ['desc', $.joined.comments.id]]),
      Query.select(p => ({ title: Fn.upper(p.title) })),
      Query.preload({ comments: Preload.joined() }),
    )
    const rows = await agree(
      q,
      `select upper("t0"."title") as "title", "t0"."id" as "__key_id", ${cols('t1', 0, commentCols)} ` +
        'from "posts" as "t0" inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" ' +
        'where "t1"."public" = $1 order by "t0"."id" asc, "t1"."id" desc',
      [true],
      true,
    )
    expect(rows.map(p => [p.title, p.comments.map(c => c.id)])).toEqual([
      ['HELLO', [2, 1]],
      ['AGAIN', [4]],
    ])
    // The key read to tell the parents apart is not returned.
    expect(Object.keys(rows[0] ?? {})).toEqual(['title', 'comments'])
    expect(rows[1]?.comments[0]).toEqual({
      id: 4,
      post_id: 2,
      author_id: 1,
      parent_id: null,
      body: 'self reply',
      public: true,
      inserted_at: new Date('2026-01-08T10:00:00.000Z'),
    })
  })

  it('nested, with a relation aggregate, a selected key and a plain preload beside', async () => {
    const q = pipe(
      posts,
      Query.join(['comments', 'author'], 'left'),
      Query.orderBy((p, $) => [p.id, $.joined.comments.id]),
      Query.select((p, $) => ({ id: p.id, n: $.count('tags') })),
      Query.preload({ comments: Preload.joined({ author: Preload.joined() }), author: true }),
    )
    const rows = await agree(
      q,
      `select "t0"."id", coalesce("t0_j0"."v0", cast($1 as bigint)) as "n", "t0"."author_id" as "__key_author_id", ` +
        `${cols('t1', 0, commentCols)}, ${cols('t2', 1, ['id', 'name', 'email'])} ` +
        'from "posts" as "t0" left join "comments" as "t1" on "t1"."post_id" = "t0"."id" ' +
        'left join "users" as "t2" on "t2"."id" = "t1"."author_id" ' +
        'left join (select "e1_1"."post_id" as "k", count(*) as "v0" from "tags" as "e1_0" inner join "posts_tags" as "e1_1" ' +
        'on "e1_1"."tag_id" = "e1_0"."id" group by "e1_1"."post_id") as "t0_j0" on "t0_j0"."k" = "t0"."id" ' +
        'order by "t0"."id" asc, "t1"."id" asc',
      [0],
      false,
    )
    expect(
      rows.map(p => [
        p.id,
        p.n,
        O.map((a: { readonly name: string }) => a.name)(p.author),
        p.comments.map(c => [c.id, O.map((a: { readonly name: string }) => a.name)(c.author)]),
      ]),
    ).toEqual([
      [
        1,
        2,
        O.some('ada'),
        [
          [1, O.some('bob')],
          [2, O.some('cy')],
          [3, O.some('bob')],
        ],
      ],
      [2, 1, O.some('ada'), [[4, O.some('ada')]]],
      [3, 1, O.some('bob'), [[5, O.some('cy')]]],
      [4, 0, O.none, []],
    ])
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'n', 'comments', 'author'])
  })

  it('selectMerge and prepared', async () => {
    const p = Prepared.make({ min: t.number }, ({ min }) =>
      pipe(
        posts,
        Query.join('comments', 'left', { on: c => Pred.gte(c.id, min) }),
        Query.orderBy((x, $) => [x.id, $.joined.comments.id]),
        Query.selectMerge(x => ({ title: Fn.lower(x.title) })),
        Query.preload({ comments: Preload.joined() }),
      ),
    )
    for (const strategy of ['batched', 'lateral'] as const) {
      const rows = right(await Pg.prepared(p, { strategy })({ min: 3 })(env.db.sql)(), strategy)
      expect(rows.map(r => [r.id, r.title, r.comments.map(c => c.id)])).toEqual([
        [1, 'hello', [3]],
        [2, 'again', [4]],
        [3, 'bobs', [5]],
        [4, 'orphan', []],
      ])
    }
    const mem = right(await Memory.prepared(p)({ min: 5 })(env.tables)(), 'memory')
    expect(mem.map(r => r.comments.map(c => c.id))).toEqual([[], [], [5], []])
  })

  it('refuses an output named as a join-preloaded association', () => {
    const r = Query.toSql(
      pipe(
        posts,
        Query.join('comments'),
        Query.select(p => ({ comments: p.id })),
        Query.preload({ comments: Preload.joined() }),
      ),
    )
    expect(E.isLeft(r) && r.left).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/the projection has an output named 'comments'/),
    })
  })
})
