/** The code the playground opens with (the README's model) and the example queries it offers. */

export const model = `import { Column, Schema } from 'quiver-sql'

// The README's blog. Edit it: columns, associations and their options.
const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text, email: Column.nullable(Column.text) })
const post = Schema.table('post', 'posts', {
  id: Column.serial, author_id: Column.nullable(Column.integer), title: Column.text,
  body: Column.text, published: Column.boolean, inserted_at: Column.timestamptz,
})
const comment = Schema.table('comment', 'comments', {
  id: Column.serial, post_id: Column.nullable(Column.integer), author_id: Column.nullable(Column.integer),
  parent_id: Column.nullable(Column.integer), body: Column.text, public: Column.boolean, inserted_at: Column.timestamptz,
})
const permalink = Schema.table('permalink', 'permalinks', { id: Column.serial, post_id: Column.nullable(Column.integer), url: Column.text })
const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })

const Blog = Schema.modelOrThrow({ user, post, comment, permalink, tag }, {
  user: {
    posts: Schema.hasMany('post', { foreignKey: 'author_id' }),
    comments: Schema.hasMany('comment', { foreignKey: 'author_id' }),
  },
  post: {
    author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
    comments: Schema.hasMany('comment'),
    publicComments: Schema.hasMany('comment', { where: { public: true }, preloadOrder: [['desc', 'inserted_at']] }),
    permalink: Schema.hasOne('permalink', { onDelete: 'delete_all' }),
    commentsAuthors: Schema.through(['comments', 'author']),
    tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags' }),
  },
  comment: {
    post: Schema.belongsTo('post'),
    author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
    children: Schema.hasMany('comment', { foreignKey: 'parent_id' }),
    postPermalink: Schema.throughOne(['post', 'permalink']),
  },
})
`

export interface Example {
  readonly name: string
  readonly code: string
}

export const examples: ReadonlyArray<Example> = [
  {
    name: 'preload a tree',
    code: `pipe(
  Query.from(Blog, 'post'),
  Query.where(p => Pred.eq(p.published, true)),
  Query.orderBy(['id']),
  Query.limit(3),
  Query.preload({ comments: { author: true }, tags: true }),
)`,
  },
  {
    name: 'counts per post',
    code: `pipe(
  Query.from(Blog, 'post'),
  Query.select((p, $) => ({
    id: p.id,
    comments: $.count('comments'),
    open: $.count('comments', c => Pred.eq(c.public, true)),
  })),
  Query.orderBy([['desc', 'comments'], 'id']),
)`,
  },
  {
    name: 'exists / every',
    code: `pipe(
  Query.from(Blog, 'user'),
  Query.where((_, $) => Pred.and($.exists('posts'), $.every('comments', c => Pred.eq(c.public, true)))),
  Query.orderBy(['id']),
)`,
  },
  {
    name: 'top-2 per parent, through',
    code: `pipe(
  Query.from(Blog, 'post'),
  Query.orderBy(['id']),
  Query.preload({
    publicComments: Preload.query({ limit: 2 }),
    commentsAuthors: Preload.query({ hops: 'hide' }),
    permalink: true,
  }),
)`,
  },
  {
    name: 'group by',
    code: `pipe(
  Query.from(Blog, 'post'),
  Query.groupBy(p => [p.author_id]),
  Query.select(p => ({ author: p.author_id, posts: Fn.count(), published: Fn.count({ filter: Pred.eq(p.published, true) }) })),
  Query.orderBy(['author']),
)`,
  },
  {
    name: 'an invalid query',
    code: `pipe(
  Query.from(Blog, 'post'),
  Query.groupBy(p => [p.author_id]),
  Query.select(p => ({ title: p.title })),
)`,
  },
]
