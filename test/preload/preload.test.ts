import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pg, Pred, Preload, Query, Run } from '../../src/index.js'
import type { Interpreter } from '../../src/index.js'
import type * as Select from '../../src/ast/Select.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
})
afterAll(async () => db.close())

const strategies = ['batched', 'lateral'] as const

// Runs a query with both strategies, asserts deep-equal trees, returns the tree.
const both = async <A>(
  f: (s: 'batched' | 'lateral') => (sql: Pg.Db) => () => Promise<E.Either<unknown, A>>,
) => {
  const out: Array<A> = []
  for (const s of strategies) {
    const r = await f(s)(db.sql)()
    if (E.isLeft(r)) throw new Error(`${s}: ${JSON.stringify(r.left)}`)
    out.push(r.right)
  }
  expect(out[1]).toEqual(out[0])
  return out[0] as A
}

const posts = (ids: ReadonlyArray<number>) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.in(p.id, ids)),
    Query.orderBy(['id']),
  )

const ids = (rows: ReadonlyArray<{ readonly id: number }>) => rows.map(r => r.id)

// Counts the statements an interpreter runs.
const counting = (i: Interpreter) => {
  const log: Array<string> = []
  const c: Interpreter = {
    ...i,
    select: (s: Select.Select) => {
      log.push('select')
      return i.select(s)
    },
    ...(i.tree === undefined
      ? {}
      : {
          tree: t => {
            log.push('tree')
            return (i.tree as NonNullable<Interpreter['tree']>)(t)
          },
        }),
  }
  return { i: c, log }
}

describe('preload: Ecto scenarios on both strategies', () => {
  it('has_many keeps parent order, shares nothing wrongly, empty is []', async () => {
    const all = await Pg.all(posts([3, 1, 2]))(db.sql)()
    if (E.isLeft(all)) throw all.left
    const given = [...all.right].sort((a, b) => (a.id === 3 ? -1 : b.id === 3 ? 1 : a.id - b.id))
    const r = await both(s => Pg.preloadInto(Blog, 'post', { comments: true }, { strategy: s })(given))
    expect(ids(r)).toEqual([3, 1, 2])
    expect(r.map(p => ids(p.comments))).toEqual([[5], [1, 2, 3], [4]])
    const none = await both(s =>
      Pg.preloadInto(
        Blog,
        'post',
        { comments: true },
        { strategy: s },
      )(all.right.filter(p => p.id === 3).map(p => ({ ...p, id: 99 }))),
    )
    expect(none[0]?.comments).toEqual([])
  })

  it('has_one, belongs_to, shared belongs_to, null keys', async () => {
    const r = await both(s =>
      Pg.all(pipe(posts([1, 2, 3, 4]), Query.preload({ permalink: true, author: true })), { strategy: s }),
    )
    expect(r.map(p => O.map((l: { readonly url: string }) => l.url)(p.permalink))).toEqual([
      O.some('/hello'),
      O.none,
      O.some('/bobs'),
      O.none,
    ])
    expect(r.map(p => O.map((u: { readonly name: string }) => u.name)(p.author))).toEqual([
      O.some('ada'),
      O.some('ada'),
      O.some('bob'),
      O.none,
    ])
    const cs = await both(s =>
      Pg.all(
        pipe(Query.from(Blog, 'comment'), Query.orderBy([['desc', 'id']]), Query.preload({ post: true })),
        { strategy: s },
      ),
    )
    expect(cs.map(c => O.map((p: { readonly id: number }) => p.id)(c.post))).toEqual([
      O.none,
      O.some(3),
      O.some(2),
      O.some(1),
      O.some(1),
      O.some(1),
    ])
  })

  it('many_to_many', async () => {
    const r = await both(s =>
      Pg.all(pipe(posts([1, 2, 3, 4]), Query.preload({ tags: true })), { strategy: s }),
    )
    expect(r.map(p => p.tags.map(t => t.name))).toEqual([['elixir', 'sql'], ['typescript'], ['sql'], []])
  })

  it('has_many through: value deduplicated, hops exposed (or hidden)', async () => {
    const r = await both(s =>
      Pg.all(pipe(posts([1, 2, 3, 4]), Query.preload({ commentsAuthors: true })), { strategy: s }),
    )
    expect(r.map(p => p.commentsAuthors.map(u => u.name))).toEqual([['bob', 'cy'], ['ada'], ['cy'], []])
    expect(r[0]?.comments.map(c => O.map((u: { readonly id: number }) => u.id)(c.author))).toEqual([
      O.some(2),
      O.some(3),
      O.some(2),
    ])
    const hidden = await both(s =>
      Pg.all(pipe(posts([1]), Query.preload({ commentsAuthors: Preload.query({ hops: 'hide' }) })), {
        strategy: s,
      }),
    )
    expect(Object.keys(hidden[0] ?? {})).not.toContain('comments')
    expect(hidden[0]?.commentsAuthors.map(u => u.name)).toEqual(['bob', 'cy'])
  })

  it('has_one through and through with a nil hop', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(Query.from(Blog, 'comment'), Query.orderBy(['id']), Query.preload({ postPermalink: true })),
        { strategy: s },
      ),
    )
    expect(r.map(c => O.map((l: { readonly url: string }) => l.url)(c.postPermalink))).toEqual([
      O.some('/hello'),
      O.some('/hello'),
      O.some('/hello'),
      O.none,
      O.some('/bobs'),
      O.none,
    ])
    expect(O.isNone(r[5]?.post ?? O.some(1))).toBe(true)
  })

  it('through: a filter and an order on an intermediate hop, a limit on the walk', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(
          posts([1]),
          Query.preload({
            comments: Preload.query({ where: { public: true }, orderBy: [['desc', 'id']] }),
            commentsAuthors: Preload.query({ limit: 1 }),
          }),
        ),
        { strategy: s },
      ),
    )
    expect(ids(r[0]?.comments ?? [])).toEqual([2, 1])
    expect(r[0]?.commentsAuthors.map(u => u.name)).toEqual(['cy'])
  })

  it('nested, and a custom ordered query with a nested preload', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(
          posts([2, 1]),
          Query.preload({
            comments: Preload.query({ orderBy: [['desc', 'body']] }, { post: true, author: { posts: true } }),
          }),
        ),
        { strategy: s },
      ),
    )
    expect(r[0]?.comments.map(c => c.body)).toEqual(['thanks', 'nice', 'agreed'])
    expect(r[0]?.comments.map(c => O.map((p: { readonly id: number }) => p.id)(c.post))).toEqual([
      O.some(1),
      O.some(1),
      O.some(1),
    ])
    const bob = r[0]?.comments[0]?.author
    expect(bob !== undefined && O.isSome(bob) && ids(bob.value.posts)).toEqual([3])
  })

  it('custom where: nothing matches gives [] everywhere', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(posts([1, 2, 3]), Query.preload({ comments: Preload.query({ where: { body: 'no such' } }) })),
        {
          strategy: s,
        },
      ),
    )
    expect(r.map(p => p.comments)).toEqual([[], [], []])
  })

  it('top-N per parent (limit and offset apply to each parent)', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(
          Query.from(Blog, 'user'),
          Query.orderBy(['id']),
          Query.preload({ comments: Preload.query({ orderBy: [['desc', 'id']], limit: 1, offset: 1 }) }),
        ),
        { strategy: s },
      ),
    )
    // ada: 6, 4 -> [4]; bob: 3, 1 -> [1]; cy: 5, 2 -> [2]
    expect(r.map(u => ids(u.comments))).toEqual([[4], [1], [2]])
  })

  it('preloadOrder applies; a custom order replaces it', async () => {
    const r = await both(s =>
      Pg.all(pipe(posts([1]), Query.preload({ publicComments: true })), { strategy: s }),
    )
    expect(ids(r[0]?.publicComments ?? [])).toEqual([2, 1])
    const c = await both(s =>
      Pg.all(pipe(posts([1]), Query.preload({ publicComments: Preload.query({ orderBy: ['id'] }) })), {
        strategy: s,
      }),
    )
    expect(ids(c[0]?.publicComments ?? [])).toEqual([1, 2])
  })

  it('self-reference: children of children', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(
          Query.from(Blog, 'comment'),
          Query.where(c => Pred.eq(c.id, 1)),
          Query.preload({ children: { children: true, parent: true } }),
        ),
        { strategy: s },
      ),
    )
    expect(ids(r[0]?.children ?? [])).toEqual([2, 3])
    expect(r[0]?.children.map(c => c.children)).toEqual([[], []])
  })

  it('the same key twice merges', async () => {
    const q = pipe(
      posts([1]),
      Query.preload({ comments: true }),
      Query.preload({ comments: { author: true } }),
    )
    const r = await both(s => Pg.all(q, { strategy: s }))
    expect(r[0]?.comments.map(c => O.isSome(c.author))).toEqual([true, true, true])
  })

  it('already-loaded associations are reused unless forced; nested preloads still apply', async () => {
    const first = await Pg.all(pipe(posts([1]), Query.preload({ comments: true })))(db.sql)()
    if (E.isLeft(first)) throw first.left
    const doctored = first.right.map(p => ({ ...p, comments: p.comments.slice(0, 1) }))
    const kept = await both(s =>
      Pg.preloadInto(Blog, 'post', { comments: { author: true } }, { strategy: s })(doctored),
    )
    expect(ids(kept[0]?.comments ?? [])).toEqual([1])
    expect(kept[0]?.comments[0]?.author).toEqual(O.some({ id: 2, name: 'bob', email: null }))
    const forced = await both(s =>
      Pg.preloadInto(Blog, 'post', { comments: true }, { strategy: s, force: true })(doctored),
    )
    expect(ids(forced[0]?.comments ?? [])).toEqual([1, 2, 3])
  })

  it('rows given with and without an association: the given value is kept, the others are loaded', async () => {
    const first = await Pg.all(pipe(posts([1, 2, 3]), Query.preload({ comments: true })))(db.sql)()
    if (E.isLeft(first)) throw first.left
    const [p1, p2, p3] = first.right
    if (p1 === undefined || p2 === undefined || p3 === undefined) throw new Error('seed')
    const { comments: _, ...bare2 } = p2
    const { comments: __, ...bare3 } = p3
    const given = [bare2, { ...p1, comments: p1.comments.slice(1, 2) }, bare3]
    const r = await both(s => Pg.preloadInto(Blog, 'post', { comments: true }, { strategy: s })(given))
    expect(r.map(p => ids(p.comments))).toEqual([[4], [2], [5]])
  })

  it('through with a query: the filter applies to the last hop, whose filtered value stays exposed', async () => {
    const r = await both(s =>
      Pg.all(pipe(posts([1]), Query.preload({ commentsAuthors: Preload.query({ where: { name: 'cy' } }) })), {
        strategy: s,
      }),
    )
    expect(r[0]?.commentsAuthors.map(u => u.name)).toEqual(['cy'])
    expect(r[0]?.comments.map(c => O.isSome(c.author))).toEqual([false, true, false])
  })

  it('already loaded to-one is kept (nested applied), a nil key keeps its loaded value, force reloads', async () => {
    const cs = await Pg.all(
      pipe(Query.from(Blog, 'comment'), Query.orderBy(['id']), Query.preload({ post: true })),
    )(db.sql)()
    if (E.isLeft(cs)) throw cs.left
    const [c1, , , , , c6] = cs.right
    if (c1 === undefined || c6 === undefined) throw new Error('seed')
    const given = [{ ...c1, post: O.map((p: object) => ({ ...p, title: 'stale' }))(c1.post) }, c6]
    const kept = await both(s =>
      Pg.preloadInto(Blog, 'comment', { post: { comments: true } }, { strategy: s })(given),
    )
    const p1 = kept[0]?.post
    expect(p1 !== undefined && O.isSome(p1) && [p1.value.title, ids(p1.value.comments)]).toEqual([
      'stale',
      [1, 2, 3],
    ])
    expect(kept[1]?.post).toEqual(O.none)
    const forced = await both(s =>
      Pg.preloadInto(
        Blog,
        'comment',
        { post: true },
        { strategy: s, force: true },
      )([given[0] as (typeof given)[number], { ...c6, post_id: 3 }]),
    )
    expect(forced.map(c => O.map((p: { readonly title: string }) => p.title)(c.post))).toEqual([
      O.some('hello'),
      O.some('bobs'),
    ])
  })

  it('unknown association from untyped input is a QueryError naming schema and association', async () => {
    const spec: Record<string, true> = { commnets: true }
    for (const s of strategies) {
      const r = await Run.preloadInto(Blog, 'post', spec as never, { strategy: s })([])(
        Pg.interpreter(db.sql),
      )()
      expect(r).toEqual(
        E.left(
          expect.objectContaining({
            _tag: 'QueryError',
            code: 'UnknownAssociation',
            schema: 'post',
            association: 'commnets',
          }),
        ),
      )
    }
  })

  it('no keys, no round trip; batched runs one statement per level, lateral one', async () => {
    const c = counting(Pg.interpreter(db.sql))
    const r = await Run.preloadInto(
      Blog,
      'comment',
      { post: true },
      { strategy: 'batched' },
    )([
      {
        id: 6,
        post_id: null,
        author_id: 1,
        parent_id: null,
        body: 'x',
        public: true,
        inserted_at: new Date(),
      },
    ])(c.i)()
    expect(E.isRight(r) && r.right[0]?.post).toEqual(O.none)
    expect(c.log).toEqual([])
    const c2 = counting(Pg.interpreter(db.sql))
    await Run.all(pipe(posts([1, 2]), Query.preload({ comments: { author: true }, tags: true })), {
      strategy: 'batched',
    })(c2.i)()
    expect(c2.log).toEqual(['select', 'select', 'select', 'select'])
    const c3 = counting(Pg.interpreter(db.sql))
    await Run.all(pipe(posts([1, 2]), Query.preload({ comments: { author: true }, tags: true })), {
      strategy: 'lateral',
    })(c3.i)()
    expect(c3.log).toEqual(['tree'])
  })
})
