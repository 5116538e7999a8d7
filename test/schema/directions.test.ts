import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import { Preload, Query, Run, Schema } from '../../src/index.js'
import type { Interpreter } from '../../src/index.js'
import { Blog } from '../support/blog.js'

// An interpreter that must never be reached: every case here is refused before any statement.
const unreachable: Interpreter = {
  _tag: 'Interpreter',
  name: 'unreachable',
  select: () => () => Promise.reject(new Error('no statement may run')),
  transact: () => () => Promise.reject(new Error('no statement may run')),
}

describe('order directions are looked up by own name only', () => {
  it('accepts every documented direction', () => {
    expect(Schema.directionNames).toEqual([
      'asc',
      'desc',
      'asc_nulls_first',
      'asc_nulls_last',
      'desc_nulls_first',
      'desc_nulls_last',
    ])
  })

  it('a preload orderBy with an inherited name as direction is a QueryError, not accepted', async () => {
    // As untyped JavaScript would call it.
    const preload = Query.preload as unknown as (spec: unknown) => (q: Query.AnyQuery) => Query.AnyQuery
    const spec = { comments: Preload.query({ orderBy: [['constructor', 'id']] } as never) }
    const q = pipe(Query.from(Blog, 'post'), preload(spec))
    const r = await Run.all(q)(unreachable)()
    expect(E.isLeft(r) && r.left._tag).toBe('QueryError')
    expect(E.isLeft(r) && r.left.message).toContain('comments')
  })

  it('a preloadOrder with an inherited name as direction is a SchemaError naming the option', () => {
    const m = Schema.model(
      { post: Blog.tables.post, comment: Blog.tables.comment },
      { post: { comments: Schema.hasMany('comment', { preloadOrder: [['toString', 'id']] as never }) } },
    )
    expect(E.isLeft(m) && [m.left.schema, m.left.association, m.left.option]).toEqual([
      'post',
      'comments',
      'preloadOrder',
    ])
  })
})
