// The peers: Drizzle 0.45 relational queries (v1 API, `db.query.*.findMany({ with })`) over its postgres-js
// driver, and Kysely with `jsonArrayFrom` / `jsonObjectFrom` over kysely-postgres-js. Each is written
// the way its documentation suggests (W5, a hot-path call, as a Drizzle prepared query; Kysely has no
// placeholders and builds it per call); only untimed key renames happen in `adapt`. The aggregates (W8,
// W9) are the core query builders of both: W8 a correlated count per relation (Drizzle's `db.$count`,
// a Kysely subquery with `countAll`), W9 a join with group by and having.
// The other peers have files of their own: Drizzle 1.0 rc (`drizzle-1`) in drizzle1.ts, Prisma 7 in
// prisma.ts.
import { and, asc, count, countDistinct, desc, eq, gt, gte, lte, sql as dsql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import { Kysely, sql as ksql } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import { PostgresJSDialect } from 'kysely-postgres-js'
import type postgres from 'postgres'
import { dComments, dLikes, dPosts, dUsers, drizzleSchema, type KyselyDb } from './model.js'
import { ranges, w9MinPosts, type Impl, type WorkloadId } from './workloads.js'

type Row = Record<string, unknown>

// ---------------------------------------------------------------------------------------------------
// drizzle
// ---------------------------------------------------------------------------------------------------

export const drizzleDb = (sql: postgres.Sql) => drizzle(sql, { schema: drizzleSchema })
type DrizzleDb = ReturnType<typeof drizzleDb>

const dRange = (lo: number, hi: number) => and(gte(dPosts.id, lo), lte(dPosts.id, hi))
const dOldest = [asc(dComments.inserted_at), asc(dComments.id)]
const dNewest = [desc(dComments.inserted_at), desc(dComments.id)]

/** The W2 query, unexecuted (also the W7 compile subject). */
export const drizzleW2 = (db: DrizzleDb) =>
  db.query.posts.findMany({
    where: dRange(...ranges.W2),
    orderBy: [asc(dPosts.id)],
    with: {
      author: true,
      comments: { orderBy: dOldest, with: { author: true } },
      permalink: true,
      postsTags: { columns: {}, with: { tag: true } },
    },
  })

/** Renames one key of every row (a library's own association name to the model's). */
export const rename =
  (from: string, to: string) =>
  (rows: ReadonlyArray<Row>): Array<Row> =>
    rows.map(({ [from]: v, ...r }) => ({ ...r, [to]: v }))

export const drizzleImpl = (sql: postgres.Sql): Impl => {
  const db = drizzleDb(sql)
  // W5 is a hot-path call: a prepared query, as Drizzle's documentation recommends for those.
  const w5 = db.query.posts
    .findFirst({
      where: eq(dPosts.id, dsql.placeholder('id')),
      with: { comments: { orderBy: dOldest, with: { author: true } } },
    })
    .prepare('w5')
  const month = dsql<Date>`date_trunc('month', ${dPosts.inserted_at})`.mapWith(dPosts.inserted_at)
  const postsIn = countDistinct(dPosts.id)
  return {
    name: 'drizzle',
    run: {
      W1: () =>
        db.query.posts.findMany({
          where: dRange(...ranges.W1),
          orderBy: [asc(dPosts.id)],
          with: { comments: { orderBy: dOldest } },
        }),
      W2: () => drizzleW2(db),
      // RQB v1 has no has-many-through: load the hops and collect the distinct authors.
      W3: async () => {
        const us = await db.query.users.findMany({
          where: and(gte(dUsers.id, ranges.W3[0]), lte(dUsers.id, ranges.W3[1])),
          orderBy: [asc(dUsers.id)],
          with: {
            posts: {
              columns: { id: true },
              with: { comments: { columns: { id: true }, with: { author: true } } },
            },
          },
        })
        return us.map(({ posts, ...u }) => {
          const seen = new Map<number, Row>()
          for (const p of posts) for (const c of p.comments) seen.set(c.author.id, c.author)
          return { ...u, commenters: [...seen.values()] }
        })
      },
      W4: () =>
        db.query.posts.findMany({
          where: dRange(...ranges.W4),
          orderBy: [asc(dPosts.id)],
          with: { comments: { where: eq(dComments.public, true), orderBy: dNewest } },
        }),
      W5: async (id: number) => (await w5.execute({ id })) ?? null,
      W6: () =>
        db.query.posts.findMany({
          where: dRange(...ranges.W6),
          orderBy: [asc(dPosts.id)],
          with: { comments: { orderBy: dNewest, limit: 3 } },
        }),
      // `db.$count` as a column: `(select count(*) from "comments" where "comments"."post_id" = "posts"."id")`
      W8: () =>
        db
          .select({
            id: dPosts.id,
            title: dPosts.title,
            comments: db.$count(dComments, eq(dComments.post_id, dPosts.id)),
            likes: db.$count(dLikes, eq(dLikes.post_id, dPosts.id)),
          })
          .from(dPosts)
          .where(dRange(...ranges.W8))
          .orderBy(asc(dPosts.id)),
      W9: () =>
        db
          .select({ user_id: dPosts.user_id, month, posts: postsIn, comments: count(dComments.id) })
          .from(dPosts)
          .leftJoin(dComments, eq(dComments.post_id, dPosts.id))
          .where(and(gte(dPosts.user_id, ranges.W9[0]), lte(dPosts.user_id, ranges.W9[1])))
          .groupBy(dPosts.user_id, month)
          .having(gt(postsIn, w9MinPosts))
          .orderBy(asc(dPosts.user_id), asc(month)),
    },
    adapt: (w: WorkloadId, tree: unknown) => {
      const rows = tree as ReadonlyArray<Row>
      if (w === 'W2')
        return rows.map(({ postsTags, ...p }) => ({
          ...p,
          tags: (postsTags as ReadonlyArray<{ tag: Row }>).map(pt => pt.tag),
        }))
      if (w === 'W4') return rename('comments', 'publicComments')(rows)
      if (w === 'W6') return rename('comments', 'latestComments')(rows)
      return tree
    },
    close: () => sql.end({ timeout: 5 }),
  }
}

// ---------------------------------------------------------------------------------------------------
// kysely
// ---------------------------------------------------------------------------------------------------

export const kyselyDb = (sql: postgres.Sql) =>
  new Kysely<KyselyDb>({ dialect: new PostgresJSDialect({ postgres: sql }) })
type KDb = ReturnType<typeof kyselyDb>

const kP = [
  'posts.id',
  'posts.user_id',
  'posts.title',
  'posts.body',
  'posts.published',
  'posts.inserted_at',
] as const
const kC = [
  'comments.id',
  'comments.post_id',
  'comments.user_id',
  'comments.body',
  'comments.public',
  'comments.inserted_at',
] as const

/** The W2 query, unexecuted (also the W7 compile subject). */
export const kyselyW2 = (db: KDb) =>
  db
    .selectFrom('posts')
    .select(kP)
    .select(eb => [
      jsonObjectFrom(
        eb
          .selectFrom('users')
          .select(['users.id', 'users.name', 'users.email'])
          .whereRef('users.id', '=', 'posts.user_id'),
      ).as('author'),
      jsonArrayFrom(
        eb
          .selectFrom('comments')
          .select(kC)
          .select(eb2 => [
            jsonObjectFrom(
              eb2
                .selectFrom('users')
                .select(['users.id', 'users.name', 'users.email'])
                .whereRef('users.id', '=', 'comments.user_id'),
            ).as('author'),
          ])
          .whereRef('comments.post_id', '=', 'posts.id')
          .orderBy('comments.inserted_at')
          .orderBy('comments.id'),
      ).as('comments'),
      jsonObjectFrom(
        eb
          .selectFrom('permalinks')
          .select(['permalinks.id', 'permalinks.post_id', 'permalinks.url'])
          .whereRef('permalinks.post_id', '=', 'posts.id')
          .limit(1),
      ).as('permalink'),
      jsonArrayFrom(
        eb
          .selectFrom('posts_tags')
          .innerJoin('tags', 'tags.id', 'posts_tags.tag_id')
          .select(['tags.id', 'tags.name'])
          .whereRef('posts_tags.post_id', '=', 'posts.id'),
      ).as('tags'),
    ])
    .where('posts.id', '>=', ranges.W2[0])
    .where('posts.id', '<=', ranges.W2[1])
    .orderBy('posts.id')

export const kyselyImpl = (sql: postgres.Sql): Impl => {
  const db = kyselyDb(sql)
  const postsWithComments = (
    [lo, hi]: readonly [number, number],
    as: string,
    opts: { readonly publicOnly: boolean; readonly newest: boolean; readonly limit?: number },
  ) =>
    db
      .selectFrom('posts')
      .select(kP)
      .select(eb => {
        let c = eb.selectFrom('comments').select(kC).whereRef('comments.post_id', '=', 'posts.id')
        if (opts.publicOnly) c = c.where('comments.public', '=', true)
        c = opts.newest
          ? c.orderBy('comments.inserted_at', 'desc').orderBy('comments.id', 'desc')
          : c.orderBy('comments.inserted_at').orderBy('comments.id')
        if (opts.limit !== undefined) c = c.limit(opts.limit)
        return [jsonArrayFrom(c).as(as)]
      })
      .where('posts.id', '>=', lo)
      .where('posts.id', '<=', hi)
      .orderBy('posts.id')
      .execute()
  return {
    name: 'kysely',
    run: {
      W1: () => postsWithComments(ranges.W1, 'comments', { publicOnly: false, newest: false }),
      W2: () => kyselyW2(db).execute(),
      W3: () =>
        db
          .selectFrom('users')
          .select(['users.id', 'users.name', 'users.email'])
          .select(eb => [
            jsonArrayFrom(
              eb
                .selectFrom('posts')
                .innerJoin('comments', 'comments.post_id', 'posts.id')
                .innerJoin('users as cu', 'cu.id', 'comments.user_id')
                .select(['cu.id', 'cu.name', 'cu.email'])
                .distinct()
                .whereRef('posts.user_id', '=', 'users.id'),
            ).as('commenters'),
          ])
          .where('users.id', '>=', ranges.W3[0])
          .where('users.id', '<=', ranges.W3[1])
          .orderBy('users.id')
          .execute(),
      W4: () => postsWithComments(ranges.W4, 'publicComments', { publicOnly: true, newest: true }),
      W5: async (id: number) =>
        (await db
          .selectFrom('posts')
          .select(kP)
          .select(eb => [
            jsonArrayFrom(
              eb
                .selectFrom('comments')
                .select(kC)
                .select(eb2 => [
                  jsonObjectFrom(
                    eb2
                      .selectFrom('users')
                      .select(['users.id', 'users.name', 'users.email'])
                      .whereRef('users.id', '=', 'comments.user_id'),
                  ).as('author'),
                ])
                .whereRef('comments.post_id', '=', 'posts.id')
                .orderBy('comments.inserted_at')
                .orderBy('comments.id'),
            ).as('comments'),
          ])
          .where('posts.id', '=', id)
          .executeTakeFirst()) ?? null,
      W6: () => postsWithComments(ranges.W6, 'latestComments', { publicOnly: false, newest: true, limit: 3 }),
      W8: () =>
        db
          .selectFrom('posts')
          .select(['posts.id', 'posts.title'])
          .select(eb => [
            eb
              .selectFrom('comments')
              .select(eb2 => eb2.fn.countAll<string>().as('n'))
              .whereRef('comments.post_id', '=', 'posts.id')
              .as('comments'),
            eb
              .selectFrom('likes')
              .select(eb2 => eb2.fn.countAll<string>().as('n'))
              .whereRef('likes.post_id', '=', 'posts.id')
              .as('likes'),
          ])
          .where('posts.id', '>=', ranges.W8[0])
          .where('posts.id', '<=', ranges.W8[1])
          .orderBy('posts.id')
          .execute(),
      W9: () => {
        const month = ksql<Date>`date_trunc('month', ${ksql.ref('posts.inserted_at')})`
        return db
          .selectFrom('posts')
          .leftJoin('comments', 'comments.post_id', 'posts.id')
          .select(eb => [
            'posts.user_id',
            month.as('month'),
            eb.fn.count<string>('posts.id').distinct().as('posts'),
            eb.fn.count<string>('comments.id').as('comments'),
          ])
          .where('posts.user_id', '>=', ranges.W9[0])
          .where('posts.user_id', '<=', ranges.W9[1])
          .groupBy(['posts.user_id', month])
          .having(eb => eb.fn.count('posts.id').distinct(), '>', w9MinPosts)
          .orderBy('posts.user_id')
          .orderBy(month)
          .execute()
      },
    },
    close: () => db.destroy(),
  }
}
