// Type tests for changes: association names given to putAssoc, castAssoc and build, and the columns and
// associations of a cast whitelist, are checked against the model (as preload specs are); a change keeps
// its model and schema through the combinators.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Write } from '../../src/index.js'
import { Blog } from '../support/blog.js'

declare const loaded: Parameters<typeof Write.change<typeof Blog, 'post'>>[2]
const post = Write.change(Blog, 'post', loaded)

describe('putAssoc', () => {
  it('takes the association names of the schema', () => {
    const c = pipe(post, Write.putAssoc('comments', []))
    // The change names the association it writes, as a preload spec: the shape of the plan's result.
    expectTypeOf(c).toEqualTypeOf<
      E.Either<Write.WriteError, Write.Change<typeof Blog, 'post', { readonly comments: true }>>
    >()
    pipe(post, Write.putAssoc('permalink', null))
    pipe(post, Write.putAssoc('tags', [{ id: 1 }]))
    pipe(post, Write.putAssoc('author', { id: 1 }))
  })
  it('refuses a misspelled name and a through association', () => {
    // @ts-expect-error: schema 'post' has no association 'coments'
    pipe(post, Write.putAssoc('coments', []))
    // @ts-expect-error: a through association is read-only
    pipe(post, Write.putAssoc('commentsAuthors', []))
    // @ts-expect-error: 'children' is an association of comment, not of post
    pipe(post, Write.putAssoc('children', []))
  })
  it('a name only known at run time is checked when the change is made', () => {
    const name: string = 'comments'
    pipe(post, Write.putAssoc(name, []))
  })
})

describe('castAssoc', () => {
  it('takes the association names and a whitelist of the target columns', () => {
    const c = pipe(post, Write.castAssoc('comments', [], { permit: ['body', 'public'] }))
    expectTypeOf(c).toEqualTypeOf<
      E.Either<Write.WriteError, Write.Change<typeof Blog, 'post', { readonly comments: true }>>
    >()
    pipe(
      post,
      Write.castAssoc('comments', [], {
        permit: ['id', 'body'],
        assocs: { children: { permit: ['body'], assocs: { author: { permit: ['name'] } } } },
        unknown: 'drop',
      }),
    )
  })
  it('refuses a misspelled association, a column of another schema, a nested mistake', () => {
    // @ts-expect-error: schema 'post' has no association 'coments'
    pipe(post, Write.castAssoc('coments', [], { permit: ['body'] }))
    // @ts-expect-error: 'title' is a column of post, not of comment
    pipe(post, Write.castAssoc('comments', [], { permit: ['title'] }))
    // @ts-expect-error: comment has no association 'likes'
    pipe(post, Write.castAssoc('comments', [], { permit: ['body'], assocs: { likes: { permit: ['id'] } } }))
    const deep = {
      permit: ['body'],
      assocs: { children: { permit: ['body'], assocs: { author: { permit: ['url'] } } } },
    } as const
    // @ts-expect-error: 'url' is not a column of user (comments.children.author)
    pipe(post, Write.castAssoc('comments', [], deep))
    // @ts-expect-error: a through association is read-only
    pipe(post, Write.castAssoc('commentsAuthors', [], { permit: ['name'] }))
  })
})

describe('cast', () => {
  it('takes the columns and associations of the schema', () => {
    const c = pipe(
      post,
      Write.cast(
        {},
        {
          permit: ['title', 'body'],
          assocs: { comments: { permit: ['body'] }, permalink: { permit: ['url'] } },
        },
      ),
    )
    expectTypeOf(c).toEqualTypeOf<
      E.Either<
        Write.WriteError,
        Write.Change<typeof Blog, 'post', { readonly comments: true; readonly permalink: true }>
      >
    >()
  })
  it('refuses a column or an association the schema does not have', () => {
    // @ts-expect-error: 'admin' is not a column of post
    pipe(post, Write.cast({}, { permit: ['title', 'admin'] }))
    // @ts-expect-error: post has no association 'likes'
    pipe(post, Write.cast({}, { permit: ['title'], assocs: { likes: { permit: ['id'] } } }))
    // @ts-expect-error: 'title' is not a column of comment
    pipe(post, Write.cast({}, { permit: [], assocs: { comments: { permit: ['title'] } } }))
  })
  it('a whitelist only known at run time is checked when the change is made', () => {
    const permit: Write.Permit = { permit: ['whatever'] }
    pipe(post, Write.cast({}, permit))
  })
})

describe('build', () => {
  it('takes the direct association names of the schema', () => {
    Write.build(Blog, 'post', 'comments')
    // @ts-expect-error: schema 'post' has no association 'coments'
    Write.build(Blog, 'post', 'coments')
    // @ts-expect-error: a through association cannot be built (build its hops)
    Write.build(Blog, 'post', 'commentsAuthors')
  })
})
