// Memory = PostgreSQL for set-based writes and upserts (issue 16). Random rows of the set-based test
// model (users with a unique email, posts, comments, tags keyed by text), random query values as
// targets (column filters, association filters, joins, subqueries, `or`/`not`), random assignments
// (values, inc, coalesce, arithmetic, columns), random upserts whose rows collide with the table and
// with each other (do nothing, do update by set / replace_all / except, either key); each plan runs on
// PostgreSQL (Write.run) and on the memory semantics (Write.runPure with the model's constraints) from
// the same rows. Both give the same result, or fail with the same error kind and code; both hold the
// same tables afterwards, and a failing plan leaves both as they were.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fn, Pred, Query } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Write from '../../src/write/Write.js'
import { M, agree, ddl, kindOf, tables } from '../write/set-model.js'
import { connect, params, type PropertyDb } from './support.js'

let db: PropertyDb
beforeAll(async () => {
  db = await connect()
  for (const t of tables) await db.sql.unsafe(`drop table if exists "${t}" cascade`)
  for (const s of ddl()) await db.sql.unsafe(s)
}, 120_000)
afterAll(async () => db.close())

// -------------------------------------------------------------------------------------
// rows
// -------------------------------------------------------------------------------------

interface Data {
  readonly users: ReadonlyArray<RawRow>
  readonly posts: ReadonlyArray<RawRow>
  readonly comments: ReadonlyArray<RawRow>
  readonly tags: ReadonlyArray<RawRow>
}

const small = fc.integer({ min: -3, max: 12 })
const word = fc.constantFrom('a', 'b', 'c', 'ab', 'x')
const emails = ['a@x', 'b@x', 'c@x', 'd@x', 'e@x', 'f@x']
const slugs = ['sql', 'fp', 'ts', 'pg', 'ml']

const data: fc.Arbitrary<Data> = fc
  .record({
    users: fc.uniqueArray(fc.constantFrom(...emails), { minLength: 1, maxLength: 4 }),
    posts: fc.array(
      fc.record({ author: fc.nat(), title: word, views: small, score: fc.option(small, { nil: null }) }),
      {
        maxLength: 5,
      },
    ),
    comments: fc.array(fc.record({ post: fc.nat(), body: word, public: fc.boolean(), likes: small }), {
      maxLength: 7,
    }),
    tags: fc.uniqueArray(fc.constantFrom(...slugs), { maxLength: 3 }),
  })
  .map(({ users, posts, comments, tags }) => {
    const us = users.map((email, i) => ({ id: i + 1, name: email.slice(0, 1), email, visits: i }))
    const ps = posts.map((p, i) => ({
      id: i + 1,
      author_id: (p.author % us.length) + 1,
      title: p.title,
      views: p.views,
      score: p.score,
    }))
    const cs =
      ps.length === 0
        ? []
        : comments.map((c, i) => ({
            id: i + 1,
            post_id: (c.post % ps.length) + 1,
            body: c.body,
            public: c.public,
            likes: c.likes,
          }))
    return {
      users: us,
      posts: ps,
      comments: cs,
      tags: tags.map((slug, i) => ({ slug, label: slug.toUpperCase(), uses: i })),
    }
  })

const load = async (d: Data): Promise<void> => {
  await db.sql.unsafe('truncate "comments", "posts", "users", "tags", "archives" restart identity cascade')
  const ins = async (t: string, rows: ReadonlyArray<RawRow>) => {
    if (rows.length > 0)
      await db.sql`insert into ${db.sql(t)} ${db.sql(rows as Array<Record<string, never>>)}`
  }
  await ins('users', d.users)
  await ins('posts', d.posts)
  await ins('comments', d.comments)
  await ins('tags', d.tags)
  // Sequences continue after the loaded ids, as the memory semantics number (max + 1).
  for (const t of ['users', 'posts', 'comments', 'archives'])
    await db.sql.unsafe(
      `select setval(pg_get_serial_sequence('${t}', 'id'), (select coalesce(max(id), 0) + 1 from "${t}"), false)`,
    )
}

// -------------------------------------------------------------------------------------
// queries and assignments
// -------------------------------------------------------------------------------------

type PostFilter = (
  p: Query.Refs<{ id: number; author_id: number; title: string; views: number; score: number | null }>,
) => Pred.Pred

const postFilter: fc.Arbitrary<PostFilter> = fc.oneof(
  small.map(
    (n): PostFilter =>
      p =>
        Pred.gt(p.views, n),
  ),
  word.map(
    (w): PostFilter =>
      p =>
        Pred.eq(p.title, w),
  ),
  fc.constant<PostFilter>(p => Pred.isNull(p.score)),
  fc.nat(4).map(
    (n): PostFilter =>
      p =>
        Pred.eq(p.author_id, n + 1),
  ),
  small.map(
    (n): PostFilter =>
      p =>
        Pred.or(Pred.lt(p.views, n), Pred.gte(p.score as never, n)),
  ),
  small.map(
    (n): PostFilter =>
      p =>
        Pred.not(Pred.eq(p.views, n)),
  ),
)

// A query of posts (each a way to pick rows: filter, association filter, join, subquery).
const postQuery = fc.oneof(
  postFilter.map(f => pipe(Query.from(M, 'post'), Query.where(f))),
  fc.tuple(fc.boolean(), small).map(([pub, n]) =>
    pipe(
      Query.from(M, 'post'),
      Query.where((_, $) => $.exists('comments', c => Pred.and(Pred.eq(c.public, pub), Pred.gt(c.likes, n)))),
    ),
  ),
  small.map(n =>
    pipe(
      Query.from(M, 'post'),
      Query.where((_, $) => $.notExists('comments', c => Pred.gt(c.likes, n))),
    ),
  ),
  fc.tuple(fc.boolean(), fc.constantFrom<'inner' | 'left'>('inner', 'left')).map(([pub, kind]) =>
    pipe(
      Query.from(M, 'post'),
      Query.join('comments', kind),
      Query.where((_, $) => Pred.eq($.joined.comments.public, pub)),
    ),
  ),
  fc.constantFrom(...emails).map(e =>
    pipe(
      Query.from(M, 'post'),
      Query.join('author'),
      Query.where((_, $) => Pred.neq($.joined.author.email, e)),
    ),
  ),
  small.map(n =>
    pipe(
      Query.from(M, 'post'),
      Query.where(p =>
        Pred.isIn(
          p.id,
          pipe(
            Query.from(M, 'comment'),
            Query.where(c => Pred.gt(c.likes, n)),
            Query.select(c => ({ post_id: c.post_id })),
          ),
        ),
      ),
    ),
  ),
)

const commentQuery = fc.oneof(
  fc.boolean().map(b =>
    pipe(
      Query.from(M, 'comment'),
      Query.where(c => Pred.eq(c.public, b)),
    ),
  ),
  postFilter.map(f =>
    pipe(
      Query.from(M, 'comment'),
      Query.where((_, $) => $.exists('post', f)),
    ),
  ),
  fc.nat(4).map(n =>
    pipe(
      Query.from(M, 'comment'),
      Query.join('post'),
      Query.where((_, $) => Pred.eq($.joined.post.author_id, n + 1)),
    ),
  ),
)

type PostSet = Write.SetSpec<typeof M, 'post'>

const postSet: fc.Arbitrary<PostSet> = fc.oneof(
  small.map((n): PostSet => ({ views: n })),
  small.map((n): PostSet => ({ views: Write.inc(n) })),
  small.map((n): PostSet => p => ({ score: Fn.coalesce(p.score, n), title: Fn.upper(p.title) })),
  small.map((n): PostSet => p => ({ views: Fn.sub(Fn.mul(p.views, 2), n), score: p.views })),
  fc.constant<PostSet>({ score: null }),
  // Breaks NOT NULL when it matches a row.
  fc.constant<PostSet>({ title: null } as never),
  // Breaks the foreign key when it matches a row.
  fc.nat(6).map((n): PostSet => ({ author_id: n + 1 })),
)

// Returned rows in key order: PostgreSQL returns an update's or a delete's rows in the order it
// reached them, which SQL does not specify (an insert's come in the order given).
const inKeyOrder = (r: E.Either<unknown, unknown>): unknown =>
  E.isRight(r) && Array.isArray(r.right)
    ? [...(r.right as ReadonlyArray<RawRow>)].sort((a, b) => Number(a['id']) - Number(b['id']))
    : r

const check = async (plan: Write.Plan<unknown>): Promise<void> => {
  const o = await agree(db.sql, plan)
  expect(kindOf(o.memory)).toEqual(kindOf(o.pg))
  if (E.isRight(o.pg)) expect(inKeyOrder(o.memory)).toEqual(inKeyOrder(o.pg))
  else {
    expect(o.pgState).toEqual(o.before)
    expect(o.memoryState).toEqual(o.before)
  }
  expect(o.memoryState).toEqual(o.pgState)
}

// A `title: null` set is refused before SQL by the codec: not a plan to compare.
const planOr = (e: E.Either<unknown, Write.Plan<unknown>>): Write.Plan<unknown> | null =>
  E.isRight(e) ? e.right : null

describe('set-based writes: memory = PostgreSQL', () => {
  it('updateAll of posts by random queries and assignments, count or rows', async () => {
    await fc.assert(
      fc.asyncProperty(data, postQuery, postSet, fc.boolean(), async (d, q, set, rows) => {
        const plan = planOr(
          rows
            ? Write.updateAll(q, set, { returning: true })
            : (Write.updateAll(q, set) as E.Either<unknown, Write.Plan<unknown>>),
        )
        if (plan === null) return
        await load(d)
        await check(plan)
      }),
      params(40),
    )
  }, 300_000)

  it('updateAll and deleteAll of comments; deleteAll of posts (refused by foreign keys when referenced)', async () => {
    await fc.assert(
      fc.asyncProperty(
        data,
        commentQuery,
        postQuery,
        fc.constantFrom('update', 'delete', 'deletePosts'),
        small,
        async (d, cq, pq, what, n) => {
          const plan =
            what === 'update'
              ? planOr(Write.updateAll(cq, c => ({ likes: Fn.add(c.likes, n), public: Pred.not(c.public) })))
              : what === 'delete'
                ? planOr(Write.deleteAll(cq, { returning: true }))
                : planOr(Write.deleteAll(pq))
          if (plan === null) return
          await load(d)
          await check(plan)
        },
      ),
      params(40),
    )
  }, 300_000)
})

// -------------------------------------------------------------------------------------
// upserts
// -------------------------------------------------------------------------------------

const userRow = fc.record({ email: fc.constantFrom(...emails), name: word, visits: small })
const userAction: fc.Arbitrary<Write.UpsertAction<typeof M, 'user'>> = fc.oneof(
  fc.constant('nothing' as const),
  fc.constant({ update: 'replace_all' as const }),
  fc.constant({ update: { except: ['name' as const] } }),
  small.map(n => ({ update: { visits: Write.inc(n) } })),
  fc.constant({
    update: (
      u: Query.Refs<{ visits: number; name: string }>,
      ex: Query.Refs<{ visits: number; name: string }>,
    ) => ({
      visits: Fn.add(u.visits, ex.visits),
      name: Fn.concat(u.name, ex.name),
    }),
  } as never),
  // Moves the row onto another key: a unique violation when that key is taken.
  fc.constantFrom(...emails).map(e => ({ update: { email: e } })),
)

describe('upsert: memory = PostgreSQL', () => {
  it('insertAll of users colliding on email (or id), every action', async () => {
    await fc.assert(
      fc.asyncProperty(
        data,
        fc.array(fc.tuple(userRow, fc.option(fc.nat(6), { nil: undefined })), { minLength: 1, maxLength: 5 }),
        userAction,
        fc.constantFrom<'email' | 'id'>('email', 'id'),
        async (d, rows, action, target) => {
          // Rows with an explicit id share a statement, the others another (as insertAll groups them).
          // An explicit id is one of the loaded rows': a new id beyond them would leave PostgreSQL's
          // sequence behind it, where the memory semantics start numbering after the largest id.
          const values = rows.map(([r, id]) =>
            id === undefined ? r : { ...r, id: (id % d.users.length) + 1 },
          )
          const plan = planOr(
            Write.insertAll(M, 'user', values, { onConflict: { target: [target], action } }),
          )
          if (plan === null) return
          await load(d)
          await check(plan)
        },
      ),
      params(60),
    )
  }, 300_000)

  it('insert of tags keyed by text, and of posts (foreign keys on insert and update)', async () => {
    await fc.assert(
      fc.asyncProperty(
        data,
        fc.array(fc.record({ slug: fc.constantFrom(...slugs), label: word, uses: small }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.oneof(
          fc.constant<Write.UpsertAction<typeof M, 'tag'>>('nothing'),
          fc.constant<Write.UpsertAction<typeof M, 'tag'>>({ update: 'replace_all' }),
          fc.constant<Write.UpsertAction<typeof M, 'tag'>>({ update: { uses: Write.inc(1) } }),
        ),
        fc.record({ id: fc.nat(6), author_id: fc.nat(6), title: word, views: small }),
        async (d, tagRows, action, p) => {
          await load(d)
          const t = planOr(Write.insertAll(M, 'tag', tagRows, { onConflict: { target: ['slug'], action } }))
          if (t !== null) await check(t)
          await load(d)
          const post = planOr(
            Write.insert(
              M,
              'post',
              { ...p, id: p.id + 1, author_id: p.author_id + 1 },
              {
                onConflict: { target: ['id'], action: { update: 'replace_all' } },
              },
            ),
          )
          if (post !== null) await check(post)
        },
      ),
      params(30),
    )
  }, 300_000)

  it('bulk insertAll (100 rows and more: one array per column) of users and comments, with and without onConflict', async () => {
    await fc.assert(
      fc.asyncProperty(
        data,
        fc.integer({ min: 100, max: 130 }),
        // A few rows take an email that the table or another row has: conflicts, 21000, 23505.
        fc.array(fc.tuple(fc.nat(129), fc.constantFrom(...emails)), { maxLength: 3 }),
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.option(userAction, { nil: undefined }),
        // A few comments name a post that is not there: 23503.
        fc.array(fc.nat(129), { maxLength: 2 }),
        async (d, n, shared, names, action, orphans) => {
          const users = Array.from({ length: n }, (_, i) => ({
            name: names[i % names.length] as string,
            email: `bulk${i}@x`,
            visits: (i % 7) - 2,
          }))
          for (const [at, email] of shared) users[at % n] = { ...(users[at % n] as (typeof users)[0]), email }
          const plan = planOr(
            action === undefined
              ? Write.insertAll(M, 'user', users)
              : Write.insertAll(M, 'user', users, { onConflict: { target: ['email'], action } }),
          )
          if (plan !== null) {
            expect(Write.toSql(plan)[0]?.text).toContain(' select * from unnest(')
            await load(d)
            await check(plan)
          }
          if (d.posts.length === 0) return
          const comments = Array.from({ length: n }, (_, i) => ({
            post_id: orphans.some(o => o % n === i) ? 99 : (i % d.posts.length) + 1,
            body: names[i % names.length] as string,
            public: i % 3 === 0,
            likes: i % 5,
          }))
          const c = planOr(Write.insertAll(M, 'comment', comments))
          if (c === null) return
          await load(d)
          await check(c)
        },
      ),
      params(25),
    )
  }, 300_000)

  it('insertFrom a projection of posts into archives', async () => {
    await fc.assert(
      fc.asyncProperty(data, postFilter, async (d, f) => {
        await load(d)
        const plan = planOr(
          Write.insertFrom(
            M,
            'archive',
            pipe(
              Query.from(M, 'post'),
              Query.where(f),
              Query.select(p => ({ title: p.title, note: Fn.cast(p.views, 'text') })),
              Query.orderBy(p => [p.id]),
            ),
          ),
        )
        if (plan !== null) await check(plan)
      }),
      params(20),
    )
  }, 300_000)
})
