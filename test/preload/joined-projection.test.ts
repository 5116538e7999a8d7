// Join-preloads under a projection (issue 15, "Preloads, completed"): `Preload.joined(binding, nested,
// Query.select(...))` fills the association with the projection's rows, as `Preload.query` does with a
// projected query. The root statement reads only the projected columns, the target's primary key and
// the owner keys of the nested preloads; those keys are never returned unless selected. Each query's
// SQL is pinned, and it runs on PostgreSQL (each strategy for the rest of the spec) and in memory with
// equal results.
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Fn, Memory, Pg, Pred, Preload, Prepared, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import { params } from '../property/support.js'
import { right, useBlog } from './harness.js'

const { env } = useBlog(['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags'])

const post = '"t0"."id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at"'

const agree = async <S extends string, P, J extends Query.Joins, R>(
  q: Query.Query<typeof Blog, S, P, J, R>,
  text: string,
  params: ReadonlyArray<unknown>,
) => {
  expect(Query.toSql(q)).toEqual(E.right({ text, params }))
  const s = right(Query.statements(q), 'statements')
  expect(s.statements[0]).toMatchObject({ _tag: 'Root', text, params })
  const pg = right(await Pg.all(q)(env.db.sql)(), 'PostgreSQL')
  expect(right(await Pg.all(q, { strategy: 'batched' })(env.db.sql)(), 'batched')).toEqual(pg)
  expect(right(await Pg.all(q, { strategy: 'lateral' })(env.db.sql)(), 'lateral')).toEqual(pg)
  expect(right(await Memory.all(q)(env.tables)(), 'memory')).toEqual(pg)
  return pg
}

const posts = Query.from(Blog, 'post')
const comments = Query.from(Blog, 'comment')
const users = Query.from(Blog, 'user')

describe('Preload.joined with a projection', () => {
  it('fills the association with the projected columns only (renamed), reading the key besides', async () => {
    const q = pipe(
      posts,
      Query.join('comments', 'left', { on: c => Pred.eq(c.public, true) }),
      Query.orderBy((p, $) => [p.id, ['desc', $.joined.comments.id]]),
      Query.preload({
        comments: Preload.joined(
          'comments',
          {},
          pipe(
            comments,
            Query.select(c => ({ text: c.body })),
          ),
        ),
      }),
    )
    const rows = await agree(
      q,
      `select ${post}, "t1"."id" as "__j0_id", "t1"."body" as "__j0_body" from "posts" as "t0" ` +
        'left join "comments" as "t1" on "t1"."post_id" = "t0"."id" and "t1"."public" = $1 order by "t0"."id" asc, "t1"."id" desc',
      [true],
    )
    expect(rows.map(p => [p.id, p.comments])).toEqual([
      [1, [{ text: 'agreed' }, { text: 'nice' }]],
      [2, [{ text: 'self reply' }]],
      [3, []],
      [4, []],
    ])
  })

  it('reads the owner keys of a nested preload without returning them', async () => {
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.where(p => Pred.eq(p.id, 1)),
      Query.orderBy((p, $) => [p.id, $.joined.comments.id]),
      Query.preload({
        comments: Preload.joined(
          'comments',
          { author: true, post: Preload.query({ limit: 1 }) },
          pipe(
            comments,
            Query.select(c => ({ id: c.id, body: c.body })),
          ),
        ),
      }),
    )
    const rows = await agree(
      q,
      `select ${post}, "t1"."id" as "__j0_id", "t1"."post_id" as "__j0_post_id", "t1"."author_id" as "__j0_author_id", ` +
        '"t1"."body" as "__j0_body" from "posts" as "t0" inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" ' +
        'where "t0"."id" = $1 order by "t0"."id" asc, "t1"."id" asc',
      [1],
    )
    expect(rows[0]?.comments.map(c => Object.keys(c))).toEqual([
      ['id', 'body', 'author', 'post'],
      ['id', 'body', 'author', 'post'],
      ['id', 'body', 'author', 'post'],
    ])
    expect(
      rows[0]?.comments.map(c => [c.id, c.body, O.map((a: { readonly name: string }) => a.name)(c.author)]),
    ).toEqual([
      [1, 'nice', O.some('bob')],
      [2, 'agreed', O.some('cy')],
      [3, 'thanks', O.some('bob')],
    ])
    expect(rows[0]?.comments[0]?.post).toEqual(O.some(expect.objectContaining({ id: 1, title: 'hello' })))
  })

  it('nests: a projected level over a whole one and a projected one, in one statement', async () => {
    const q = pipe(
      users,
      Query.join(['posts', 'comments'], 'left'),
      Query.orderBy((u, $) => [u.id, $.joined.posts.id, $.joined['posts.comments'].id]),
      Query.select(u => ({ name: u.name })),
      Query.preload({
        posts: Preload.joined(
          'posts',
          {
            comments: Preload.joined(
              'posts.comments',
              {},
              pipe(
                comments,
                Query.select(c => ({ body: c.body })),
              ),
            ),
          },
          pipe(
            Query.from(Blog, 'post'),
            Query.select(p => ({ title: p.title })),
          ),
        ),
      }),
    )
    const rows = await agree(
      q,
      'select "t0"."name", "t0"."id" as "__key_id", "t1"."id" as "__j0_id", "t1"."title" as "__j0_title", ' +
        '"t2"."id" as "__j1_id", "t2"."body" as "__j1_body" from "users" as "t0" ' +
        'left join "posts" as "t1" on "t1"."author_id" = "t0"."id" left join "comments" as "t2" on "t2"."post_id" = "t1"."id" ' +
        'order by "t0"."id" asc, "t1"."id" asc, "t2"."id" asc',
      [],
    )
    expect(rows).toEqual([
      {
        name: 'ada',
        posts: [
          { title: 'hello', comments: [{ body: 'nice' }, { body: 'agreed' }, { body: 'thanks' }] },
          { title: 'again', comments: [{ body: 'self reply' }] },
        ],
      },
      { name: 'bob', posts: [{ title: 'bobs', comments: [{ body: 'hi bob' }] }] },
      { name: 'cy', posts: [] },
    ])
  })

  it('a to-one join-preload projected: Some of the projection, None for a miss', async () => {
    const q = pipe(
      posts,
      Query.join('author', 'left'),
      Query.orderBy(p => [p.id]),
      Query.select(p => ({ id: p.id })),
      Query.preload({
        author: Preload.joined(
          'author',
          {},
          pipe(
            users,
            Query.select(u => ({ who: u.name })),
          ),
        ),
      }),
    )
    const rows = await agree(
      q,
      'select "t0"."id", "t0"."author_id" as "__key_author_id", "t1"."id" as "__j0_id", "t1"."name" as "__j0_name" ' +
        'from "posts" as "t0" ' +
        'left join "users" as "t1" on "t1"."id" = "t0"."author_id" order by "t0"."id" asc',
      [],
    )
    expect(rows).toEqual([
      { id: 1, author: O.some({ who: 'ada' }) },
      { id: 2, author: O.some({ who: 'ada' }) },
      { id: 3, author: O.some({ who: 'bob' }) },
      { id: 4, author: O.none },
    ])
  })

  it('refuses a projection that aggregates, or that filters', () => {
    const refused = (q: Query.AnyQuery, code: string, message: RegExp) => {
      const r = Query.toSql(q)
      expect(E.isLeft(r) && r.left).toMatchObject({ code, message: expect.stringMatching(message) })
    }
    const joinedWith = (projection: Query.AnyQuery) =>
      pipe(
        posts,
        Query.join('comments'),
        Query.preload({ comments: Preload.joined('comments', {}, projection as never) }),
      )
    refused(
      joinedWith(
        pipe(
          comments,
          Query.select(() => ({ n: Fn.count() })),
        ),
      ),
      'Unsupported',
      /cannot join-preload 'comments' of schema 'post': output 'n' of its projection aggregates rows .*not groups/,
    )
    refused(
      joinedWith(
        pipe(
          comments,
          Query.select(c => ({ n: Fn.add(Fn.max(c.id), 1) })),
        ),
      ),
      'Unsupported',
      /output 'n' of its projection aggregates rows/,
    )
    refused(
      joinedWith(
        pipe(
          comments,
          Query.where(c => Pred.eq(c.public, true)),
          Query.select(c => ({ body: c.body })),
        ),
      ),
      'Unsupported',
      /a join-preload's projection only selects outputs over its row/,
    )
    refused(joinedWith(comments), 'InvalidArgument', /the projection must select its columns/)
    refused(
      joinedWith(
        pipe(
          users,
          Query.select(u => ({ name: u.name })),
        ),
      ),
      'InvalidArgument',
      /the projection is over schema 'user', not the association's target 'comment'/,
    )
    refused(
      pipe(
        posts,
        Query.join('comments'),
        Query.preload({
          comments: Preload.joined(
            'comments',
            { author: true },
            pipe(
              comments,
              Query.select(c => ({ author: c.body })),
            ),
          ),
        }),
      ),
      'InvalidArgument',
      /the projection has an output named 'author', the name of an association preloaded under it/,
    )
  })

  it('is the whole-row join-preload with the picked columns renamed and outputs computed from each child (property)', async () => {
    const commentCols = ['id', 'post_id', 'author_id', 'parent_id', 'body', 'public', 'inserted_at'] as const
    type C = Query.RowOf<typeof comments>
    type Refs = Query.TableRefs<typeof Blog, 'comment'>
    // Computed outputs, each as a term over the projection's row and as the same function of a whole
    // child row; `replies` counts the child's children.
    const computed = {
      upper: [(c: Refs) => Fn.upper(c.body), (c: C) => c.body.toUpperCase()],
      twice: [(c: Refs) => Fn.mul(c.id, 2), (c: C) => c.id * 2],
      parent: [(c: Refs) => Fn.coalesce(c.parent_id, -1), (c: C) => c.parent_id ?? -1],
      flag: [(c: Refs) => Fn.case_([[Pred.eq(c.public, true), 1]], 0), (c: C) => (c.public ? 1 : 0)],
    } as const
    const names = Object.keys(computed) as ReadonlyArray<keyof typeof computed>
    const childCount = (id: number) =>
      (env.tables.get('comments') ?? []).filter(r => (r as { parent_id: number | null }).parent_id === id)
        .length
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...commentCols]),
        fc.subarray([...names]),
        fc.constantFrom('inner', 'left'),
        fc.boolean(),
        fc.boolean(),
        async (columns, computing, kind, nested, replies) => {
          // (at least one output)
          const picked = columns.length + computing.length === 0 && !replies ? ['id' as const] : columns
          const base = pipe(
            posts,
            Query.join('comments', kind, { on: c => Pred.neq(c.id, 2) }),
            Query.orderBy((p, $) => [p.id, ['desc', $.joined.comments.id]]),
          )
          const projection = pipe(
            comments,
            Query.select(
              (c, $) =>
                Object.fromEntries([
                  ...picked.map(k => [`o_${k}`, c[k]] as const),
                  ...computing.map(k => [`c_${k}`, computed[k][0](c)] as const),
                  ...(replies ? [['replies', $.count('children')] as const] : []),
                ]) as { readonly o_id: typeof c.id },
            ),
          )
          // (typed as nested: the flag only decides whether the key is there at run time)
          const spec = (nested ? { author: true } : {}) as { readonly author: true }
          const whole = pipe(base, Query.preload({ comments: Preload.joined('comments', spec) }))
          const projected = pipe(
            base,
            Query.preload({ comments: Preload.joined('comments', spec, projection) }),
          )
          const expected = right(await Memory.all(whole)(env.tables)(), 'whole').map(p => ({
            ...p,
            comments: p.comments.map(c => ({
              ...Object.fromEntries(picked.map(k => [`o_${k}`, c[k]])),
              ...Object.fromEntries(computing.map(k => [`c_${k}`, (computed[k][1] as (c: C) => unknown)(c)])),
              ...(replies ? { replies: childCount(c.id) } : {}),
              ...(nested ? { author: c.author } : {}),
            })),
          }))
          const pg = right(await Pg.all(projected)(env.db.sql)(), 'PostgreSQL')
          expect(pg).toEqual(expected)
          expect(right(await Memory.all(projected)(env.tables)(), 'memory')).toEqual(pg)
          expect(right(await Pg.all(projected, { strategy: 'lateral' })(env.db.sql)(), 'lateral')).toEqual(pg)
        },
      ),
      params(30),
    )
  })
})

// Computed outputs of a join-preload's projection: expressions over the association's row (functions,
// arithmetic, coalesce, case, relation aggregates), compiled into the root statement over the joined
// binding and decoded as the projection's outputs.
describe('Preload.joined with computed outputs', () => {
  const shouted = pipe(
    comments,
    Query.select((c, $) => ({
      shout: Fn.upper(c.body),
      next: Fn.add(c.id, 10),
      parent: Fn.coalesce(c.parent_id, 0),
      kind: Fn.case_([[Pred.eq(c.public, true), 'public']], 'private'),
      replies: $.count('children'),
      body: c.body,
    })),
  )

  it('computes each output over the joined row in the one statement, with a nested preload', async () => {
    const q = pipe(
      posts,
      Query.join('comments', 'left', { on: c => Pred.neq(c.id, 2) }),
      Query.orderBy((p, $) => [p.id, $.joined.comments.id]),
      Query.preload({ comments: Preload.joined('comments', { author: true }, shouted) }),
    )
    const rows = await agree(
      q,
      `select ${post}, "t1"."id" as "__j0_id", "t1"."author_id" as "__j0_author_id", "t1"."body" as "__j0_body", ` +
        'upper("t1"."body") as "__j0s_0", "t1"."id" + $1 as "__j0s_1", coalesce("t1"."parent_id", $2) as "__j0s_2", ' +
        'case when "t1"."public" = $3 then cast($4 as text) else cast($5 as text) end as "__j0s_3", ' +
        '(select count(*) as "count" from "comments" as "e1_0" where "e1_0"."parent_id" = "t1"."id") as "__j0s_4" ' +
        'from "posts" as "t0" left join "comments" as "t1" on "t1"."post_id" = "t0"."id" and "t1"."id" <> $6 ' +
        'order by "t0"."id" asc, "t1"."id" asc',
      [10, 0, true, 'public', 'private', 2],
    )
    expect(
      rows.map(p => [
        p.id,
        p.comments.map(c => [
          c.shout,
          c.next,
          c.parent,
          c.kind,
          c.replies,
          c.body,
          O.map((a: { readonly name: string }) => a.name)(c.author),
        ]),
      ]),
    ).toEqual([
      [
        1,
        [
          ['NICE', 11, 0, 'public', 2, 'nice', O.some('bob')],
          ['THANKS', 13, 1, 'private', 0, 'thanks', O.some('bob')],
        ],
      ],
      [2, [['SELF REPLY', 14, 0, 'public', 0, 'self reply', O.some('ada')]]],
      [3, [['HI BOB', 15, 0, 'private', 0, 'hi bob', O.some('cy')]]],
      [4, []],
    ])
    // The child rows hold the projection's outputs and the nested association, nothing read for keys.
    expect(Object.keys(rows[0]?.comments[0] ?? {})).toEqual([
      'shout',
      'next',
      'parent',
      'kind',
      'replies',
      'body',
      'author',
    ])
  })

  it('under a projected root, a to-one and a nested level, each computed', async () => {
    const q = pipe(
      users,
      Query.join(['posts', 'comments'], 'left'),
      Query.orderBy((u, $) => [u.id, $.joined.posts.id, $.joined['posts.comments'].id]),
      Query.select(u => ({ name: Fn.lower(u.name) })),
      Query.preload({
        posts: Preload.joined(
          'posts',
          {
            comments: Preload.joined(
              'posts.comments',
              {},
              pipe(
                comments,
                Query.select(c => ({ size: Fn.length(c.body) })),
              ),
            ),
          },
          pipe(
            Query.from(Blog, 'post'),
            Query.select((p, $) => ({ heading: Fn.concat(p.title, '!'), public: $.count('publicComments') })),
          ),
        ),
      }),
    )
    const rows = await agree(
      q,
      'select lower("t0"."name") as "name", "t0"."id" as "__key_id", "t1"."id" as "__j0_id", ' +
        '"t1"."title" || $1 as "__j0s_0", ' +
        '(select count(*) as "count" from "comments" as "e1_0" where "e1_0"."post_id" = "t1"."id" and "e1_0"."public" = $2) as "__j0s_1", ' +
        '"t2"."id" as "__j1_id", length("t2"."body") as "__j1s_0" from "users" as "t0" ' +
        'left join "posts" as "t1" on "t1"."author_id" = "t0"."id" left join "comments" as "t2" on "t2"."post_id" = "t1"."id" ' +
        'order by "t0"."id" asc, "t1"."id" asc, "t2"."id" asc',
      ['!', true],
    )
    expect(rows).toEqual([
      {
        name: 'ada',
        posts: [
          { heading: 'hello!', public: 2, comments: [{ size: 4 }, { size: 6 }, { size: 6 }] },
          { heading: 'again!', public: 1, comments: [{ size: 10 }] },
        ],
      },
      { name: 'bob', posts: [{ heading: 'bobs!', public: 0, comments: [{ size: 6 }] }] },
      { name: 'cy', posts: [] },
    ])
    const toOne = pipe(
      posts,
      Query.join('author', 'left'),
      Query.orderBy(p => [p.id]),
      Query.select(p => ({ id: p.id })),
      Query.preload({
        author: Preload.joined(
          'author',
          {},
          pipe(
            users,
            Query.select(u => ({ who: Fn.upper(u.name), mail: Fn.coalesce(u.email, '-') })),
          ),
        ),
      }),
    )
    const authors = await agree(
      toOne,
      'select "t0"."id", "t0"."author_id" as "__key_author_id", "t1"."id" as "__j0_id", upper("t1"."name") as "__j0s_0", ' +
        'coalesce("t1"."email", $1) as "__j0s_1" from "posts" as "t0" left join "users" as "t1" on "t1"."id" = "t0"."author_id" ' +
        'order by "t0"."id" asc',
      ['-'],
    )
    expect(authors).toEqual([
      { id: 1, author: O.some({ who: 'ADA', mail: 'ada@example.com' }) },
      { id: 2, author: O.some({ who: 'ADA', mail: 'ada@example.com' }) },
      { id: 3, author: O.some({ who: 'BOB', mail: '-' }) },
      { id: 4, author: O.none },
    ])
  })

  it('a prepared query binds a placeholder inside a computed output', async () => {
    const withOffset = (k: Pred.Term<number>) =>
      pipe(
        posts,
        Query.join('comments'),
        Query.orderBy((p, $) => [p.id, $.joined.comments.id]),
        Query.preload({
          comments: Preload.joined(
            'comments',
            {},
            pipe(
              comments,
              Query.select(c => ({ shifted: Fn.add(c.id, k) })),
            ),
          ),
        }),
      )
    const p = Prepared.make({ k: t.number }, ({ k }) => withOffset(k))
    for (const k of [0, 100]) {
      const adHoc = right(await Pg.all(withOffset(Pred.value(k)))(env.db.sql)(), 'ad hoc')
      expect(adHoc.flatMap(r => r.comments.map(c => c.shifted))).toEqual([1, 2, 3, 4, 5].map(i => i + k))
      for (const strategy of ['auto', 'batched', 'lateral'] as const)
        expect(right(await Pg.prepared(p, { strategy })({ k })(env.db.sql)(), strategy)).toEqual(adHoc)
      expect(right(await Memory.prepared(p)({ k })(env.tables)(), 'memory')).toEqual(adHoc)
    }
  })

  it('refuses an output that reads a binding of another query', () => {
    let captured: Pred.Term<string> | undefined
    pipe(
      users,
      Query.join('posts'),
      Query.select((u, $) => {
        captured = $.joined.posts.title
        return { name: u.name }
      }),
    )
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.preload({
        comments: Preload.joined(
          'comments',
          {},
          pipe(
            comments,
            Query.select(c => ({ x: Fn.concat(c.body, captured as Pred.Term<string>) })),
          ),
        ),
      }),
    )
    const error = {
      code: 'InvalidArgument',
      schema: 'post',
      association: 'comments',
      message: expect.stringMatching(
        /cannot join-preload 'comments' of schema 'post': a select output: column 'title' of binding 'posts' \(schema 'post'\) belongs to another query/,
      ),
    }
    // An error of the query as it is built, before any SQL.
    expect(q.errors[0]).toMatchObject(error)
    const r = Query.toSql(q)
    expect(E.isLeft(r) && r.left).toMatchObject(error)
  })
})
