// Type tests of a projection with preloads: the row type is the projection plus the preloaded fields
// (to-many `ReadonlyArray`s, to-one `Option`s, nested specs nested), without the schema's other columns,
// in whichever order `select` and `preload` come.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import type postgres from 'postgres'
import { describe, expectTypeOf, it } from 'vitest'
import { Pg, Preload, Query, type Schema } from '../../src/index.js'
import type { LoadError } from '../../src/run/Run.js'
import { Blog } from '../support/blog.js'

declare const sql: postgres.Sql

type Comment = Schema.Row<typeof Blog, 'comment'>
type User = Schema.Row<typeof Blog, 'user'>
type Tag = Schema.Row<typeof Blog, 'tag'>

const posts = Query.from(Blog, 'post')

describe('select with preload: row types', () => {
  it('is the projection and the preloaded fields', () => {
    const q = pipe(
      posts,
      Query.select(p => ({ title: p.title })),
      Query.preload({ comments: { author: true }, tags: true }),
    )
    type Row = Query.RowOf<typeof q>
    expectTypeOf<Row['title']>().toEqualTypeOf<string>()
    expectTypeOf<Row['comments']>().toEqualTypeOf<
      ReadonlyArray<Comment & { readonly author: O.Option<User> }>
    >()
    expectTypeOf<Row['tags']>().toEqualTypeOf<ReadonlyArray<Tag>>()
    expectTypeOf<Row>().not.toHaveProperty('id')
    expectTypeOf<Row>().not.toHaveProperty('author_id')
    expectTypeOf(Pg.all(q)(sql)()).toEqualTypeOf<Promise<E.Either<LoadError, ReadonlyArray<Row>>>>()
  })

  it('preload before select, a to-one association and a hidden through', () => {
    const q = pipe(
      posts,
      Query.preload({ author: true, commentsAuthors: Preload.query({ hops: 'hide' }) }),
      Query.select(p => ({ id: p.id })),
    )
    type Row = Query.RowOf<typeof q>
    expectTypeOf(Pg.all(q)(sql)()).toEqualTypeOf<Promise<E.Either<LoadError, ReadonlyArray<Row>>>>()
    expectTypeOf<Row['id']>().toEqualTypeOf<number>()
    expectTypeOf<Row['author']>().toEqualTypeOf<O.Option<User>>()
    expectTypeOf<Row['commentsAuthors']>().toEqualTypeOf<ReadonlyArray<User>>()
    expectTypeOf<Row>().not.toHaveProperty('title')
    expectTypeOf<Row>().not.toHaveProperty('comments')
  })
})
