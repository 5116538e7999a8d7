// Rows an interpreter hands over unfrozen, with exactly the expected keys, are completed in place;
// frozen rows (the memory interpreter's) and rows of another shape are copied and left as they were.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import * as Decode from '../../src/decode/Decode.js'
import * as Json from '../../src/decode/Json.js'
import * as Spec from '../../src/plan/Spec.js'
import * as t from 'io-ts'
import { Column, Query, Schema } from '../../src/index.js'
import * as Model from '../../src/schema/Model.js'
import { Blog } from '../support/blog.js'

const user = () => ({ id: 1, name: 'ann', email: null })
const post = () => ({
  id: 7,
  author_id: 1,
  title: 't',
  body: 'b',
  published: true,
  inserted_at: '2026-01-02T03:04:05.678+00:00',
})

describe('decoding in place', () => {
  const users = Model.table(Blog, 'user')
  const posts = Model.table(Blog, 'post')
  if (users === undefined || posts === undefined) throw new Error('blog tables')

  it('unfrozen rows with exactly the columns are completed in place', () => {
    const raw = [post(), post()]
    const r = Decode.rows(posts, raw)
    if (E.isLeft(r)) throw r.left
    expect(r.right[0]).toBe(raw[0])
    expect(r.right[1]).toBe(raw[1])
    expect(r.right[0]?.['inserted_at']).toEqual(new Date('2026-01-02T03:04:05.678Z'))
  })

  it('frozen rows and rows with other keys are copied, and the input is untouched', () => {
    const frozen = [Object.freeze(post())]
    const extra = [{ ...post(), __owner: 3 }]
    for (const raw of [frozen, extra]) {
      const r = Decode.rows(posts, raw)
      if (E.isLeft(r)) throw r.left
      expect(r.right[0]).not.toBe(raw[0])
      expect(Object.keys(r.right[0] ?? {})).toEqual(Object.keys(post()))
      expect(raw[0]?.inserted_at).toBe('2026-01-02T03:04:05.678+00:00')
    }
  })

  it('a rejected value is a DecodeError naming table and column, in place or not', () => {
    for (const freeze of [false, true]) {
      const bad = { ...user(), name: 42 }
      const r = Decode.rows(users, [freeze ? Object.freeze(bad) : bad])
      expect(r).toMatchObject(E.left({ _tag: 'DecodeError', table: 'user', column: 'name' }))
    }
  })

  it('a rejected value is named (table, column, value) after earlier columns were decoded in place', () => {
    // text -> a wrapped value: the row holds the wrapped value when the later column is rejected
    const Wrapped = new t.Type<{ readonly s: string }, string, unknown>(
      'Wrapped',
      (u): u is { readonly s: string } => typeof u === 'object' && u !== null && 's' in u,
      (u, c) => (typeof u === 'string' ? t.success({ s: u }) : t.failure(u, c)),
      w => w.s,
    )
    const note = Schema.table('note', 'notes', {
      id: Column.integer,
      tag: Column.custom(Wrapped, 'text'),
      n: Column.integer,
    })
    const m = Schema.modelOrThrow({ note }, {})
    const table = Model.table(m, 'note')
    if (table === undefined) throw new Error('note table')
    const raw = [
      { id: 1, tag: 'a', n: 2 },
      { id: 2, tag: 'b', n: 'x' },
    ]
    expect(Decode.rows(table, raw)).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'note', column: 'n', value: 'x' }),
    )
    const ok = Decode.rows(table, [{ id: 3, tag: 'c', n: 4 }])
    expect(ok).toEqual(E.right([{ id: 3, tag: { s: 'c' }, n: 4 }]))
  })

  it("rows are walked in the first row's column order; a row of another shape in the same result is copied", () => {
    // the first row sets the order (here not the table's); the second has another order, the third
    // an extra key, the fourth an inherited enumerable key, the fifth is frozen
    const { inserted_at, ...rest } = post()
    const first = { inserted_at, ...rest }
    const reordered = { ...post(), id: 8 }
    const extra = { ...post(), id: 9, more: 1 }
    const inherited = Object.assign(Object.create({ stray: 1 }) as object, post(), { id: 10 })
    const frozen = Object.freeze({ ...first, id: 11 })
    const raw = [first, reordered, extra, inherited, frozen]
    const r = Decode.rows(posts, raw)
    if (E.isLeft(r)) throw r.left
    expect(r.right[0]).toBe(first)
    expect(r.right.map(x => x['id'])).toEqual([7, 8, 9, 10, 11])
    expect(r.right.slice(1).map((x, i) => x === raw[i + 1])).toEqual([false, false, false, false])
    for (const x of r.right) {
      expect(Object.keys(x).sort()).toEqual(Object.keys(post()).sort())
      expect(x['inserted_at']).toEqual(new Date('2026-01-02T03:04:05.678Z'))
    }
    expect(frozen.inserted_at).toBe('2026-01-02T03:04:05.678+00:00')
  })

  it("each result is walked in its own first row's order: the table's order, kept between results, is not another result's", () => {
    // a result in the table's order, one in another order, then the table's order again: a row of the
    // other order in a table-order result (and the reverse) is copied, and every row decodes alike
    const { inserted_at, ...rest } = post()
    const other = () => ({ inserted_at, ...rest })
    const results = [
      [post(), other()],
      [other(), post()],
      [post(), other()],
    ]
    for (const raw of results) {
      const r = Decode.rows(posts, raw)
      if (E.isLeft(r)) throw r.left
      expect(r.right[0]).toBe(raw[0])
      expect(r.right[1]).not.toBe(raw[1])
      for (const x of r.right) expect(x['inserted_at']).toEqual(new Date('2026-01-02T03:04:05.678Z'))
      expect(raw[1]?.inserted_at).toBe('2026-01-02T03:04:05.678+00:00')
    }
    const bad = { ...other(), title: 3 }
    expect(Decode.rows(posts, [post(), bad])).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'post', column: 'title', value: 3 }),
    )
    expect(Decode.rows(posts, [{ ...post(), title: 3 }])).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'post', column: 'title', value: 3 }),
    )
  })

  it('a rejected value is named by its column when rows are walked in their own order', () => {
    const bad = { published: 'yes', id: 7, author_id: 1, title: 't', body: 'b', inserted_at: 'x' }
    expect(
      Decode.rows(posts, [{ ...bad, published: true, inserted_at: post().inserted_at }, bad]),
    ).toMatchObject(E.left({ _tag: 'DecodeError', table: 'post', column: 'published', value: 'yes' }))
    expect(Decode.rows(posts, [{ ...bad, published: false }])).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'post', column: 'inserted_at', value: 'x' }),
    )
  })

  it('lateral rows in other key orders, or with an inherited key, decode to the same values', () => {
    const q = pipe(Query.from(Blog, 'post'), Query.preload({ author: true }))
    const nodes = Spec.normalize(Blog, 'post', q.preload)
    if (E.isLeft(nodes)) throw nodes.left
    const { inserted_at, ...rest } = post()
    const { name, ...id } = user()
    const rows = [
      { ...post(), author: user() },
      { author: { ...id, name }, inserted_at, ...rest },
      Object.assign(Object.create({ stray: 1 }) as object, post(), { author: user() }),
    ]
    const r = Json.decodeTrees(Blog, 'post', nodes.right, rows)
    if (E.isLeft(r)) throw r.left
    const expected = {
      ...post(),
      inserted_at: new Date('2026-01-02T03:04:05.678Z'),
      author: { _tag: 'Some', value: user() },
    }
    for (const x of r.right) expect({ ...x }).toEqual(expected)
    expect(r.right[0]).toBe(rows[0])
  })

  it('a rejected value in a lateral row or nested object names table, column and value', () => {
    const q = pipe(Query.from(Blog, 'post'), Query.preload({ author: true }))
    const nodes = Spec.normalize(Blog, 'post', q.preload)
    if (E.isLeft(nodes)) throw nodes.left
    const ok = () => ({ ...post(), author: user() })
    const badRow = { ...post(), published: 'yes', author: user() }
    const badNested = { ...post(), author: { ...user(), name: 7 } }
    expect(Json.decodeTrees(Blog, 'post', nodes.right, [ok(), badRow])).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'post', column: 'published', value: 'yes' }),
    )
    expect(Json.decodeTrees(Blog, 'post', nodes.right, [ok(), badNested])).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'user', column: 'name', value: 7 }),
    )
  })

  it('lateral rows and their nested JSON objects are completed in place when they have the exact keys', () => {
    const q = pipe(Query.from(Blog, 'post'), Query.preload({ author: true }))
    const nodes = Spec.normalize(Blog, 'post', q.preload)
    if (E.isLeft(nodes)) throw nodes.left
    const root = { ...post(), author: user() }
    const copied = Object.freeze({ ...post(), author: user() })
    const r = Json.decodeTrees(Blog, 'post', nodes.right, [root])
    const s = Json.decodeTrees(Blog, 'post', nodes.right, [copied])
    if (E.isLeft(r) || E.isLeft(s)) throw new Error('decode failed')
    expect(r.right[0]).toBe(root)
    expect(s.right[0]).not.toBe(copied)
    expect(s.right[0]).toEqual(r.right[0])
    expect(Object.isFrozen(r.right[0])).toBe(true)
    const author = r.right[0]?.['author'] as { readonly _tag: string; readonly value?: unknown }
    expect(author).toEqual({ _tag: 'Some', value: { id: 1, name: 'ann', email: null } })
    expect(copied.inserted_at).toBe('2026-01-02T03:04:05.678+00:00')
  })
})
