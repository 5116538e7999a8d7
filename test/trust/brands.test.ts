// Identity by brand, never by shape (invariant 7, issue 13 items 1-2): the last places that recognised the
// library's own values by their `_tag` or by looking like an array. Each test gives a value shaped like
// ours, from untyped code or JSON, and checks it is data: refused with a typed error naming where, or
// used as a plain value; never SQL text, never a preload query, never a defaults function.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import * as Node from '../../src/ast/Node.js'
import { Ast, Column, Memory, Pred, Preload, Query, Schema } from '../../src/index.js'
import { applyDefaults } from '../../src/write/Record.js'

const doc = Schema.table('doc', 'docs', { id: Column.serial, title: Column.text })
const note = Schema.table('note', 'notes', {
  id: Column.serial,
  doc_id: Column.nullable(Column.integer),
  body: Column.text,
})
const M = Schema.modelOrThrow({ doc, note }, { doc: { notes: Schema.hasMany('note') } })
const tables: Memory.Tables = new Map([
  ['docs', [{ id: 1, title: 'one' }]],
  [
    'notes',
    [
      { id: 1, doc_id: 1, body: 'a' },
      { id: 2, doc_id: 1, body: 'b' },
    ],
  ],
])

// Untyped calls, as JavaScript callers make them.
const fragment = Schema.fragment as unknown as (strings: unknown, ...args: ReadonlyArray<unknown>) => unknown
const withWhere = (where: unknown) =>
  Schema.model({ doc, note }, { doc: { x: Schema.hasMany('note', { where: where as never }) } })

describe('Schema.fragment takes only a tagged template', () => {
  const injected = ['', " = 'a') or (1 = 1"]
  const withRaw = (strings: ReadonlyArray<string>, raw: ReadonlyArray<unknown>, freezeRaw = true) =>
    Object.freeze(Object.assign([...strings], { raw: freezeRaw ? Object.freeze([...raw]) : [...raw] }))
  const lookalikes: ReadonlyArray<readonly [string, unknown]> = [
    ['a plain array', injected],
    ['a frozen array without raw', Object.freeze([...injected])],
    ['a frozen array with a raw that is not frozen', withRaw(injected, injected, false)],
    ['a frozen array with a raw of another length', withRaw(injected, ['x'])],
    ['a frozen array with a raw holding a non-string', withRaw(injected, ['', 1])],
    [
      'an array that is not frozen, with a frozen raw',
      Object.assign([...injected], { raw: Object.freeze([...injected]) }),
    ],
    ['a JSON object shaped like a fragment', { _tag: 'WhereFragment', strings: injected, args: [] }],
  ]
  for (const [name, strings] of lookalikes)
    it(`${name}: the association definition is a SchemaError naming schema, association and option`, () => {
      const m = withWhere({ body: fragment(strings, Schema.self) })
      expect(E.isLeft(m) && m.left).toMatchObject({
        _tag: 'SchemaError',
        schema: 'doc',
        association: 'x',
        option: 'where.body',
      })
    })

  it('says why: the refusal names Schema.fragment and the tagged template', () => {
    const m = withWhere({ body: fragment(injected, Schema.self) })
    expect(E.isLeft(m) && m.left.message).toContain('Schema.fragment: expected a tagged template')
  })

  it('a value whose reads throw is refused the same way, without a throw', () => {
    const proxy = new Proxy([], {
      get: () => {
        throw new Error('read')
      },
    })
    expect(() => fragment(proxy, Schema.self)).not.toThrow()
    expect(E.isLeft(withWhere({ body: fragment(proxy, Schema.self) }))).toBe(true)
  })

  it('a real template is accepted, and its strings are the SQL text', () => {
    const m = withWhere({ body: Schema.fragment`upper(${Schema.self}) = ${'A'}` })
    expect(E.isRight(m)).toBe(true)
    if (E.isLeft(m)) return
    const q = pipe(Query.from(m.right, 'doc'), Query.preload({ x: true }))
    const sql = Query.toSql(Query.assoc(m.right, 'doc', 'x')([{ id: 1, title: 'one' }]))
    expect(E.isRight(sql) && sql.right.text).toContain('upper("t0"."body") = $')
    expect(q.errors).toEqual([])
  })
})

describe('preload queries are recognised by identity, not by _tag', () => {
  const docs = Query.from(M, 'doc')
  // Untyped, as a spec parsed from JSON reaches it.
  const preload = Query.preload as unknown as (spec: unknown) => (q: typeof docs) => typeof docs
  const load = async (spec: unknown) => Memory.all(pipe(docs, preload(spec)))(tables)()

  it('Preload.query filters and limits', async () => {
    const r = await load({ notes: Preload.query({ where: { body: 'b' } }) })
    expect(E.isRight(r) && r.right.map(d => (d as { notes?: unknown }).notes)).toEqual([
      [{ id: 2, doc_id: 1, body: 'b' }],
    ])
  })

  it('a JSON object shaped like one is a nested spec: `_tag` is no association', async () => {
    const lookalike = { _tag: 'PreloadQuery', options: { where: { body: 'b' } }, preload: {} }
    const fromJson = JSON.parse(JSON.stringify({ notes: Preload.query({ where: { body: 'b' } }) })) as unknown
    for (const spec of [{ notes: lookalike }, { notes: Object.freeze(lookalike) }, fromJson]) {
      const r = await load(spec)
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', association: '_tag' })
      // a filter that had been applied would have loaded note 'b' only
      expect(E.isLeft(r) && r.left.message).toContain("'_tag'")
    }
  })

  it('a root spec shaped like a preload query is read as an object of association names', async () => {
    const r = await load({ _tag: 'PreloadQuery', options: {}, preload: { notes: true } })
    expect(E.isLeft(r) && r.left.message).toContain("'_tag'")
  })

  it('a value shaped like a merge conflict is not one: the error is about its keys', async () => {
    const r = await load({ notes: { _tag: 'PreloadConflict', a: {}, b: {} } })
    expect(E.isLeft(r) && r.left.message).not.toContain('more than once')
    // two real different queries for one key still conflict
    const both = pipe(
      docs,
      Query.preload({ notes: Preload.query({ limit: 1 }) }),
      Query.preload({ notes: Preload.query({ limit: 2 }) }),
    )
    const c = await Memory.all(both)(tables)()
    expect(E.isLeft(c) && c.left.message).toContain('more than once')
  })
})

describe('withArgs defaults are recognised by the schema brand', () => {
  const origin = { schema: 'doc', association: 'notes' }
  it('a plain defaults object shaped like Schema.withArgs is merged as data; its fn is never called', () => {
    let called = false
    const lookalike = {
      _tag: 'DefaultsWithArgs',
      fn: () => {
        called = true
        return { body: 'from fn' }
      },
      args: [],
    }
    const r = applyDefaults(lookalike as never, { body: 'x' }, null, origin)
    expect(called).toBe(false)
    expect(E.isRight(r) && r.right).toMatchObject({ _tag: 'DefaultsWithArgs', body: 'x' })
  })
  it('a real Schema.withArgs value is called with its arguments', () => {
    const d = Schema.withArgs((child, _owner, suffix: string) => ({ ...child, body: `b${suffix}` }), '!')
    expect(applyDefaults(d, {}, null, origin)).toEqual(E.right({ body: 'b!' }))
  })
})

// Identity is membership in a module-private set: a proxy of a real value forwards every read to it
// (own keys, symbols, `_tag`), and an object given a real value's own symbols copies all there is to
// copy; neither is ours. Before, the brand was an own symbol property, which both carried.
describe('a proxy of a real value, or a copy of its symbols, is data', () => {
  const proxyOf = <A extends object>(a: A): A => new Proxy(a, {})
  const copyOf = (a: object): object => {
    const o: Record<PropertyKey, unknown> = { ...a }
    for (const s of Object.getOwnPropertySymbols(a))
      Object.defineProperty(o, s, Object.getOwnPropertyDescriptor(a, s) as PropertyDescriptor)
    return Object.freeze(o)
  }

  it('an AST node: a fragment lookalike compiles as a parameter, its strings never SQL', () => {
    const real = Ast.Expr.fragment(Object.freeze(Object.assign([' = 1) or (true'], { raw: [''] })), [])
    for (const fake of [proxyOf(real), copyOf(real)]) {
      expect(Node.isNode(fake)).toBe(false)
      const q = pipe(
        Query.from(M, 'doc'),
        Query.where(d => Pred.eq(d.title, fake as never)),
      )
      const sql = Query.toSql(q)
      if (E.isRight(sql)) {
        expect(sql.right.text).not.toContain('or (true')
        expect(sql.right.params).toContain(fake)
      } else expect(sql.left._tag).toBe('QueryError')
    }
  })

  it('a query, a schema definition and a placeholder', () => {
    const q = Query.from(M, 'doc')
    expect(Query.isQuery(proxyOf(q))).toBe(false)
    expect(Query.isQuery(copyOf(q))).toBe(false)
    expect(E.isLeft(Query.toSql(proxyOf(q)))).toBe(true)
    const marker = Schema.notNull
    expect(E.isLeft(withWhere({ body: proxyOf(marker) }))).toBe(true)
    expect(E.isLeft(withWhere({ body: copyOf(marker) }))).toBe(true)
    expect(E.isRight(withWhere({ body: marker }))).toBe(true)
    const p = Ast.Expr.placeholder('id')
    expect(Ast.Expr.isPlaceholder(p)).toBe(true)
    expect(Ast.Expr.isPlaceholder({ ...p })).toBe(false)
    expect(Ast.Expr.isPlaceholder(proxyOf(p))).toBe(false)
  })
})
