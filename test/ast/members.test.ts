// Node.members: the identity sets behind the brands of AST nodes and queries (a private field stamped on
// the fresh object, in place of a WeakSet). Membership is the object's own: a spread, a copy of every
// own property and symbol, a prototype or a proxy of a member is not a member, asking runs no trap, and
// each set sees only what it stamped.
import { describe, expect, it } from 'vitest'
import * as Ex from '../../src/ast/Expr.js'
import * as Node from '../../src/ast/Node.js'

describe('Node.members', () => {
  it('has what it stamped, frozen after or not; not a copy, a heir or a proxy of it', () => {
    const set = Node.members()
    const o = Object.freeze(set.stamp({ _tag: 'X', n: 1 }))
    expect(set.has(o)).toBe(true)
    const copy: Record<PropertyKey, unknown> = { ...o }
    for (const k of Reflect.ownKeys(o))
      Object.defineProperty(copy, k, Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor)
    expect(set.has(copy)).toBe(false)
    expect(set.has(Object.create(o))).toBe(false)
    let trapped = 0
    const spy = new Proxy(o, {
      get: (t, k) => {
        trapped++
        return Reflect.get(t, k)
      },
      has: (t, k) => {
        trapped++
        return Reflect.has(t, k)
      },
    })
    expect(set.has(spy)).toBe(false)
    expect(trapped).toBe(0)
    for (const u of [null, undefined, 1, 'x', () => o]) expect(set.has(u)).toBe(false)
  })

  it('each set is its own: a member of one is not a member of another', () => {
    const a = Node.members()
    const b = Node.members()
    const o = a.stamp({})
    expect(a.has(o)).toBe(true)
    expect(b.has(o)).toBe(false)
  })

  it('the AST brand: a node is a node, its spread is not, and neither has an own symbol to copy', () => {
    const e = Ex.eq(Ex.column('t0', 'id'), Ex.param(1))
    expect(Node.isNode(e)).toBe(true)
    expect(Node.isNode({ ...e })).toBe(false)
    expect(Object.getOwnPropertySymbols(e)).toEqual([])
  })
})
