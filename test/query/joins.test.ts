// Joins over association paths (issue 15, "Joins that expose columns"): golden SQL for paths at any
// depth (throughs as their chains), the names of their bindings (the path joined with '.', or `as`),
// the reuse of a prefix already joined, the `on` option, and the misuses refused before any SQL. Each
// query runs on PostgreSQL and on the memory interpreter (fed the database's own rows) with equal rows.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Memory, Pg, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { agree, openBlog, refused } from './fixture.js'

const names = ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags']

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(names))
})
afterAll(async () => db.close())

// The query's SQL is `text` with `params`; it runs on PostgreSQL and in memory with equal rows (in the
// query's order: every query below has one, and the rows are compared as lists).
const both = (q: Query.AnyQuery, text: string, params: ReadonlyArray<unknown> = []) =>
  agree({ db, tables }, q, text, params, true)

const posts = Query.from(Blog, 'post')
const users = Query.from(Blog, 'user')
const comments = `left join "comments" as "t1" on "t1"."post_id" = "t0"."id"`

describe('join: association paths', () => {
  it('joins each hop; the last is bound under the path joined with ".", each prefix under its own', async () => {
    const q = pipe(
      posts,
      Query.join(['comments', 'author'], 'left'),
      Query.select((p, $) => ({
        post: p.id,
        comment: $.joined.comments.id,
        by: $.joined['comments.author'].name,
      })),
      Query.orderBy(['post', 'comment']),
    )
    const rows = await both(
      q,
      `select "t0"."id" as "post", "t1"."id" as "comment", "t2"."name" as "by" from "posts" as "t0" ` +
        `${comments} left join "users" as "t2" on "t2"."id" = "t1"."author_id" ` +
        `order by "t0"."id" asc, "t1"."id" asc`,
    )
    expect(rows).toEqual([
      { post: 1, comment: 1, by: 'bob' },
      { post: 1, comment: 2, by: 'cy' },
      { post: 1, comment: 3, by: 'bob' },
      { post: 2, comment: 4, by: 'ada' },
      { post: 3, comment: 5, by: 'cy' },
      { post: 4, comment: null, by: null },
    ])
  })

  it('a prefix already joined under its name is reused, not joined again', async () => {
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.join(['comments', 'author'], 'left'),
      Query.join(['comments', 'author', 'posts'], 'left', { as: 'theirPosts' }),
      Query.where((_, $) => Pred.eq($.joined.comments.public, true)),
      Query.select((p, $) => ({
        post: p.id,
        by: $.joined['comments.author'].name,
        theirs: $.joined.theirPosts.id,
      })),
      Query.orderBy(['post', 'by', 'theirs']),
    )
    const rows = await both(
      q,
      `select "t0"."id" as "post", "t2"."name" as "by", "t3"."id" as "theirs" from "posts" as "t0" ` +
        `inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" ` +
        `left join "users" as "t2" on "t2"."id" = "t1"."author_id" ` +
        `left join "posts" as "t3" on "t3"."author_id" = "t2"."id" ` +
        `where "t1"."public" = $1 order by "t0"."id" asc, "t2"."name" asc, "t3"."id" asc`,
      [true],
    )
    expect(rows).toEqual([
      { post: 1, by: 'bob', theirs: 3 },
      { post: 1, by: 'cy', theirs: null },
      { post: 2, by: 'ada', theirs: 1 },
      { post: 2, by: 'ada', theirs: 2 },
    ])
  })

  it('a through or a many-to-many in the path is joined as its chain', async () => {
    const q = pipe(
      users,
      Query.join(['posts', 'tags']),
      Query.join(['comments', 'postPermalink'], 'left'),
      Query.select((u, $) => ({
        user: u.name,
        tag: $.joined['posts.tags'].name,
        link: $.joined['comments.postPermalink'].url,
      })),
      Query.orderBy(['user', 'tag', 'link']),
    )
    const rows = await both(
      q,
      `select "t0"."name" as "user", "t3"."name" as "tag", "t6"."url" as "link" from "users" as "t0" ` +
        `inner join "posts" as "t1" on "t1"."author_id" = "t0"."id" ` +
        `inner join "posts_tags" as "t2" on "t2"."post_id" = "t1"."id" ` +
        `inner join "tags" as "t3" on "t3"."id" = "t2"."tag_id" ` +
        `left join "comments" as "t4" on "t4"."author_id" = "t0"."id" ` +
        `left join "posts" as "t5" on "t5"."id" = "t4"."post_id" ` +
        `left join "permalinks" as "t6" on "t6"."post_id" = "t5"."id" ` +
        `order by "t0"."name" asc, "t3"."name" asc, "t6"."url" asc`,
    )
    expect(rows).toEqual([
      // ada's posts have three tags, and her two comments no permalink (post 2 has none; comment 6 no post)
      ...['elixir', 'elixir', 'sql', 'sql', 'typescript', 'typescript'].map(tag => ({
        user: 'ada',
        tag,
        link: null,
      })),
      // bob's post has one tag; his two comments are on post 1
      { user: 'bob', tag: 'sql', link: '/hello' },
      { user: 'bob', tag: 'sql', link: '/hello' },
    ])
  })

  it('right and full joins over a path', async () => {
    const right = pipe(
      posts,
      Query.join(['comments', 'author'], 'right'),
      Query.select((p, $) => ({ post: p.id, user: $.joined['comments.author'].name })),
      Query.orderBy(['user', 'post']),
    )
    expect(
      await both(
        right,
        `select "t0"."id" as "post", "t2"."name" as "user" from "posts" as "t0" ` +
          `right join "comments" as "t1" on "t1"."post_id" = "t0"."id" ` +
          `right join "users" as "t2" on "t2"."id" = "t1"."author_id" order by "t2"."name" asc, "t0"."id" asc`,
      ),
    ).toEqual([
      { post: 2, user: 'ada' },
      { post: null, user: 'ada' },
      { post: 1, user: 'bob' },
      { post: 1, user: 'bob' },
      { post: 1, user: 'cy' },
      { post: 3, user: 'cy' },
    ])
    const full = pipe(
      posts,
      Query.join(['comments', 'author'], 'full', { as: 'who' }),
      Query.select((p, $) => ({ post: p.id, comment: $.joined.comments.id, user: $.joined.who.name })),
      Query.orderBy(['comment', 'post']),
    )
    const rows = await both(
      full,
      `select "t0"."id" as "post", "t1"."id" as "comment", "t2"."name" as "user" from "posts" as "t0" ` +
        `full join "comments" as "t1" on "t1"."post_id" = "t0"."id" ` +
        `full join "users" as "t2" on "t2"."id" = "t1"."author_id" order by "t1"."id" asc, "t0"."id" asc`,
    )
    expect(rows).toHaveLength(7)
  })
})

describe('join: the on option', () => {
  it('filters the joined rows of a left join, never the root rows (kept with NULLs)', async () => {
    const q = pipe(
      posts,
      Query.join('comments', 'left', { on: c => Pred.eq(c.public, false) }),
      Query.select((p, $) => ({ post: p.id, hidden: $.joined.comments.id })),
      Query.orderBy(['post']),
    )
    const rows = await both(
      q,
      `select "t0"."id" as "post", "t1"."id" as "hidden" from "posts" as "t0" ` +
        `left join "comments" as "t1" on "t1"."post_id" = "t0"."id" and "t1"."public" = $1 order by "t0"."id" asc`,
      [false],
    )
    expect(rows).toEqual([
      { post: 1, hidden: 3 },
      { post: 2, hidden: null },
      { post: 3, hidden: 5 },
      { post: 4, hidden: null },
    ])
  })

  it("conjoined with the association's own where, over the bindings joined before, with a scope", async () => {
    const q = pipe(
      posts,
      Query.join('author', 'left'),
      Query.join('publicComments', 'left', {
        as: 'others',
        on: (c, $) => Pred.and(Pred.neq(c.author_id, $.joined.author.id), $.notExists('children')),
      }),
      Query.select((p, $) => ({ post: p.id, other: $.joined.others.id })),
      Query.orderBy(['post', 'other']),
    )
    const rows = await both(
      q,
      `select "t0"."id" as "post", "t2"."id" as "other" from "posts" as "t0" ` +
        `left join "users" as "t1" on "t1"."id" = "t0"."author_id" ` +
        `left join "comments" as "t2" on "t2"."post_id" = "t0"."id" and "t2"."public" = $1 ` +
        `and "t2"."author_id" <> "t1"."id" ` +
        `and not (exists (select 1 from "comments" as "e1_0" where "e1_0"."parent_id" = "t2"."id")) ` +
        `order by "t0"."id" asc, "t2"."id" asc`,
      [true],
    )
    expect(rows).toEqual([
      { post: 1, other: 2 },
      { post: 2, other: null },
      { post: 3, other: null },
      { post: 4, other: null },
    ])
  })

  it('on the last hop of a path, and on whole rows', async () => {
    const q = pipe(
      posts,
      Query.join(['comments', 'author'], 'inner', { on: u => Pred.eq(u.name, 'cy') }),
      Query.distinct(),
      Query.orderBy(['id']),
    )
    const rows = await both(
      q,
      `select distinct "t0"."id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at" ` +
        `from "posts" as "t0" inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" ` +
        `inner join "users" as "t2" on "t2"."id" = "t1"."author_id" and "t2"."name" = $1 order by "t0"."id" asc`,
      ['cy'],
    )
    expect(rows.map(r => r['id'])).toEqual([1, 3])
  })
})

describe("join: on reads the parent binding (the root row, a path's hops)", () => {
  // An inner join's on filters the rows as the same condition in a where does.
  const sameAsWhere = async (
    on: Query.AnyQuery,
    where: Query.AnyQuery,
    text: string,
    params: ReadonlyArray<unknown>,
  ): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
    const rows = await both(on, text, params)
    const pg = await Pg.all(where)(db.sql)()
    const mem = await Memory.all(where)(tables)()
    expect(pg).toEqual(E.right(rows))
    expect(mem).toEqual(E.right(rows))
    return rows
  }

  it("one association: the root row is on's third argument", async () => {
    const on = pipe(
      posts,
      Query.join('comments', 'inner', { on: (c, _$, p) => Pred.eq(c.author_id, p.author_id) }),
      Query.select((p, $) => ({ post: p.id, comment: $.joined.comments.id })),
      Query.orderBy(['post', 'comment']),
    )
    const where = pipe(
      posts,
      Query.join('comments'),
      Query.where((p, $) => Pred.eq($.joined.comments.author_id, p.author_id)),
      Query.select((p, $) => ({ post: p.id, comment: $.joined.comments.id })),
      Query.orderBy(['post', 'comment']),
    )
    const rows = await sameAsWhere(
      on,
      where,
      `select "t0"."id" as "post", "t1"."id" as "comment" from "posts" as "t0" inner join "comments" as "t1" ` +
        `on "t1"."post_id" = "t0"."id" and "t1"."author_id" = "t0"."author_id" order by "t0"."id" asc, "t1"."id" asc`,
      [],
    )
    // of the five comments, only post 2's is by the post's author
    expect(rows).toEqual([{ post: 2, comment: 4 }])
  })

  it("a path: the last hop's on reads the hop before it and the root row", async () => {
    const on = pipe(
      posts,
      Query.join(['comments', 'author'], 'inner', {
        on: (u, $, p) => Pred.and(Pred.neq(u.id, p.author_id), Pred.eq($.joined.comments.public, true)),
      }),
      Query.select((p, $) => ({
        post: p.id,
        comment: $.joined.comments.id,
        by: $.joined['comments.author'].name,
      })),
      Query.orderBy(['post', 'comment']),
    )
    const where = pipe(
      posts,
      Query.join(['comments', 'author']),
      Query.where((p, $) =>
        Pred.and(
          Pred.neq($.joined['comments.author'].id, p.author_id),
          Pred.eq($.joined.comments.public, true),
        ),
      ),
      Query.select((p, $) => ({
        post: p.id,
        comment: $.joined.comments.id,
        by: $.joined['comments.author'].name,
      })),
      Query.orderBy(['post', 'comment']),
    )
    const rows = await sameAsWhere(
      on,
      where,
      `select "t0"."id" as "post", "t1"."id" as "comment", "t2"."name" as "by" from "posts" as "t0" ` +
        `inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" ` +
        `inner join "users" as "t2" on "t2"."id" = "t1"."author_id" and "t2"."id" <> "t0"."author_id" ` +
        `and "t1"."public" = $1 order by "t0"."id" asc, "t1"."id" asc`,
      [true],
    )
    expect(rows).toEqual([
      { post: 1, comment: 1, by: 'bob' },
      { post: 1, comment: 2, by: 'cy' },
    ])
  })

  it('a left join keeps the root rows the on leaves unmatched', async () => {
    const q = pipe(
      posts,
      Query.join('comments', 'left', { on: (c, _$, p) => Pred.eq(c.author_id, p.author_id) }),
      Query.select((p, $) => ({ post: p.id, comment: $.joined.comments.id })),
      Query.orderBy(['post', 'comment']),
    )
    const rows = await both(
      q,
      `select "t0"."id" as "post", "t1"."id" as "comment" from "posts" as "t0" left join "comments" as "t1" ` +
        `on "t1"."post_id" = "t0"."id" and "t1"."author_id" = "t0"."author_id" order by "t0"."id" asc, "t1"."id" asc`,
    )
    // post 1 has comments, none by its author: kept once with NULLs
    expect(rows).toEqual([
      { post: 1, comment: null },
      { post: 2, comment: 4 },
      { post: 3, comment: null },
      { post: 4, comment: null },
    ])
  })

  it('a binding not yet joined is an UnknownAssociation, whatever the types say', () => {
    const join = Query.join as unknown as (
      n: unknown,
      k?: unknown,
      o?: unknown,
    ) => (q: Query.AnyQuery) => Query.AnyQuery
    type Row = Readonly<Record<string, Pred.Term<unknown>>>
    // an on from untyped code that reads the binding `name`
    const reading = (name: string) =>
      join(['comments', 'author'], 'left', {
        on: (u: Row, $: { readonly joined: Readonly<Record<string, Row>> }) =>
          Pred.eq(u['id'] as Pred.Term<unknown>, $.joined[name]?.['id'] as Pred.Term<unknown>),
      })
    // joined after this join: its on ran before the binding existed
    refused(
      join('author', 'left', { as: 'later' })(reading('later')(posts)),
      'UnknownAssociation',
      /'later' is not joined/,
      'later',
    )
    // the join's own binding, while its own on runs
    refused(
      reading('comments.author')(posts),
      'UnknownAssociation',
      /'comments.author' is not joined/,
      'comments.author',
    )
  })
})

describe('join: refused before any SQL', () => {
  const join = Query.join as unknown as (
    n: unknown,
    k?: unknown,
    o?: unknown,
  ) => (q: Query.AnyQuery) => Query.AnyQuery

  it('an unknown association anywhere in the path names its schema and the association', () => {
    refused(
      join(['comments', 'writer'])(posts),
      'UnknownAssociation',
      /schema 'comment' has no association 'writer'/,
      'writer',
    )
    refused(
      join(['nope', 'author'])(posts),
      'UnknownAssociation',
      /schema 'post' has no association 'nope'/,
      'nope',
    )
    refused(join([])(posts), 'InvalidArgument', /non-empty path/)
    refused(join(['comments', 3])(posts), 'UnknownAssociation', /schema 'comment' has no association 3/)
  })

  it('a kind outside inner/left/right/full', () => {
    refused(join(['comments', 'author'], 'cross')(posts), 'InvalidArgument', /kind of a join .* got "cross"/)
  })

  it('a name bound twice, and a prefix name bound to another path', () => {
    refused(
      join('author')(join('author')(posts)),
      'InvalidArgument',
      /joined twice under the name 'author'/,
      'author',
    )
    refused(
      join(['comments', 'author'])(join('author', 'inner', { as: 'comments.author' })(posts)),
      'InvalidArgument',
      /joined twice/,
    )
    refused(
      join(['comments', 'author'])(join('publicComments', 'left', { as: 'comments' })(posts)),
      'InvalidArgument',
      /the name 'comments' is bound to the join of 'publicComments', not of the path's prefix 'comments'/,
      'comments',
    )
    // under another name the same association joins again
    expect(E.isRight(Query.toSql(join('author', 'left', { as: 'writer' })(join('author')(posts))))).toBe(true)
  })

  it('options: unknown keys, a bad name, a bad callback, a callback that throws or returns junk', () => {
    refused(join('author', 'left', { alias: 'x' })(posts), 'InvalidArgument', /unknown option 'alias'/)
    refused(join('author', 'left', 'x')(posts), 'InvalidArgument', /options of a join are an object/)
    refused(
      join('author', 'left', { as: '' })(posts),
      'InvalidArgument',
      /option 'as' must be a non-empty name/,
    )
    refused(join('author', 'left', { as: 7 })(posts), 'InvalidArgument', /option 'as'/)
    refused(join('author', 'left', { on: true })(posts), 'InvalidArgument', /option 'on' must be a callback/)
    refused(
      join('author', 'left', { on: () => ({ _tag: 'Bool', value: true }) })(posts),
      'InvalidArgument',
      /option on must return a predicate/,
    )
    refused(
      join('author', 'left', {
        on: () => {
          throw new Error('boom')
        },
      })(posts),
      'InvalidArgument',
      /boom/,
    )
    refused(
      join('author', 'left', { on: (u: Readonly<Record<string, unknown>>) => u['nope'] })(posts),
      'UnknownColumn',
      /no column 'nope'/,
    )
  })
})
