// The benchmark's blog, described three times: as a quiver model, as a Drizzle schema with its
// relations, and as a Kysely database type. Column names are the same everywhere (snake_case), so the
// trees every implementation returns can be compared field by field.
import type { Generated } from 'kysely'
import { relations } from 'drizzle-orm'
import { boolean, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { Column, Schema } from '../src/index.js'

// ---------------------------------------------------------------------------------------------------
// quiver
// ---------------------------------------------------------------------------------------------------

export const user = Schema.table('user', 'users', {
  id: Column.serial,
  name: Column.text,
  email: Column.nullable(Column.text),
})
export const post = Schema.table('post', 'posts', {
  id: Column.serial,
  user_id: Column.integer,
  title: Column.text,
  body: Column.text,
  published: Column.boolean,
  inserted_at: Column.timestamptz,
})
export const comment = Schema.table('comment', 'comments', {
  id: Column.serial,
  post_id: Column.integer,
  user_id: Column.integer,
  body: Column.text,
  public: Column.boolean,
  inserted_at: Column.timestamptz,
})
export const permalink = Schema.table('permalink', 'permalinks', {
  id: Column.serial,
  post_id: Column.integer,
  url: Column.text,
})
export const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
export const like = Schema.table('like', 'likes', {
  id: Column.serial,
  post_id: Column.integer,
  user_id: Column.integer,
  inserted_at: Column.timestamptz,
})

export const Bench = Schema.modelOrThrow(
  { user, post, comment, permalink, tag, like },
  {
    user: {
      posts: Schema.hasMany('post'),
      commenters: Schema.through(['posts', 'comments', 'author']),
    },
    post: {
      author: Schema.belongsTo('user', { foreignKey: 'user_id' }),
      comments: Schema.hasMany('comment', { preloadOrder: ['inserted_at', 'id'] }),
      publicComments: Schema.hasMany('comment', {
        where: { public: true },
        preloadOrder: [
          ['desc', 'inserted_at'],
          ['desc', 'id'],
        ],
      }),
      latestComments: Schema.hasMany('comment', {
        preloadOrder: [
          ['desc', 'inserted_at'],
          ['desc', 'id'],
        ],
      }),
      permalink: Schema.hasOne('permalink'),
      tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags' }),
      likes: Schema.hasMany('like'),
    },
    comment: {
      post: Schema.belongsTo('post'),
      author: Schema.belongsTo('user', { foreignKey: 'user_id' }),
    },
    tag: {
      posts: Schema.manyToMany('post', { joinThrough: 'posts_tags' }),
    },
    like: {
      post: Schema.belongsTo('post'),
      user: Schema.belongsTo('user'),
    },
  },
)

// ---------------------------------------------------------------------------------------------------
// drizzle (relational queries v1)
// ---------------------------------------------------------------------------------------------------

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' }).notNull()

export const dUsers = pgTable('users', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
})
export const dPosts = pgTable('posts', {
  id: integer('id').primaryKey(),
  user_id: integer('user_id').notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  published: boolean('published').notNull(),
  inserted_at: ts('inserted_at'),
})
export const dComments = pgTable('comments', {
  id: integer('id').primaryKey(),
  post_id: integer('post_id').notNull(),
  user_id: integer('user_id').notNull(),
  body: text('body').notNull(),
  public: boolean('public').notNull(),
  inserted_at: ts('inserted_at'),
})
export const dPermalinks = pgTable('permalinks', {
  id: integer('id').primaryKey(),
  post_id: integer('post_id').notNull(),
  url: text('url').notNull(),
})
export const dTags = pgTable('tags', { id: integer('id').primaryKey(), name: text('name').notNull() })
export const dLikes = pgTable('likes', {
  id: integer('id').primaryKey(),
  post_id: integer('post_id').notNull(),
  user_id: integer('user_id').notNull(),
  inserted_at: ts('inserted_at'),
})
export const dPostsTags = pgTable(
  'posts_tags',
  { post_id: integer('post_id').notNull(), tag_id: integer('tag_id').notNull() },
  t => [primaryKey({ columns: [t.post_id, t.tag_id] })],
)

export const dUsersRelations = relations(dUsers, ({ many }) => ({
  posts: many(dPosts),
  comments: many(dComments),
}))
export const dPostsRelations = relations(dPosts, ({ one, many }) => ({
  author: one(dUsers, { fields: [dPosts.user_id], references: [dUsers.id] }),
  comments: many(dComments),
  permalink: one(dPermalinks),
  postsTags: many(dPostsTags),
  likes: many(dLikes),
}))
export const dCommentsRelations = relations(dComments, ({ one }) => ({
  post: one(dPosts, { fields: [dComments.post_id], references: [dPosts.id] }),
  author: one(dUsers, { fields: [dComments.user_id], references: [dUsers.id] }),
}))
export const dPermalinksRelations = relations(dPermalinks, ({ one }) => ({
  post: one(dPosts, { fields: [dPermalinks.post_id], references: [dPosts.id] }),
}))
export const dLikesRelations = relations(dLikes, ({ one }) => ({
  post: one(dPosts, { fields: [dLikes.post_id], references: [dPosts.id] }),
  user: one(dUsers, { fields: [dLikes.user_id], references: [dUsers.id] }),
}))
export const dTagsRelations = relations(dTags, ({ many }) => ({ postsTags: many(dPostsTags) }))
export const dPostsTagsRelations = relations(dPostsTags, ({ one }) => ({
  post: one(dPosts, { fields: [dPostsTags.post_id], references: [dPosts.id] }),
  tag: one(dTags, { fields: [dPostsTags.tag_id], references: [dTags.id] }),
}))

export const drizzleSchema = {
  users: dUsers,
  posts: dPosts,
  comments: dComments,
  permalinks: dPermalinks,
  tags: dTags,
  postsTags: dPostsTags,
  likes: dLikes,
  dUsersRelations,
  dPostsRelations,
  dCommentsRelations,
  dPermalinksRelations,
  dTagsRelations,
  dPostsTagsRelations,
  dLikesRelations,
}

// ---------------------------------------------------------------------------------------------------
// kysely
// ---------------------------------------------------------------------------------------------------

export interface KyselyDb {
  users: { id: Generated<number>; name: string; email: string | null }
  posts: {
    id: Generated<number>
    user_id: number
    title: string
    body: string
    published: boolean
    inserted_at: Date
  }
  comments: {
    id: Generated<number>
    post_id: number
    user_id: number
    body: string
    public: boolean
    inserted_at: Date
  }
  permalinks: { id: Generated<number>; post_id: number; url: string }
  tags: { id: Generated<number>; name: string }
  posts_tags: { post_id: number; tag_id: number }
  likes: { id: Generated<number>; post_id: number; user_id: number; inserted_at: Date }
}
