// The memory interpreter's semantics on hand-made cases (the differential property checks it against
// PostgreSQL on random ones), and its cost on 100k rows.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import * as Expr from '../../src/ast/Expr.js'
import * as Select from '../../src/ast/Select.js'
import { Memory, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'

const d = (day: number) => new Date(Date.UTC(2026, 0, day, 10))
const tables: Memory.Tables = new Map<string, ReadonlyArray<Readonly<Record<string, unknown>>>>([
  [
    'users',
    [
      { id: 1, name: 'ada', email: 'ada@example.com' },
      { id: 2, name: 'Bob', email: null },
      { id: 3, name: 'z😀', email: 'c_y@example.com' },
      { id: 4, name: 'z\uffff', email: null },
    ],
  ],
  [
    'posts',
    [
      { id: 1, author_id: 1, title: 'a%b', body: 'x', published: true, inserted_at: d(1) },
      { id: 2, author_id: 1, title: 'ab', body: 'y', published: false, inserted_at: d(2) },
      { id: 3, author_id: 2, title: 'a\\b', body: 'z', published: true, inserted_at: d(3) },
      { id: 4, author_id: null, title: 'AB', body: 'w', published: true, inserted_at: d(4) },
      { id: 5, author_id: 99, title: 'dangling', body: 'v', published: false, inserted_at: d(5) },
    ],
  ],
  [
    'comments',
    [
      { id: 1, post_id: 1, author_id: 2, parent_id: null, body: 'nice', public: true, inserted_at: d(5) },
      { id: 2, post_id: 1, author_id: 3, parent_id: 1, body: 'agreed', public: true, inserted_at: d(6) },
      { id: 3, post_id: 1, author_id: 2, parent_id: 1, body: 'thanks', public: false, inserted_at: d(7) },
      { id: 4, post_id: 2, author_id: 1, parent_id: null, body: 'self', public: true, inserted_at: d(8) },
      { id: 5, post_id: 3, author_id: 3, parent_id: null, body: 'hi', public: false, inserted_at: d(9) },
    ],
  ],
  ['permalinks', []],
  ['tags', []],
  ['posts_tags', []],
])

// Takes any query value (not `AnyQuery`, which as a contextual type would erase the model's row types).
const ids = async (q: { readonly _tag: 'Query' }): Promise<ReadonlyArray<unknown>> => {
  const r = await Memory.all(q as Query.AnyQuery)(tables)()
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right.map(x => (x as { readonly id: unknown }).id)
}

describe('memory interpreter', () => {
  it('uses three-valued logic: a comparison with NULL is unknown, WHERE keeps only true', async () => {
    const users = Query.from(Blog, 'user')
    expect(
      await ids(
        pipe(
          users,
          Query.where(u => Pred.neq(u.email, 'ada@example.com')),
        ),
      ),
    ).toEqual([3])
    expect(
      await ids(
        pipe(
          users,
          Query.where(u => Pred.not(Pred.eq(u.email, 'x'))),
        ),
      ),
    ).toEqual([1, 3])
    expect(
      await ids(
        pipe(
          users,
          Query.where(u => Pred.or(Pred.isNull(u.email), Pred.eq(u.email, 'x'))),
        ),
      ),
    ).toEqual([2, 4])
    // every: a NULL result counts as not satisfied (IS NOT TRUE)
    expect(
      await ids(
        pipe(
          Query.from(Blog, 'post'),
          Query.where((_, $) => $.every('comments', c => Pred.neq(c.parent_id, 1))),
        ),
      ),
    ).toEqual([4, 5])
  })

  it('LIKE and ILIKE: % _ and backslash escapes; a trailing escape is the error PostgreSQL raises', async () => {
    const posts = Query.from(Blog, 'post')
    expect(
      await ids(
        pipe(
          posts,
          Query.where(p => Pred.like(p.title, 'a\\%b')),
        ),
      ),
    ).toEqual([1])
    expect(
      await ids(
        pipe(
          posts,
          Query.where(p => Pred.like(p.title, 'a_b')),
        ),
      ),
    ).toEqual([1, 3])
    expect(
      await ids(
        pipe(
          posts,
          Query.where(p => Pred.like(p.title, 'a\\\\b')),
        ),
      ),
    ).toEqual([3])
    expect(
      await ids(
        pipe(
          posts,
          Query.where(p => Pred.ilike(p.title, 'ab')),
        ),
      ),
    ).toEqual([2, 4])
    const r = await Memory.all(
      pipe(
        posts,
        Query.where(p => Pred.like(p.title, 'a\\')),
      ),
    )(tables)()
    expect(r).toMatchObject(E.left({ _tag: 'DbError', kind: 'DataException', code: '22025' }))
  })

  it('orders NULLS LAST ascending, NULLS FIRST descending, as told otherwise; text by code point', async () => {
    const posts = Query.from(Blog, 'post')
    expect(await ids(pipe(posts, Query.orderBy(['author_id', 'id'])))).toEqual([1, 2, 3, 5, 4])
    expect(await ids(pipe(posts, Query.orderBy([['desc', 'author_id'], 'id'])))).toEqual([4, 5, 3, 1, 2])
    expect(await ids(pipe(posts, Query.orderBy([['asc_nulls_first', 'author_id'], 'id'])))).toEqual([
      4, 1, 2, 3, 5,
    ])
    expect(await ids(pipe(posts, Query.orderBy([['desc_nulls_last', 'author_id'], 'id'])))).toEqual([
      5, 3, 1, 2, 4,
    ])
    // code point order puts U+1F600 after U+FFFF (JavaScript's default sort would not)
    expect(await ids(pipe(Query.from(Blog, 'user'), Query.orderBy(['name'])))).toEqual([2, 1, 4, 3])
    expect(Memory.compareText('z😀', 'z\uffff')).toBeGreaterThan(0)
  })

  it('distinct over whole rows, offset then limit', async () => {
    const q = Query.assoc(Blog, 'post', 'commentsAuthors')
    const posts = [{ id: 1 }, { id: 2 }, { id: 3 }] as never
    expect(await ids(pipe(q(posts), Query.orderBy(['id'])))).toEqual([1, 2, 3])
    expect(await ids(pipe(q(posts), Query.orderBy(['id']), Query.offset(1), Query.limit(1)))).toEqual([2])
  })

  it('joins: inner drops, left keeps unmatched rows; exists is correlated', async () => {
    expect(await ids(pipe(Query.from(Blog, 'post'), Query.join('author'), Query.orderBy(['id'])))).toEqual([
      1, 2, 3,
    ])
    expect(
      await ids(pipe(Query.from(Blog, 'post'), Query.join('author', 'left'), Query.orderBy(['id']))),
    ).toEqual([1, 2, 3, 4, 5])
    expect(
      await ids(
        pipe(
          Query.from(Blog, 'user'),
          Query.where((_, $) =>
            $.exists('posts', (_p, $$) => $$.exists('comments', c => Pred.eq(c.public, false))),
          ),
        ),
      ),
    ).toEqual([1, 2])
  })

  it('a fragment is Unsupported; an unknown table is UndefinedTable', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.fragment`length(${p.title}) > ${2}`),
    )
    expect(await Memory.all(q)(tables)()).toMatchObject(E.left({ _tag: 'QueryError', code: 'Unsupported' }))
    const r = await Memory.all(Query.from(Blog, 'post'))(new Map())()
    expect(r).toMatchObject(E.left({ _tag: 'DbError', kind: 'UndefinedTable' }))
  })

  it('perParent keeps the top N of each group in order', () => {
    const s = pipe(
      Select.create({ table: 'comments', alias: 'c' }, [{ name: 'id', expr: Expr.column('c', 'id') }]),
      Select.withOrder([{ expr: Expr.column('c', 'id'), dir: 'desc', nulls: 'default' }]),
      Select.set(
        'perParent',
        O.some({
          keys: [Expr.column('c', 'post_id')],
          limit: O.some(2),
          offset: O.none,
          distinctKeys: O.none,
        }),
      ),
    )
    expect(Memory.evaluate(tables)(s)).toEqual(E.right([{ id: 5 }, { id: 4 }, { id: 3 }, { id: 2 }]))
  })

  it('evaluates exists and through assoc over 100k rows in well under a second', async () => {
    const users = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, name: `u${i}`, email: null }))
    const posts = Array.from({ length: 50_000 }, (_, i) => ({
      id: i + 1,
      author_id: (i % 10_000) + 1,
      title: `t${i}`,
      body: '',
      published: i % 2 === 0,
      inserted_at: d(1),
    }))
    const comments = Array.from({ length: 100_000 }, (_, i) => ({
      id: i + 1,
      post_id: (i % 50_000) + 1,
      author_id: (i % 10_000) + 1,
      parent_id: null,
      body: '',
      public: i % 3 === 0,
      inserted_at: d(2),
    }))
    const big: Memory.Tables = new Map<string, ReadonlyArray<Readonly<Record<string, unknown>>>>([
      ['users', users],
      ['posts', posts],
      ['comments', comments],
    ])
    const timed = async <A>(f: () => Promise<A>): Promise<readonly [A, number]> => {
      const t = performance.now()
      const a = await f()
      return [a, performance.now() - t]
    }
    const [exists, existsMs] = await timed(
      Memory.all(
        pipe(
          Query.from(Blog, 'post'),
          Query.where((p, $) =>
            Pred.and(
              Pred.eq(p.published, true),
              $.exists('comments', c => Pred.eq(c.public, true)),
            ),
          ),
        ),
      )(big),
    )
    const [through, throughMs] = await timed(
      Memory.all(Query.assoc(Blog, 'user', ['posts', 'comments'])(users.slice(0, 5000)))(big),
    )
    const withPublic = new Set(comments.filter(c => c.public).map(c => c.post_id))
    expect(E.isRight(exists) && exists.right.length).toBe(
      posts.filter(p => p.published && withPublic.has(p.id)).length,
    )
    expect(E.isRight(through) && through.right.length).toBe(50_000)
    console.log(
      `memory: exists over 50k posts / 100k comments ${existsMs.toFixed(0)} ms; distinct 2-hop assoc (50k rows) ${throughMs.toFixed(0)} ms`,
    )
    // Generous bounds for a loaded two-core machine; each includes building the indexes it needs.
    expect(existsMs).toBeLessThan(1500)
    expect(throughMs).toBeLessThan(1500)
  })
})
