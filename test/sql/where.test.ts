// Golden tests of the query combinators: every predicate, ordering, limit/offset, distinct. Each value
// is a parameter; each query also runs on PostgreSQL and its rows are checked.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pred, Query } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'
import { ddl, seed, X } from './fixture.js'
import { COMMENT, golden, ids, POST, USER } from './helpers.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
})
afterAll(async () => db.close())

const posts = Query.from(X, 'post')
const comments = Query.from(X, 'comment')
const users = Query.from(X, 'user')
const P = `select ${POST} from "posts" as "t0"`
const C = `select ${COMMENT} from "comments" as "t0"`

describe('comparisons', () => {
  const cases = [
    ['eq', Pred.eq, '=', [2]],
    ['neq', Pred.neq, '<>', [1, 3, 4]],
    ['lt', Pred.lt, '<', [1]],
    ['lte', Pred.lte, '<=', [1, 2]],
    ['gt', Pred.gt, '>', [3, 4]],
    ['gte', Pred.gte, '>=', [2, 3, 4]],
  ] as const
  for (const [name, op, sym, expected] of cases)
    it(name, async () => {
      const q = pipe(
        posts,
        Query.where(p => op(p.id, 2)),
      )
      const r = await golden(db.sql, q, `${P} where "t0"."id" ${sym} $1`, [2])
      expect(ids(r)).toEqual(expected)
    })

  it('a text and a timestamp value are parameters too', async () => {
    const at = new Date('2026-01-02T10:00:00Z')
    const q = pipe(
      posts,
      Query.where(p => Pred.gte(p.inserted_at, at)),
      Query.where(p => Pred.neq(p.title, "o'rphan")),
    )
    const r = await golden(db.sql, q, `${P} where "t0"."inserted_at" >= $1 and "t0"."title" <> $2`, [
      at,
      "o'rphan",
    ])
    expect(ids(r)).toEqual([2, 3, 4])
  })

  it('column against column', async () => {
    const q = pipe(
      comments,
      Query.where(c => Pred.eq(c.post_id, c.author_id)),
    )
    const r = await golden(db.sql, q, `${C} where "t0"."post_id" = "t0"."author_id"`, [])
    // comment 5: post 3, author 3
    expect(ids(r)).toEqual([5])
  })

  it('a nullable column compared with a value: NULL rows do not match', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.neq(p.author_id, 1)),
    )
    const r = await golden(db.sql, q, `${P} where "t0"."author_id" <> $1`, [1])
    expect(ids(r)).toEqual([3])
  })
})

describe('in, null, not, and, or', () => {
  it('in: one array parameter', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.in(p.id, [1, 3, 99])),
    )
    const r = await golden(db.sql, q, `${P} where "t0"."id" = any($1)`, [[1, 3, 99]])
    expect(ids(r)).toEqual([1, 3])
  })

  it('in with one value: =', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.in(p.title, ['bobs'])),
    )
    const r = await golden(db.sql, q, `${P} where "t0"."title" = $1`, ['bobs'])
    expect(ids(r)).toEqual([3])
  })

  it('in with no value: no rows, no round trip needed', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.in(p.id, [])),
    )
    const r = await golden(db.sql, q, `${P} where "t0"."id" = any($1)`, [[]])
    expect(r).toEqual([])
  })

  it('in with timestamps, booleans and texts: typed array parameters', async () => {
    const d1 = new Date('2026-01-01T10:00:00Z')
    const d3 = new Date('2026-01-03T10:00:00Z')
    const q = pipe(
      posts,
      Query.where(p => Pred.in(p.inserted_at, [d1, d3])),
      Query.where(p => Pred.in(p.published, [true])),
      Query.where(p => Pred.in(p.title, ['hello', 'bobs', 'again'])),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where "t0"."inserted_at" = any($1) and "t0"."published" = $2 and "t0"."title" = any($3)`,
      [[d1, d3], true, ['hello', 'bobs', 'again']],
    )
    expect(ids(r)).toEqual([1, 3])
  })

  it('an empty list inside an or is sent (and matches nothing)', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.or(Pred.in(p.id, []), Pred.eq(p.id, 2))),
    )
    const r = await golden(db.sql, q, `${P} where ("t0"."id" = any($1) or "t0"."id" = $2)`, [[], 2])
    expect(ids(r)).toEqual([2])
  })

  it('isNull and isNotNull', async () => {
    const a = await golden(
      db.sql,
      pipe(
        posts,
        Query.where(p => Pred.isNull(p.author_id)),
      ),
      `${P} where "t0"."author_id" is null`,
      [],
    )
    expect(ids(a)).toEqual([4])
    const b = await golden(
      db.sql,
      pipe(
        users,
        Query.where(u => Pred.isNotNull(u.email)),
      ),
      `select ${USER} from "users" as "t0" where not ("t0"."email" is null)`,
      [],
    )
    expect(ids(b)).toEqual([1, 3])
  })

  it('not', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.not(Pred.eq(p.published, true))),
    )
    const r = await golden(db.sql, q, `${P} where not ("t0"."published" = $1)`, [true])
    expect(ids(r)).toEqual([2])
  })

  it('and / or nest with the right parentheses', async () => {
    const q = pipe(
      posts,
      Query.where(p =>
        Pred.or(
          Pred.and(Pred.eq(p.published, false), Pred.eq(p.author_id, 1)),
          Pred.and(Pred.gt(p.id, 3), Pred.or(Pred.isNull(p.author_id), Pred.eq(p.author_id, 2))),
        ),
      ),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where (("t0"."published" = $1 and "t0"."author_id" = $2) or ("t0"."id" > $3 and ("t0"."author_id" is null or "t0"."author_id" = $4)))`,
      [false, 1, 3, 2],
    )
    expect(ids(r)).toEqual([2, 4])
  })

  it('an and inside a not, an or inside an and', async () => {
    const q = pipe(
      posts,
      Query.where(p =>
        Pred.and(
          Pred.not(Pred.and(Pred.eq(p.id, 1), Pred.eq(p.published, true))),
          Pred.or(Pred.eq(p.id, 1), Pred.eq(p.id, 3)),
        ),
      ),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where not ("t0"."id" = $1 and "t0"."published" = $2) and ("t0"."id" = $3 or "t0"."id" = $4)`,
      [1, true, 1, 3],
    )
    expect(ids(r)).toEqual([3])
  })

  it('empty and is true, empty or is false', async () => {
    const a = await golden(
      db.sql,
      pipe(
        posts,
        Query.where(() => Pred.and()),
      ),
      `${P} where true`,
      [],
    )
    expect(ids(a)).toEqual([1, 2, 3, 4])
    const o = pipe(
      posts,
      Query.where(() => Pred.or()),
    )
    expect(Query.toSql(o)).toEqual(E.right({ text: `${P} where false`, params: [] }))
  })
})

describe('like, ilike, fragment', () => {
  it('like', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.like(p.title, '%o%')),
    )
    const r = await golden(db.sql, q, `${P} where "t0"."title" like $1`, ['%o%'])
    expect(ids(r)).toEqual([1, 3, 4])
  })

  it('ilike', async () => {
    const q = pipe(
      users,
      Query.where(u => Pred.ilike(u.email, '%EXAMPLE.COM')),
    )
    const r = await golden(db.sql, q, `select ${USER} from "users" as "t0" where "t0"."email" ilike $1`, [
      '%EXAMPLE.COM',
    ])
    expect(ids(r)).toEqual([1, 3])
  })

  it('fragment: columns as columns, values as parameters', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.fragment`length(${p.title}) = ${5} and ${p.body} like ${'%post'}`),
    )
    const r = await golden(db.sql, q, `${P} where (length("t0"."title") = $1 and "t0"."body" like $2)`, [
      5,
      '%post',
    ])
    // hello (first post), again (second post)
    expect(ids(r)).toEqual([1, 2])
  })

  it('a value that looks like SQL is only ever a parameter', async () => {
    const evil = `x'; drop table posts; --`
    const q = pipe(
      posts,
      Query.where(p => Pred.eq(p.title, evil)),
    )
    const r = await golden(db.sql, q, `${P} where "t0"."title" = $1`, [evil])
    expect(r).toEqual([])
    const c = await db.sql.unsafe('select count(*)::int as n from posts')
    expect(c[0]?.['n']).toBe(4)
  })
})

describe('orderBy, limit, offset, distinct', () => {
  it('several keys with nulls first / last', async () => {
    const q = pipe(
      posts,
      Query.orderBy([
        ['asc_nulls_first', 'author_id'],
        ['desc', 'id'],
      ]),
    )
    const r = await golden(db.sql, q, `${P} order by "t0"."author_id" asc nulls first, "t0"."id" desc`, [])
    expect(r.map(p => p['id'])).toEqual([4, 2, 1, 3])
    const l = await golden(
      db.sql,
      pipe(posts, Query.orderBy([['desc_nulls_last', 'author_id'], 'id'])),
      `${P} order by "t0"."author_id" desc nulls last, "t0"."id" asc`,
      [],
    )
    expect(l.map(p => p['id'])).toEqual([3, 1, 2, 4])
  })

  it('orderBy appends: later keys break ties of earlier ones', async () => {
    const q = pipe(
      comments,
      Query.orderBy([['desc', 'public']]),
      Query.orderBy([['desc_nulls_first', 'parent_id'], 'id']),
    )
    const r = await golden(
      db.sql,
      q,
      `${C} order by "t0"."public" desc, "t0"."parent_id" desc nulls first, "t0"."id" asc`,
      [],
    )
    expect(r.map(c => c['id'])).toEqual([1, 4, 6, 2, 5, 3])
  })

  it('limit and offset are parameters', async () => {
    const q = pipe(posts, Query.orderBy(['id']), Query.limit(2), Query.offset(1))
    const r = await golden(db.sql, q, `${P} order by "t0"."id" asc limit $1 offset $2`, [2, 1])
    expect(r.map(p => p['id'])).toEqual([2, 3])
  })

  it('limit 0', async () => {
    const r = await golden(db.sql, pipe(posts, Query.limit(0)), `${P} limit $1`, [0])
    expect(r).toEqual([])
  })

  it('distinct, and distinct(false) removes it', async () => {
    const q = pipe(users, Query.distinct())
    const r = await golden(db.sql, q, `select distinct ${USER} from "users" as "t0"`, [])
    expect(ids(r)).toEqual([1, 2, 3])
    expect(Query.toSql(pipe(q, Query.distinct(false)))).toEqual(
      E.right({ text: `select ${USER} from "users" as "t0"`, params: [] }),
    )
  })

  it('combinators return new values: the original query is unchanged', () => {
    const base = posts
    const before = Query.toSql(base)
    const narrow = pipe(
      base,
      Query.where(p => Pred.eq(p.id, 1)),
      Query.orderBy(['id']),
      Query.limit(1),
    )
    expect(Query.toSql(base)).toEqual(before)
    expect(Query.toSql(narrow)).not.toEqual(before)
    expect(Object.isFrozen(base.select)).toBe(true)
    for (const q of [
      narrow,
      pipe(base, Query.distinct()),
      pipe(base, Query.offset(2)),
      pipe(base, Query.limit(-1)),
    ])
      expect(Object.isFrozen(q)).toBe(true)
  })
})
