// Subqueries as typed values (issue 15): `Pred.exists` / `Pred.notExists` over any query, `Pred.in`
// over a query's one output, `Fn.scalar` (a scalar subquery). Golden SQL for each, then the same query on
// PostgreSQL and on the memory interpreter (fed the database's own rows) with equal results; the alias
// namespaces of correlated subqueries (the same table as the outer query, two deep, siblings, a query
// built outside the callback); errors of an inner query carried to the outer one; misuse refused.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fn, Memory, Pg, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { agree, openBlog, refused } from './fixture.js'

const names = [
  'users',
  'posts',
  'comments',
  'archived_comments',
  'permalinks',
  'tags',
  'posts_tags',
  'profiles',
  'favorites',
]

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(names))
})
afterAll(async () => db.close())

// The query's SQL is `text` with `params`; it runs on PostgreSQL and in memory with equal rows (in the
// query's order when it has one, else compared as sets).
const both = (q: Query.AnyQuery, text: string, params: ReadonlyArray<unknown> = [], ordered?: boolean) =>
  agree({ db, tables }, q, text, params, ordered)

const cols = (a: string, cs: ReadonlyArray<string>) => cs.map(c => `"${a}"."${c}"`).join(', ')
const postCols = cols('t0', ['id', 'author_id', 'title', 'body', 'published', 'inserted_at'])
const userCols = cols('t0', ['id', 'name', 'email'])

describe('exists and not exists', () => {
  it('a correlated subquery of the same table as the outer query: posts with a later post by their author', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p =>
        Pred.exists(
          pipe(
            Query.from(Blog, 'post'),
            Query.where(o =>
              Pred.and(Pred.eq(o.author_id, p.author_id), Pred.gt(o.inserted_at, p.inserted_at)),
            ),
          ),
        ),
      ),
      Query.select(p => ({ id: p.id })),
    )
    const rows = await both(
      q,
      'select "t0"."id" from "posts" as "t0" where exists (select 1 from "posts" as "s1_0" where ' +
        '"s1_0"."author_id" = "t0"."author_id" and "s1_0"."inserted_at" > "t0"."inserted_at")',
    )
    expect(rows.length).toBeGreaterThan(0)
  })

  it('nested two deep: each reference keeps its binding (the outer root and the middle query)', async () => {
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.where(u =>
        Pred.exists(
          pipe(
            Query.from(Blog, 'post'),
            Query.where(p =>
              Pred.and(
                Pred.eq(p.author_id, u.id),
                Pred.exists(
                  pipe(
                    Query.from(Blog, 'comment'),
                    Query.where(c => Pred.and(Pred.eq(c.post_id, p.id), Pred.eq(c.author_id, u.id))),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    )
    await both(
      q,
      `select ${userCols} from "users" as "t0" where exists (select 1 from "posts" as "s2_0" where ` +
        '"s2_0"."author_id" = "t0"."id" and exists (select 1 from "comments" as "s1_0" where ' +
        '"s1_0"."post_id" = "s2_0"."id" and "s1_0"."author_id" = "t0"."id"))',
    )
  })

  it('two sibling subqueries, one with a join, and not exists', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p =>
        Pred.and(
          Pred.exists(
            pipe(
              Query.from(Blog, 'comment'),
              Query.where(c => Pred.eq(c.post_id, p.id)),
            ),
          ),
          Pred.notExists(
            pipe(
              Query.from(Blog, 'comment'),
              Query.join('author'),
              Query.where((c, $) => Pred.and(Pred.eq(c.post_id, p.id), Pred.eq($.joined.author.name, 'bob'))),
            ),
          ),
        ),
      ),
    )
    await both(
      q,
      `select ${postCols} from "posts" as "t0" where exists (select 1 from "comments" as "s1_0" where "s1_0"."post_id" = "t0"."id") ` +
        'and not (exists (select 1 from "comments" as "s1_0" inner join "users" as "s1_1" on "s1_1"."id" = "s1_0"."author_id" ' +
        'where "s1_0"."post_id" = "t0"."id" and "s1_1"."name" = $1))',
      ['bob'],
    )
  })

  it('a query built outside the callback, extended inside it, with a relation aggregate of its own', async () => {
    const posts = Query.from(Blog, 'post')
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.where(u =>
        Pred.exists(
          pipe(
            posts,
            Query.where((p, $) =>
              Pred.and(
                Pred.eq(p.author_id, u.id),
                $.exists('comments', c => Pred.eq(c.author_id, u.id)),
              ),
            ),
          ),
        ),
      ),
    )
    await both(
      q,
      `select ${userCols} from "users" as "t0" where exists (select 1 from "posts" as "s1_0" where "s1_0"."author_id" = "t0"."id" ` +
        'and exists (select 1 from "comments" as "s1_e1_0" where "s1_e1_0"."post_id" = "s1_0"."id" and "s1_e1_0"."author_id" = "t0"."id"))',
    )
    // the query built outside is unchanged
    expect(Query.toSql(posts)).toEqual(
      E.right({ text: `select ${postCols} from "posts" as "t0"`, params: [] }),
    )
  })

  it('an uncorrelated query, a distinct one keeping its columns', async () => {
    const q = pipe(
      Query.from(Blog, 'tag'),
      Query.where(() =>
        Pred.exists(
          pipe(
            Query.from(Blog, 'post'),
            Query.select(p => ({ a: p.author_id })),
            Query.distinct(),
          ),
        ),
      ),
    )
    await both(
      q,
      'select "t0"."id", "t0"."name" from "tags" as "t0" where exists (select distinct "s1_0"."author_id" as "a" from "posts" as "s1_0")',
    )
  })
})

describe('in a query', () => {
  it("users who wrote a published post: membership in the query's one output", async () => {
    const authors = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.eq(p.published, true)),
      Query.select(p => ({ id: p.author_id })),
    )
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.where(u => Pred.in(u.id, authors)),
    )
    await both(
      q,
      `select ${userCols} from "users" as "t0" where "t0"."id" in (select "s1_0"."author_id" as "id" from "posts" as "s1_0" where "s1_0"."published" = $1)`,
      [true],
    )
    // and negated, correlated: posts whose author commented on none of their posts
    const q2 = pipe(
      Query.from(Blog, 'post'),
      Query.where(p =>
        Pred.not(
          Pred.in(
            p.author_id,
            pipe(
              Query.from(Blog, 'comment'),
              Query.where(c => Pred.and(Pred.eq(c.post_id, p.id), Pred.isNotNull(c.author_id))),
              Query.select(c => ({ a: c.author_id })),
            ),
          ),
        ),
      ),
      Query.select(p => ({ id: p.id })),
    )
    await both(
      q2,
      'select "t0"."id" from "posts" as "t0" where not ("t0"."author_id" in (select "s1_0"."author_id" as "a" from "comments" as "s1_0" ' +
        'where "s1_0"."post_id" = "t0"."id" and not ("s1_0"."author_id" is null)))',
    )
  })
})

describe('scalar subqueries', () => {
  it('in a projection, a where and an order; decoded as the inner output, NULL with no row', async () => {
    const last = (p: { readonly id: Pred.Term<number> }) =>
      Fn.scalar(
        pipe(
          Query.from(Blog, 'comment'),
          Query.where(c => Pred.eq(c.post_id, p.id)),
          Query.select(c => ({ m: Fn.max(c.inserted_at) })),
        ),
      )
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p =>
        Pred.isNotNull(
          Fn.scalar(
            pipe(
              Query.from(Blog, 'user'),
              Query.where(u => Pred.eq(p.author_id, u.id)),
              Query.select(u => ({ n: u.name })),
            ),
          ),
        ),
      ),
      Query.select(p => ({ id: p.id, last: last(p) })),
      Query.orderBy(p => [['desc', last(p)], p.id]),
    )
    const sub = (a: string) =>
      `(select max("${a}"."inserted_at") as "m" from "comments" as "${a}" where "${a}"."post_id" = "t0"."id")`
    const rows = await both(
      q,
      `select "t0"."id", ${sub('s1_0')} as "last" from "posts" as "t0" where not ((select "s1_0"."name" as "n" from "users" as "s1_0" where "t0"."author_id" = "s1_0"."id") is null) ` +
        `order by ${sub('s1_0')} desc, "t0"."id" asc`,
    )
    expect(rows.some(r => r['last'] instanceof Date)).toBe(true)
  })

  it('more than one row is PostgreSQL error 21000, a DbError on both interpreters', async () => {
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({
        id: u.id,
        post: Fn.scalar(
          pipe(
            Query.from(Blog, 'post'),
            Query.select(p => ({ t: p.title })),
          ),
        ),
      })),
    )
    const pg = await Pg.all(q)(db.sql)()
    const mem = await Memory.all(q)(tables)()
    expect(E.isLeft(pg) && pg.left).toMatchObject({ _tag: 'DbError', code: '21000' })
    expect(E.isLeft(mem) && mem.left).toMatchObject({ _tag: 'DbError', code: '21000' })
  })
})

describe('errors', () => {
  it("an inner query's errors are the outer query's", () => {
    const bad = (p: { readonly id: Pred.Term<number> }) =>
      pipe(
        Query.from(Blog, 'comment'),
        Query.where(c =>
          Pred.eq((c as unknown as Record<string, Pred.Term<number>>)['nope'] as Pred.Term<number>, p.id),
        ),
      )
    refused(
      pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.exists(bad(p))),
      ),
      'UnknownColumn',
      /no column 'nope'/,
    )
    refused(
      pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.notExists(bad(p))),
      ),
      'UnknownColumn',
      /no column 'nope'/,
    )
    const grouped = pipe(
      Query.from(Blog, 'post'),
      Query.groupBy(p => [p.author_id]),
      Query.select(p => ({ t: p.title })),
    )
    refused(
      pipe(
        Query.from(Blog, 'user'),
        Query.select(() => ({ t: Fn.scalar(grouped) })),
      ),
      'InvalidArgument',
      /neither grouped/,
    )
    refused(
      pipe(
        Query.from(Blog, 'user'),
        Query.where(u => Pred.in(u.name, grouped)),
        Query.groupBy(u => [u.id]),
      ),
      'InvalidArgument',
      /neither grouped/,
    )
  })

  it('misuse from untyped code is a QueryError, never an exception', () => {
    const untyped = Pred as unknown as Record<string, (...a: ReadonlyArray<unknown>) => unknown>
    const fn = Fn as unknown as Record<string, (...a: ReadonlyArray<unknown>) => unknown>
    const posts = Query.from(Blog, 'post')
    const two = pipe(
      posts,
      Query.select(p => ({ a: p.id, b: p.title })),
    )
    for (const [f, arg, message] of [
      [() => untyped['exists']?.(42), 42, /Pred.exists: expected a query/],
      [
        () => untyped['notExists']?.({ _tag: 'Query', select: posts.select, errors: [] }),
        0,
        /Pred.notExists: expected a query/,
      ],
      [
        () => untyped['in']?.(posts.select.columns[0]?.expr, posts),
        0,
        /Pred.in: expected a query with exactly 1 output.*whole rows/,
      ],
      [
        () => untyped['in']?.(posts.select.columns[0]?.expr, two),
        0,
        /Pred.in: expected a query with exactly 1 output.*2 outputs/,
      ],
      [
        () => untyped['in']?.(posts.select.columns[0]?.expr, 'x'),
        0,
        /Pred.in: expected an array of values or a query/,
      ],
    ] as const) {
      void arg
      refused(
        pipe(
          Query.from(Blog, 'post'),
          Query.where(() => f() as Pred.Pred),
        ),
        'InvalidArgument',
        message,
      )
    }
    refused(
      pipe(
        Query.from(Blog, 'post'),
        Query.select(() => ({ x: fn['scalar']?.(two) as Pred.Term<number> })),
      ),
      'InvalidArgument',
      /Fn.scalar: expected a query with exactly 1 output/,
    )
    refused(
      pipe(
        Query.from(Blog, 'post'),
        Query.select(() => ({ x: fn['scalar']?.(null) as Pred.Term<number> })),
      ),
      'InvalidArgument',
      /Fn.scalar: expected a query/,
    )
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom')
        },
      },
    )
    expect(() => untyped['exists']?.(throwing)).not.toThrow()
    expect(() => fn['scalar']?.(throwing)).not.toThrow()
  })
})
