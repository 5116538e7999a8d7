// Type tests: the result of `Query.statements` is pinned (what a user reads, field by field), and its
// options take the load strategies only.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Query, type CompiledQuery, type QueryError } from '../../src/index.js'
import { Blog } from '../support/blog.js'

const q = pipe(Query.from(Blog, 'post'), Query.preload({ comments: { author: true } }))

describe('Query.statements', () => {
  it('returns the statements of a strategy, or a QueryError', () => {
    expectTypeOf(Query.statements(q)).toEqualTypeOf<E.Either<QueryError, Query.Statements>>()
    expectTypeOf(Query.statements(q, { strategy: 'batched' })).toEqualTypeOf<
      E.Either<QueryError, Query.Statements>
    >()
    expectTypeOf<Query.Statements>().toEqualTypeOf<{
      readonly strategy: 'batched' | 'lateral'
      readonly statements: ReadonlyArray<Query.Statement>
    }>()
    expectTypeOf<Query.StatementsOptions>().toEqualTypeOf<{
      readonly strategy?: 'auto' | 'batched' | 'lateral'
    }>()
  })

  it('a statement is a tagged union of compiled queries', () => {
    expectTypeOf<Query.Statement>().toEqualTypeOf<
      Query.RootStatement | Query.TreeStatement | Query.LevelStatement
    >()
    expectTypeOf<Query.Statement['_tag']>().toEqualTypeOf<'Root' | 'Tree' | 'Level'>()
    expectTypeOf<Query.Statement>().toMatchTypeOf<CompiledQuery>()
    type Json = NonNullable<CompiledQuery['json']>
    type Counts = NonNullable<CompiledQuery['counts']>
    expectTypeOf<Query.RootStatement>().toEqualTypeOf<{
      readonly _tag: 'Root'
      readonly text: string
      readonly params: ReadonlyArray<unknown>
      readonly json?: Json
      readonly counts?: Counts
    }>()
    expectTypeOf<Query.TreeStatement>().toEqualTypeOf<{
      readonly _tag: 'Tree'
      readonly text: string
      readonly params: ReadonlyArray<unknown>
      readonly json?: Json
      readonly counts?: Counts
    }>()
    expectTypeOf<Query.LevelStatement>().toEqualTypeOf<{
      readonly _tag: 'Level'
      readonly text: string
      readonly params: ReadonlyArray<unknown>
      readonly json?: Json
      readonly counts?: Counts
      readonly level: string
      readonly keyedBy: 'owners' | 'targets'
      readonly keys: number
      readonly one: {
        readonly text: string
        readonly params: ReadonlyArray<unknown>
        readonly json?: Json
        readonly counts?: Counts
        readonly keys: number
      }
    }>()
  })

  it('refuses other options and other arguments', () => {
    // @ts-expect-error not a strategy
    Query.statements(q, { strategy: 'fast' })
    // @ts-expect-error `force` is an option of preloading into rows, not of a query's statements
    Query.statements(q, { force: true })
    // @ts-expect-error not a query
    Query.statements({ text: 'select 1' })
  })
})
