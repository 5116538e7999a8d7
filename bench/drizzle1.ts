// Drizzle 1.0 (release candidate, installed as `drizzle-orm-rc`) beside Drizzle 0.45 (`peers.ts`): the
// same tables, its relations declared once with `defineRelations` (relational queries v2), and the
// workloads written as a 1.0 user writes them: object filters and orderings, a many-to-many `through`
// the join table (W2's tags, no join rows to unwrap), a has-many declared with its own `where` (W4's
// public comments) and the comments on a user's posts as a `through` relation (W3: one level less to
// load than 0.45's users > posts > comments). W8 counts in a relational query (`extras` with
// `db.$count`, as 1.0 documents counts); W9 is the core query builder, which 1.0 keeps as 0.45 had it.
import {
  and,
  asc,
  count,
  countDistinct,
  defineRelations,
  eq,
  exists,
  gt,
  gte,
  lte,
  sql as dsql,
} from 'drizzle-orm-rc'
import { boolean, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm-rc/pg-core'
import { drizzle } from 'drizzle-orm-rc/postgres-js'
import type postgres from 'postgres'
import { ranges, w9MinPosts, type Impl, type WorkloadId } from './workloads.js'

type Row = Record<string, unknown>

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' }).notNull()

const users = pgTable('users', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
})
const posts = pgTable('posts', {
  id: integer('id').primaryKey(),
  user_id: integer('user_id').notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  published: boolean('published').notNull(),
  inserted_at: ts('inserted_at'),
})
const comments = pgTable('comments', {
  id: integer('id').primaryKey(),
  post_id: integer('post_id').notNull(),
  user_id: integer('user_id').notNull(),
  body: text('body').notNull(),
  public: boolean('public').notNull(),
  inserted_at: ts('inserted_at'),
})
const permalinks = pgTable('permalinks', {
  id: integer('id').primaryKey(),
  post_id: integer('post_id').notNull(),
  url: text('url').notNull(),
})
const tags = pgTable('tags', { id: integer('id').primaryKey(), name: text('name').notNull() })
const likes = pgTable('likes', {
  id: integer('id').primaryKey(),
  post_id: integer('post_id').notNull(),
  user_id: integer('user_id').notNull(),
  inserted_at: ts('inserted_at'),
})
const postsTags = pgTable(
  'posts_tags',
  { post_id: integer('post_id').notNull(), tag_id: integer('tag_id').notNull() },
  t => [primaryKey({ columns: [t.post_id, t.tag_id] })],
)

const relations = defineRelations({ users, posts, comments, permalinks, tags, likes, postsTags }, r => ({
  users: {
    posts: r.many.posts({ from: r.users.id, to: r.posts.user_id }),
    // the comments on this user's posts (posts as the junction)
    commentsOnPosts: r.many.comments({
      from: r.users.id.through(r.posts.user_id),
      to: r.comments.post_id.through(r.posts.id),
    }),
  },
  posts: {
    author: r.one.users({ from: r.posts.user_id, to: r.users.id, optional: false }),
    comments: r.many.comments({ from: r.posts.id, to: r.comments.post_id }),
    publicComments: r.many.comments({
      from: r.posts.id,
      to: r.comments.post_id,
      where: { public: true },
      alias: 'public',
    }),
    permalink: r.one.permalinks({ from: r.posts.id, to: r.permalinks.post_id }),
    tags: r.many.tags({
      from: r.posts.id.through(r.postsTags.post_id),
      to: r.tags.id.through(r.postsTags.tag_id),
    }),
  },
  comments: {
    author: r.one.users({ from: r.comments.user_id, to: r.users.id, optional: false }),
  },
}))

export const drizzle1Db = (sql: postgres.Sql) => drizzle({ client: sql, relations })
type Db = ReturnType<typeof drizzle1Db>

const oldest = { inserted_at: 'asc', id: 'asc' } as const
const newest = { inserted_at: 'desc', id: 'desc' } as const
const between = ([lo, hi]: readonly [number, number]) => ({ id: { gte: lo, lte: hi } })

/** The W2 query, unexecuted (also the W7 compile subject). */
export const drizzle1W2 = (db: Db) =>
  db.query.posts.findMany({
    where: between(ranges.W2),
    orderBy: { id: 'asc' },
    with: {
      author: true,
      comments: { orderBy: oldest, with: { author: true } },
      permalink: true,
      tags: true,
    },
  })

export const drizzle1Impl = (sql: postgres.Sql): Impl => {
  const db = drizzle1Db(sql)
  // W5 is a hot-path call: a prepared query, as Drizzle's documentation recommends for those.
  const w5 = db.query.posts
    .findFirst({
      where: { id: { eq: dsql.placeholder('id') } },
      with: { comments: { orderBy: oldest, with: { author: true } } },
    })
    .prepare('w5_drizzle1')
  const month = dsql<Date>`date_trunc('month', ${posts.inserted_at})`.mapWith(posts.inserted_at)
  const postsIn = countDistinct(posts.id)
  return {
    name: 'drizzle-1',
    run: {
      W1: () =>
        db.query.posts.findMany({
          where: between(ranges.W1),
          orderBy: { id: 'asc' },
          with: { comments: { orderBy: oldest } },
        }),
      W2: () => drizzle1W2(db),
      // the through relation gives each user's comments with their authors: collect the distinct authors
      W3: async () => {
        const us = await db.query.users.findMany({
          where: { id: { gte: ranges.W3[0], lte: ranges.W3[1] } },
          orderBy: { id: 'asc' },
          with: { commentsOnPosts: { columns: {}, with: { author: true } } },
        })
        return us.map(({ commentsOnPosts, ...u }) => {
          const seen = new Map<number, Row>()
          for (const c of commentsOnPosts) seen.set(c.author.id, c.author)
          return { ...u, commenters: [...seen.values()] }
        })
      },
      W4: () =>
        db.query.posts.findMany({
          where: between(ranges.W4),
          orderBy: { id: 'asc' },
          with: { publicComments: { orderBy: newest } },
        }),
      W5: async (id: number) => (await w5.execute({ id })) ?? null,
      W6: () =>
        db.query.posts.findMany({
          where: between(ranges.W6),
          orderBy: { id: 'asc' },
          with: { comments: { orderBy: newest, limit: 3 } },
        }),
      W8: () =>
        db.query.posts.findMany({
          columns: { id: true, title: true },
          where: between(ranges.W8),
          orderBy: { id: 'asc' },
          extras: {
            comments: t => db.$count(comments, eq(comments.post_id, t.id)),
            likes: t => db.$count(likes, eq(likes.post_id, t.id)),
          },
        }),
      W9: () =>
        db
          .select({ user_id: posts.user_id, month, posts: postsIn, comments: count(comments.id) })
          .from(posts)
          .leftJoin(comments, eq(comments.post_id, posts.id))
          .where(and(gte(posts.user_id, ranges.W9[0]), lte(posts.user_id, ranges.W9[1])))
          .groupBy(posts.user_id, month)
          .having(gt(postsIn, w9MinPosts))
          .orderBy(asc(posts.user_id), asc(month)),
    },
    adapt: (w: WorkloadId, tree: unknown) =>
      w === 'W6'
        ? (tree as ReadonlyArray<Row>).map(({ comments: latestComments, ...p }) => ({ ...p, latestComments }))
        : tree,
    close: () => sql.end({ timeout: 5 }),
  }
}

// ---------------------------------------------------------------------------------------------------
// writes (bench/writes.ts: W11, W11u, W12, W13), written as for 0.45: the write builders kept their API
// ---------------------------------------------------------------------------------------------------

const wItems = pgTable('w11_items', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  k: integer('k').notNull().unique(),
  v: text('v').notNull(),
})
const wCounters = pgTable('w12_counters', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  key: text('key').notNull().unique(),
  n: integer('n').notNull(),
})
const wPosts = pgTable('w13_posts', { id: integer('id').primaryKey(), user_id: integer('user_id').notNull() })
const wComments = pgTable('w13_comments', {
  id: integer('id').primaryKey(),
  post_id: integer('post_id').notNull(),
  public: boolean('public').notNull(),
})

/** What the write workloads write (bench/writes.ts owns them). */
export interface WriteInputs {
  readonly items: ReadonlyArray<{ readonly k: number; readonly v: string }>
  readonly rows: ReadonlyArray<{ readonly key: string; readonly n: number }>
  readonly authors: readonly [number, number]
  /** `items` in parts that fit the parameters of one statement */
  readonly parts: ReadonlyArray<ReadonlyArray<{ readonly k: number; readonly v: string }>>
}

/** Drizzle 1.0's write operations, each returning the number of rows written. */
export const drizzle1Writes = (sql: postgres.Sql, input: WriteInputs) => {
  const db = drizzle({ client: sql })
  const bulk = (upsert: boolean) => () =>
    db.transaction(async tx => {
      let n = 0
      for (const part of input.parts) {
        const insert = tx.insert(wItems).values([...part])
        n += (
          upsert
            ? await insert.onConflictDoUpdate({ target: wItems.k, set: { v: dsql`excluded.v` } }).returning()
            : await insert.returning()
        ).length
      }
      return n
    })
  return {
    W11: bulk(false),
    W11u: bulk(true),
    W12: async () =>
      (
        await db
          .insert(wCounters)
          .values([...input.rows])
          .onConflictDoUpdate({ target: wCounters.key, set: { n: dsql`${wCounters.n} + excluded.n` } })
          .returning()
      ).length,
    W13: async () =>
      (
        await db
          .update(wComments)
          .set({ public: true })
          .where(
            exists(
              db
                .select({ one: dsql`1` })
                .from(wPosts)
                .where(
                  and(
                    eq(wPosts.id, wComments.post_id),
                    gte(wPosts.user_id, input.authors[0]),
                    lte(wPosts.user_id, input.authors[1]),
                  ),
                ),
            ),
          )
      ).count,
  }
}
