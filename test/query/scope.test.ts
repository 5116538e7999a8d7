// Query identity (issue 15): a column term belongs to the query whose callback handed it out. Kept and
// used in another query it would compile to the alias it has there (every top-level query's root is
// "t0"), reading a binding of another table or none; so each combinator that takes terms back refuses a
// term of another query with a `QueryError` naming the column, the binding and its schema, before any
// SQL is sent (toSql, PostgreSQL and memory alike). Correlation stays legal: a query built inside a
// callback reads the rows of the queries whose callbacks are running (exists, lateral joins, subqueries
// at any depth), and the compiled SQL of legal queries is unchanged.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fn, Memory, Pg, Pred, Preload, Prepared, Query, Write } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { agree, openBlog } from './fixture.js'

const names = ['users', 'posts', 'comments', 'archived_comments', 'permalinks', 'tags', 'posts_tags']

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(names))
})
afterAll(async () => db.close())

// The terms of a query's root row, kept after its callback returned (the misuse under test).
const keptPost = (): Query.TableRefs<typeof Blog, 'post'> => {
  let kept: Query.TableRefs<typeof Blog, 'post'> | undefined
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => ((kept = p), Pred.and())),
  )
  if (kept === undefined) throw new Error('the where callback did not run')
  return kept
}

// Refused alike by toSql, PostgreSQL and the memory interpreter, with the same error, which names the
// column, the binding (and its schema) and says it belongs to another query.
const refusedEverywhere = async (
  q: Query.AnyQuery,
  column: string,
  binding: string,
  schema?: string,
): Promise<void> => {
  const sql = Query.toSql(q)
  expect(E.isLeft(sql)).toBe(true)
  const error = E.isLeft(sql) ? sql.left : undefined
  expect(error).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
  expect(error?.message).toContain(`column '${column}' of binding '${binding}'`)
  if (schema !== undefined) expect(error?.message).toContain(`(schema '${schema}')`)
  expect(error?.message).toContain('belongs to another query')
  expect(await Pg.all(q)(db.sql)()).toEqual(E.left(error))
  expect(await Memory.all(q)(tables)()).toEqual(E.left(error))
}

describe('a term of another query is refused', () => {
  it('the repro: a post term in a projection of users (was the users ids, on both interpreters)', async () => {
    const p = keptPost()
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.select(() => ({ x: p.id })),
    )
    await refusedEverywhere(q, 'id', 'post', 'post')
    // a column users do not have: was a raw PostgreSQL 42703
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'user'),
        Query.select(() => ({ x: p.title })),
      ),
      'title',
      'post',
    )
  })

  it('even a query of the same table: each query is its own', async () => {
    const p = keptPost()
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'post'),
        Query.where(() => Pred.eq(p.id, 1)),
      ),
      'id',
      'post',
    )
  })

  it('in where, orderBy (callback and items), groupBy, having, distinctOn and selectMerge', async () => {
    const p = keptPost()
    const user = Query.from(Blog, 'user')
    await refusedEverywhere(
      pipe(
        user,
        Query.where(u => Pred.and(Pred.gt(u.id, 0), Pred.eq(p.author_id, u.id))),
      ),
      'author_id',
      'post',
    )
    await refusedEverywhere(
      pipe(
        user,
        Query.orderBy(() => [['desc', p.inserted_at]]),
      ),
      'inserted_at',
      'post',
    )
    await refusedEverywhere(pipe(user, Query.orderBy([['asc', p.id]] as never)), 'id', 'post')
    await refusedEverywhere(
      pipe(
        user,
        Query.groupBy(() => [Fn.lower(p.title)]),
        Query.select(() => ({ n: Fn.count() })),
      ),
      'title',
      'post',
    )
    await refusedEverywhere(
      pipe(
        user,
        Query.groupBy(u => [u.id]),
        Query.having(() => Pred.gt(Fn.max(p.id), 1)),
      ),
      'id',
      'post',
    )
    await refusedEverywhere(
      pipe(
        user,
        Query.distinctOn(() => [p.author_id]),
      ),
      'author_id',
      'post',
    )
    await refusedEverywhere(
      pipe(
        user,
        Query.selectMerge(() => ({ t: p.title })),
      ),
      'title',
      'post',
    )
  })

  it("in a join's on, and a joined binding's term kept and used in another query", async () => {
    const p = keptPost()
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'user'),
        Query.join('posts', 'left', { on: q => Pred.eq(q.id, p.id) }),
        Query.select(u => ({ id: u.id })),
      ),
      'id',
      'post',
    )
    let author: Query.TableRefs<typeof Blog, 'user'> | undefined
    pipe(
      Query.from(Blog, 'post'),
      Query.join('author'),
      Query.where((_, $) => ((author = $.joined.author), Pred.and())),
    )
    if (author === undefined) throw new Error('the where callback did not run')
    const a = author
    // the other query joins its author as t1 too: the term would have read this query's t1
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'comment'),
        Query.join('author'),
        Query.select(() => ({ name: a.name })),
      ),
      'name',
      'author',
      'user',
    )
  })

  it('in the predicate of a relation aggregate, and a related row kept and used outside it', async () => {
    const p = keptPost()
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'user'),
        Query.select((u, $) => ({ id: u.id, n: $.count('comments', c => Pred.eq(c.post_id, p.id)) })),
      ),
      'id',
      'post',
    )
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'user'),
        Query.where((_, $) => $.exists('posts', q => Pred.eq(q.id, p.id))),
      ),
      'id',
      'post',
    )
    // the comment row of `$.exists` is the relation's own: out of its callback it belongs to no one here
    let c: Query.TableRefs<typeof Blog, 'comment'> | undefined
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'post'),
        Query.where((_, $) =>
          Pred.and(
            $.exists('comments', x => ((c = x), Pred.and())),
            Pred.eq(c!.id, 1),
          ),
        ),
      ),
      'id',
      'comments',
      'comment',
    )
  })

  it('the scope ($) of a callback kept and called for another query', async () => {
    let kept: Query.Scope<typeof Blog, 'post', {}> | undefined
    pipe(
      Query.from(Blog, 'post'),
      Query.where((_, $) => ((kept = $), Pred.and())),
    )
    const $ = kept!
    // its correlation reads the post row by alias: over users it would count by the users' ids
    const queries: ReadonlyArray<Query.AnyQuery> = [
      pipe(
        Query.from(Blog, 'user'),
        Query.select(u => ({ id: u.id, n: $.count('comments') })),
      ),
      pipe(
        Query.from(Blog, 'user'),
        Query.where(() => $.exists('comments', c => Pred.eq(c.public, true))),
      ),
    ]
    for (const q of queries) {
      const sql = Query.toSql(q)
      expect(E.isLeft(sql) && sql.left).toMatchObject({
        code: 'InvalidArgument',
        message: expect.stringMatching(
          /^\$\.(count|exists)\('comments'\): the scope \(\$\) of a callback over 'post' belongs to another query/,
        ),
      })
      expect(await Pg.all(q)(db.sql)()).toEqual(sql)
      expect(await Memory.all(q)(tables)()).toEqual(sql)
    }
  })

  it("a subquery's binding used in the outer query after its callback returned", async () => {
    let inner: Query.TableRefs<typeof Blog, 'comment'> | undefined
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p =>
        Pred.exists(
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => ((inner = c), Pred.eq(c.post_id, p.id))),
          ),
        ),
      ),
      Query.select(() => ({ body: inner!.body })),
    )
    await refusedEverywhere(q, 'body', 'comment', 'comment')
  })

  it('a correlated subquery built in one query and reused in another', async () => {
    let correlated: Pred.Pred | undefined
    pipe(
      Query.from(Blog, 'post'),
      Query.where(
        p =>
          (correlated = Pred.exists(
            pipe(
              Query.from(Blog, 'comment'),
              Query.where(c => Pred.eq(c.post_id, p.id)),
            ),
          )),
      ),
    )
    // inside the user query, "t0"."id" would be the user's id
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'user'),
        Query.where(() => correlated!),
      ),
      'id',
      'post',
    )
  })

  it("a derived table's row (fromQuery, joinQuery) kept and used in another query", async () => {
    const titles = pipe(
      Query.from(Blog, 'post'),
      Query.select(p => ({ id: p.id, title: p.title })),
    )
    let d: Query.Refs<{ readonly id: number; readonly title: string }> | undefined
    pipe(
      Query.fromQuery(titles),
      Query.where(r => ((d = r), Pred.and())),
    )
    await refusedEverywhere(
      pipe(
        Query.fromQuery(titles),
        Query.select(() => ({ t: d!.title })),
      ),
      'title',
      'the row of Query.fromQuery',
    )
    let j: Query.Refs<{ readonly id: number; readonly title: string }> | undefined
    pipe(
      Query.from(Blog, 'user'),
      Query.joinQuery(titles, 'inner', { as: 'x', on: x => ((j = x), Pred.and()) }),
    )
    await refusedEverywhere(
      pipe(
        Query.from(Blog, 'user'),
        Query.joinQuery(titles, 'inner', { as: 'x', on: x => Pred.eq(x.id, j!.id) }),
      ),
      'id',
      'x',
    )
  })

  it('in a prepared query, before anything is sent', async () => {
    const p = keptPost()
    const prepared = Prepared.make({ id: t.number }, ({ id }) =>
      pipe(
        Query.from(Blog, 'user'),
        Query.where(u => Pred.and(Pred.eq(u.id, id), Pred.eq(p.author_id, id))),
      ),
    )
    const pg = await Pg.prepared(prepared)({ id: 1 })(db.sql)()
    expect(E.isLeft(pg) && pg.left).toMatchObject({
      _tag: 'QueryError',
      code: 'InvalidArgument',
      message: expect.stringContaining(
        "column 'author_id' of binding 'post' (schema 'post') belongs to another query",
      ),
    })
    expect(await Memory.prepared(prepared)({ id: 1 })(tables)()).toEqual(pg)
  })

  it("in a preload's custom query", async () => {
    const p = keptPost()
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.preload({
        comments: Preload.query(
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => Pred.eq(c.author_id, p.author_id)),
          ),
        ),
      }),
    )
    const pg = await Pg.all(q)(db.sql)()
    expect(E.isLeft(pg) && pg.left.message).toMatch(
      /column 'author_id' of binding 'post'.*belongs to another query/,
    )
    expect(await Memory.all(q)(tables)()).toEqual(pg)
  })
})

describe('the assignments of set-based writes', () => {
  const users = pipe(
    Query.from(Blog, 'user'),
    Query.where(u => Pred.gt(u.id, 100)),
  )

  it("updateAll refuses a term of another query (it would read the written row's column of its alias)", () => {
    const p = keptPost()
    const plan = Write.updateAll(users, () => ({ name: p.title }))
    expect(E.isLeft(plan) && plan.left).toMatchObject({
      _tag: 'WriteError',
      code: 'InvalidValue',
      message: expect.stringMatching(
        /Write\.updateAll: column 'name' of schema 'user': the term's column 'title' of binding 'post' \(schema 'post'\) belongs to another query/,
      ),
    })
  })

  it('updateAll takes its own row, and a term of the query it updates', () => {
    let kept: Query.TableRefs<typeof Blog, 'user'> | undefined
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.where(u => ((kept = u), Pred.gt(u.id, 100))),
    )
    const plan = Write.updateAll(q, u => ({ name: Fn.upper(u.name), email: kept!.name }))
    expect(E.map((p: Write.Plan<number>) => Write.toSql(p))(plan)).toEqual(
      E.right([
        {
          text: 'update "users" as "t0" set "name" = upper("t0"."name"), "email" = "t0"."name" where "t0"."id" > $1 returning "id"',
          params: [100],
        },
      ]),
    )
  })

  it("an upsert's update refuses a term of another query, and the update's row kept for another", () => {
    const p = keptPost()
    const upsert = (
      update: (u: Query.TableRefs<typeof Blog, 'user'>) => Write.Assignments<typeof Blog, 'user'>,
    ) =>
      Write.insertAll(Blog, 'user', [{ id: 1, name: 'a', email: null }], {
        onConflict: { target: ['id'], action: { update } },
      })
    const foreignTerm = upsert(() => ({ name: p.title }))
    expect(E.isLeft(foreignTerm) && foreignTerm.left.message).toMatch(
      /column 'title' of binding 'post' \(schema 'post'\) belongs to another query/,
    )
    let row: Query.TableRefs<typeof Blog, 'user'> | undefined
    expect(E.isRight(upsert(u => ((row = u), { name: u.name })))).toBe(true)
    const reused = Write.updateAll(users, () => ({ name: row!.name }))
    expect(E.isLeft(reused) && reused.left.message).toMatch(
      /column 'name' of binding 'user' .*belongs to another query/,
    )
  })
})

describe('legitimate references are kept, with the same SQL', () => {
  it('a term of the same query, kept from one callback and used in a later one', async () => {
    let kept: Query.TableRefs<typeof Blog, 'post'> | undefined
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => ((kept = p), Pred.gt(p.id, 1))),
      Query.select(() => ({ id: kept!.id })),
    )
    await agree({ db, tables }, q, 'select "t0"."id" from "posts" as "t0" where "t0"."id" > $1', [1])
  })

  it('a correlated exists reads the outer row', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p =>
        Pred.exists(
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => Pred.eq(c.post_id, p.id)),
          ),
        ),
      ),
      Query.select(p => ({ id: p.id })),
    )
    const rows = await agree(
      { db, tables },
      q,
      'select "t0"."id" from "posts" as "t0" where exists (select 1 from "comments" as "s1_0" where "s1_0"."post_id" = "t0"."id")',
    )
    expect(rows.length).toBeGreaterThan(0)
  })

  it('nested two deep: the innermost query reads both rows around it', async () => {
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
      Query.select(u => ({ id: u.id })),
    )
    await agree(
      { db, tables },
      q,
      'select "t0"."id" from "users" as "t0" where exists (select 1 from "posts" as "s2_0" where ' +
        '"s2_0"."author_id" = "t0"."id" and exists (select 1 from "comments" as "s1_0" where ' +
        '"s1_0"."post_id" = "s2_0"."id" and "s1_0"."author_id" = "t0"."id"))',
    )
  })

  it('a lateral join reads the row it joins to, and its outputs are read after', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.joinLateral(
        'top',
        p =>
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => Pred.eq(c.post_id, p.id)),
            Query.select(c => ({ body: c.body })),
            Query.orderBy([['desc', 'id']]),
            Query.limit(1),
          ),
        'left',
      ),
      Query.select((p, $) => ({ id: p.id, body: $.joined.top.body })),
      Query.orderBy(['id']),
    )
    await agree(
      { db, tables },
      q,
      'select "t0"."id", "t1"."body" from "posts" as "t0" left join lateral (select "s1_0"."body" from ' +
        '"comments" as "s1_0" where "s1_0"."post_id" = "t0"."id" order by "s1_0"."id" desc limit $1) as "t1" on true ' +
        'order by "t0"."id" asc',
      [1],
    )
  })

  it('a relation aggregate whose predicate reads the outer row', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.select((p, $) => ({ id: p.id, n: $.count('comments', c => Pred.eq(c.author_id, p.author_id)) })),
      Query.orderBy(['id']),
    )
    const sql = Query.toSql(q)
    expect(E.isRight(sql)).toBe(true)
    const pg = await Pg.all(q)(db.sql)()
    expect(E.isRight(pg)).toBe(true)
    expect(await Memory.all(q)(tables)()).toEqual(pg)
  })

  it("a preload's custom query, with its own callbacks", async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.lte(p.id, 3)),
      Query.orderBy(['id']),
      Query.preload({
        comments: Preload.query(
          pipe(
            Query.from(Blog, 'comment'),
            Query.where((c, $) => Pred.or(Pred.eq(c.public, true), $.exists('children'))),
            Query.orderBy(c => [['desc', c.id]]),
          ),
        ),
      }),
    )
    const pg = await Pg.all(q)(db.sql)()
    expect(E.isRight(pg)).toBe(true)
    expect(E.isRight(pg) && pg.right.some(r => r.comments.length > 0)).toBe(true)
    expect(await Memory.all(q)(tables)()).toEqual(pg)
  })

  it('a query built outside a callback and used inside one reads the outer row', async () => {
    const comments = Query.from(Blog, 'comment')
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p =>
        Pred.exists(
          pipe(
            comments,
            Query.where(c => Pred.eq(c.post_id, p.id)),
          ),
        ),
      ),
      Query.select(p => ({ id: p.id })),
    )
    await agree(
      { db, tables },
      q,
      'select "t0"."id" from "posts" as "t0" where exists (select 1 from "comments" as "s1_0" where "s1_0"."post_id" = "t0"."id")',
    )
  })
})
