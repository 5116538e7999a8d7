// The lateral strategy's per-call caches: a literal spec (true and plain objects) normalises to the same
// nodes every time, any other value is checked on every call; the tree of a spec is planned once and its
// subqueries lowered once, so two roots that differ only in their values give the same text, the
// subqueries' parameters first, then each root's own.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import { Preload, Pred, Query } from '../../src/index.js'
import * as Lateral from '../../src/sql/Lateral.js'
import * as Plan from '../../src/plan/Preload.js'
import * as Spec from '../../src/plan/Spec.js'
import { Blog } from '../support/blog.js'

describe('lateral caches', () => {
  it('normalises equal literal specs to the same nodes, per schema', () => {
    const a = Spec.normalize(Blog, 'post', { comments: { author: true } })
    const b = Spec.normalize(Blog, 'post', { comments: { author: true }, tags: undefined })
    expect(E.isRight(a) && E.isRight(b) && a.right === b.right).toBe(true)
    const other = Spec.normalize(Blog, 'post', { author: true })
    expect(E.isRight(other) && E.isRight(a) && other.right !== a.right).toBe(true)
  })

  it('tells apart shapes that share a beginning (a spec and a longer one, a nested spec and true)', () => {
    const specs = [
      { author: true },
      { author: true, comments: true },
      { author: true, comments: { author: true } },
      { author: true, comments: { author: true }, tags: true },
      { comments: { author: true }, tags: true },
      { comments: true, tags: true },
    ]
    const nodes = specs.map(s => Spec.normalize(Blog, 'post', s))
    const names = nodes.map(n =>
      E.isRight(n)
        ? n.right.map(x => `${x.name}(${x.children.map(c => c.name).join(',')})`).join(' ')
        : 'error',
    )
    expect(names).toEqual([
      'author()',
      'author() comments()',
      'author() comments(author)',
      'author() comments(author) tags()',
      'comments(author) tags()',
      'comments() tags()',
    ])
    // and each is found again (the same nodes), written anew
    const again = specs.map(s => Spec.normalize(Blog, 'post', JSON.parse(JSON.stringify(s)) as object))
    expect(
      again.every((n, i) => E.isRight(n) && n.right === (nodes[i] as typeof n & E.Right<unknown>).right),
    ).toBe(true)
  })

  it('normalises equal Preload.query values of only limit, offset and hops to the same nodes', () => {
    const spec = (limit: number) => ({
      comments: Preload.query({ limit, offset: 1 }, { author: true }),
    })
    const a = Spec.normalize(Blog, 'post', spec(3))
    const b = Spec.normalize(Blog, 'post', spec(3))
    expect(E.isRight(a) && E.isRight(b) && a.right === b.right).toBe(true)
    const four = Spec.normalize(Blog, 'post', spec(4))
    expect(E.isRight(four) && E.isRight(a) && four.right !== a.right).toBe(true)
    // an invalid limit is refused each time, naming its value; a filter is not keyed (checked per call)
    const bad = Spec.normalize(Blog, 'post', { comments: Preload.query({ limit: -1 }) })
    expect(E.isLeft(bad) && bad.left.message).toMatch(/-1/)
    const filtered = () => Spec.normalize(Blog, 'post', { comments: Preload.query({ where: { id: 1 } }) })
    const f1 = filtered()
    const f2 = filtered()
    expect(E.isRight(f1) && E.isRight(f2) && f1.right !== f2.right).toBe(true)
  })

  it('checks a spec with a value that JSON would drop on every call', () => {
    expect(E.isRight(Spec.normalize(Blog, 'post', {}))).toBe(true)
    const bad = Spec.normalize(Blog, 'post', { comments: () => true })
    expect(E.isLeft(bad) && bad.left.message).toMatch(/comments/)
    const date = Spec.normalize(Blog, 'post', { comments: new Date(0) })
    expect(E.isLeft(date)).toBe(true)
  })

  it('gives two roots of one spec the same text and the subqueries parameters first', () => {
    const sqlOf = (id: number) => {
      const q = pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.eq(p.id, id)),
        Query.preload({ comments: Preload.query({ limit: 3 }, { author: true }) }),
      )
      const nodes = Spec.normalize(q.model, q.schema, q.preload)
      if (E.isLeft(nodes)) throw new Error(nodes.left.message)
      const tree = Plan.treeOfQuery(q.model, q.select, nodes.right)
      if (E.isLeft(tree)) throw new Error(tree.left.message)
      return { nodes: nodes.right, tree: tree.right, sql: Lateral.toSql(tree.right) }
    }
    const one = sqlOf(1)
    const two = sqlOf(2)
    expect(one.sql.params).toEqual([3, 1])
    expect(two.sql.params).toEqual([3, 2])
    expect(two.sql.text).toBe(one.sql.text)
    expect(one.sql.text).toMatch(
      /limit \$1\) as "j0"\) as "comments" from "posts" as "t0" where "t0"\."id" = \$2$/,
    )
    // the same spec nodes plan to the same tree nodes
    const again = Plan.treeOfQuery(Blog, pipe(Query.from(Blog, 'post')).select, one.nodes)
    expect(E.isRight(again) && again.right.nodes).toBe(one.tree.nodes)
  })
})
