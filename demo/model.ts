// The README's model ("A model is a value"), the one the demo runs on: test/docs/examples.test.ts checks
// that this file and the README's block say the same (imports and `export` aside).
import { Column, Schema } from 'quiver-sql'

export const user = Schema.table('user', 'users', {
  id: Column.serial,
  name: Column.text,
  email: Column.nullable(Column.text),
})
export const post = Schema.table('post', 'posts', {
  id: Column.serial,
  author_id: Column.nullable(Column.integer),
  title: Column.text,
  body: Column.text,
  published: Column.boolean,
  inserted_at: Column.timestamptz,
})
export const comment = Schema.table('comment', 'comments', {
  id: Column.serial,
  post_id: Column.nullable(Column.integer),
  author_id: Column.nullable(Column.integer),
  parent_id: Column.nullable(Column.integer),
  body: Column.text,
  public: Column.boolean,
  inserted_at: Column.timestamptz,
})
export const permalink = Schema.table('permalink', 'permalinks', {
  id: Column.serial,
  post_id: Column.nullable(Column.integer),
  url: Column.text,
})
export const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })

// The whole graph is validated once: Schema.model gives an Either<SchemaError, Model>, and
// Schema.modelOrThrow, for a module constant, throws the SchemaError instead.
export const Blog = Schema.modelOrThrow(
  { user, post, comment, permalink, tag },
  {
    user: {
      posts: Schema.hasMany('post', { foreignKey: 'author_id' }),
      comments: Schema.hasMany('comment', { foreignKey: 'author_id' }),
    },
    post: {
      author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
      comments: Schema.hasMany('comment'), // comments.post_id
      publicComments: Schema.hasMany('comment', {
        where: { public: true },
        preloadOrder: [['desc', 'inserted_at']],
      }),
      archivedComments: Schema.hasMany('comment', { source: 'archived_comments' }), // custom source table
      permalink: Schema.hasOne('permalink', { onDelete: 'delete_all' }),
      commentsAuthors: Schema.through(['comments', 'author']), // has-many through, any depth
      tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags' }),
    },
    comment: {
      post: Schema.belongsTo('post'), // comments.post_id -> posts.id
      author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
      children: Schema.hasMany('comment', { foreignKey: 'parent_id' }), // self-reference: threads
      postPermalink: Schema.throughOne(['post', 'permalink']), // has-one through
    },
  },
)
