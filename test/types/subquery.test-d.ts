// Type tests of subqueries: `Pred.in` takes a query whose one output has the term's type, `Fn.scalar`
// is typed as that output or null, `Pred.exists` takes any query; a query with no or several outputs,
// or whole rows, is rejected where one output is needed.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import { describe, expectTypeOf, it } from 'vitest'
import { Fn, Pg, Pred, Query } from '../../src/index.js'
import type { LoadError } from '../../src/run/Run.js'
import { Blog } from '../support/blog.js'

declare const sql: postgres.Sql
declare const id: Pred.Term<number>

const posts = Query.from(Blog, 'post')
const authorIds = pipe(
  posts,
  Query.select(p => ({ id: p.author_id })),
)
const titles = pipe(
  posts,
  Query.select(p => ({ t: p.title })),
)
const two = pipe(
  posts,
  Query.select(p => ({ id: p.id, t: p.title })),
)

describe('Pred.in over a query', () => {
  it('accepts a query whose one output has the type of the term (NULL aside)', () => {
    expectTypeOf(Pred.in({} as Pred.Term<number>, authorIds)).toEqualTypeOf<Pred.Pred>()
    pipe(
      Query.from(Blog, 'user'),
      Query.where(u => Pred.in(u.id, authorIds)),
    )
    pipe(
      Query.from(Blog, 'user'),
      Query.where(u => Pred.in(u.name, titles)),
    )
  })
  it('rejects another type, several outputs and whole rows', () => {
    // @ts-expect-error a text output beside an integer term
    Pred.in(id, titles)
    // @ts-expect-error two outputs
    Pred.in(id, two)
    // @ts-expect-error whole rows
    Pred.in(id, posts)
  })
})

describe('Pred.exists / notExists', () => {
  it('take any query, whole rows or a projection', () => {
    expectTypeOf(Pred.exists(posts)).toEqualTypeOf<Pred.Pred<boolean>>()
    expectTypeOf(Pred.notExists(two)).toEqualTypeOf<Pred.Pred<boolean>>()
    // @ts-expect-error not a query
    Pred.exists(42)
  })
})

describe('Fn.scalar', () => {
  it("is typed as the query's one output, or null", () => {
    expectTypeOf(Fn.scalar(titles)).toEqualTypeOf<Pred.Term<string | null>>()
    expectTypeOf(Fn.scalar(authorIds)).toEqualTypeOf<Pred.Term<number | null>>()
    const q = pipe(
      posts,
      Query.select(p => ({
        title: p.title,
        latest: Fn.scalar(
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => Pred.eq(c.post_id, p.id)),
            Query.select(c => ({ m: Fn.max(c.inserted_at) })),
          ),
        ),
        comments: Fn.scalar(
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => Pred.eq(c.post_id, p.id)),
            Query.select(() => ({ n: Fn.count() })),
          ),
        ),
      })),
    )
    expectTypeOf(Pg.all(q)(sql)()).resolves.toEqualTypeOf<
      E.Either<
        LoadError,
        ReadonlyArray<{
          readonly title: string
          readonly latest: Date | null
          readonly comments: number | null
        }>
      >
    >()
    // usable in a comparison with its type
    pipe(
      posts,
      Query.where(p => Pred.gt(Fn.scalar(titles), p.title)),
    )
  })
  it('rejects several outputs and whole rows', () => {
    // @ts-expect-error two outputs
    Fn.scalar(two)
    // @ts-expect-error whole rows
    Fn.scalar(posts)
  })
})
