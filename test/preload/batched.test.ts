// The batched planner's caches: a batched select is built from a template kept per association and
// custom query, and `Plan.memoCompile` compiles each template once per shape (one key, several keys)
// and only fills in the keys. The cached compilation must equal a fresh `Sql.toSql` of the same select.
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { Preload } from '../../src/index.js'
import * as Plan from '../../src/plan/Preload.js'
import * as Spec from '../../src/plan/Spec.js'
import * as Sql from '../../src/sql/Compile.js'
import { Blog } from '../support/blog.js'

const nodesOf = (schema: string, spec: Spec.Input) => {
  const nodes = Spec.normalize(Blog, schema, spec)
  if (E.isLeft(nodes)) throw new Error(nodes.left.message)
  return nodes.right
}

const selectOf = (node: Spec.Node, keys: ReadonlyArray<unknown>) => {
  const c = Plan.chain(Blog, node)
  if (E.isLeft(c)) throw new Error(c.left.message)
  return Plan.batched(Blog, node, c.right, keys)
}

describe('batched planner caches', () => {
  const specs: ReadonlyArray<readonly [string, Spec.Input]> = [
    ['post', { comments: true, author: true, tags: true, permalink: true }],
    // a filter value equal to a key, a per-parent window with parameters of its own
    ['post', { comments: Preload.query({ where: { id: 1 }, limit: 2, offset: 1 }) }],
    ['post', { permalink: Preload.query({ offset: 1 }) }],
    ['comment', { author: Preload.query({ where: { name: 'ada' } }) }],
  ]
  const keyLists: ReadonlyArray<ReadonlyArray<unknown>> = [[1], [1, 2], [2], [3, 1, 2], [1]]

  it('memoCompile gives the text and parameters of a fresh compilation, for one key and for several', () => {
    const compile = Plan.memoCompile(Sql.toSql)
    for (const [schema, spec] of specs)
      for (const node of nodesOf(schema, spec))
        for (const keys of keyLists) {
          const s = selectOf(node, keys)
          expect(compile(s)).toEqual(Sql.toSql(s))
        }
  })

  it('the same association and custom query give the same statement text for any keys', () => {
    const [a] = nodesOf('post', { comments: true })
    const [b] = nodesOf('post', { comments: true })
    if (a === undefined || b === undefined) throw new Error('no node')
    const compile = Plan.memoCompile(Sql.toSql)
    const x = compile(selectOf(a, [1, 2]))
    const y = compile(selectOf(b, [7, 8, 9]))
    expect(y.text).toBe(x.text)
    expect(y.params).toEqual([[7, 8, 9]])
  })

  it('selects that are not batched preload selects compile as they are', () => {
    const compile = Plan.memoCompile(Sql.toSql)
    const [node] = nodesOf('post', { comments: true })
    if (node === undefined) throw new Error('no node')
    const s = Object.freeze({ ...selectOf(node, [1, 2]) })
    expect(compile(s)).toEqual(Sql.toSql(s))
  })
})

describe('batched windows', () => {
  it('a to-one with limit 0 gets a per-parent window (no row), without offset none', () => {
    const [zero] = nodesOf('comment', { author: Preload.query({ limit: 0 }) })
    const [plain] = nodesOf('comment', { author: true })
    if (zero === undefined || plain === undefined) throw new Error('no node')
    expect(selectOf(zero, [1, 2]).perParent._tag).toBe('Some')
    expect(selectOf(plain, [1, 2]).perParent._tag).toBe('None')
  })

  it('a belongs_to to the primary key is read without order, other to-ones keep theirs', () => {
    const [author] = nodesOf('comment', { author: true })
    const [permalink] = nodesOf('post', { permalink: true })
    if (author === undefined || permalink === undefined) throw new Error('no node')
    expect(Sql.toSql(selectOf(author, [1, 2])).text).not.toContain('order by')
    expect(Sql.toSql(selectOf(permalink, [1, 2])).text).toContain('order by "t0"."id" asc')
  })
})
