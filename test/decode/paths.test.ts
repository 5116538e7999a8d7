// The two ways a row is decoded give the same rows and the same kind of error (properties): rows in
// their result's key order are walked key by key, any other row (another key order, an extra or
// inherited key, a frozen row) is looked up column by column. Top-level rows against the codecs
// themselves; lateral trees (a belongs-to object and a has-many array in nested JSON) against the same
// tree in the order the level walks.
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import * as Decode from '../../src/decode/Decode.js'
import * as Json from '../../src/decode/Json.js'
import * as Spec from '../../src/plan/Spec.js'
import { Query } from '../../src/index.js'
import * as Model from '../../src/schema/Model.js'
import { Blog } from '../support/blog.js'
import { params } from '../property/support.js'

type Raw = Record<string, unknown>

const posts = Model.table(Blog, 'post')
if (posts === undefined) throw new Error('blog tables')
const columns = [...posts.columns.keys()]

const when = '2026-01-02T03:04:05.678+00:00'
const first: Raw = { id: 1, author_id: null, title: 't', body: 'b', published: true, inserted_at: when }
// A column's value as a driver or JSON.parse gives it: mostly valid, sometimes of the wrong type.
const valueOf = (column: string): fc.Arbitrary<unknown> => {
  const good: Record<string, fc.Arbitrary<unknown>> = {
    id: fc.integer({ min: 1, max: 1000 }),
    author_id: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
    title: fc.string({ maxLength: 4 }),
    body: fc.string({ maxLength: 4 }),
    published: fc.boolean(),
    inserted_at: fc.constantFrom(when, new Date(when), '2026-05-06T07:08:09+02:00'),
  }
  const bad = fc.constantFrom<unknown>('x', 1.5, true, null, {}, 'not a date')
  return fc.oneof({ weight: 30, arbitrary: good[column] ?? bad }, { weight: 1, arbitrary: bad })
}

interface Shape {
  readonly values: Raw
  /** The row's keys in another order than the result's. */
  readonly shuffle: ReadonlyArray<number> | null
  readonly extra: boolean
  readonly inherited: boolean
  readonly frozen: boolean
}

const shape: fc.Arbitrary<Shape> = fc.record({
  values: fc.record(Object.fromEntries(columns.map(c => [c, valueOf(c)]))),
  shuffle: fc.option(fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }), {
    nil: null,
    freq: 4,
  }),
  extra: fc.boolean(),
  inherited: fc.boolean(),
  frozen: fc.boolean(),
})

// The object a row is handed over as: keys in `order` (or the shuffle), then the variations.
const build = (order: ReadonlyArray<string>, s: Shape): Raw => {
  const keys = s.shuffle === null ? order : s.shuffle.map(k => order[k] as string)
  const row: Raw = Object.create(s.inherited ? { stray: 1 } : Object.prototype) as Raw
  for (const k of keys) row[k] = s.values[k]
  if (s.extra) row['more'] = 1
  return s.frozen ? Object.freeze(row) : row
}

// What the codecs themselves make of a row's columns: the decoded row, or the columns they reject.
const reference = (values: Raw): E.Either<ReadonlyArray<string>, Raw> => {
  const out: Raw = {}
  const rejected: Array<string> = []
  for (const [name, column] of posts.columns) {
    const d = column.codec.decode(values[name])
    if (E.isLeft(d)) rejected.push(name)
    else out[name] = d.right
  }
  return rejected.length > 0 ? E.left(rejected) : E.right(out)
}

describe('decoding paths', () => {
  it('Decode.rows: every row as the codecs decode it, only the columns, in any key order (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(columns, { minLength: columns.length, maxLength: columns.length }),
        fc.array(shape, { maxLength: 6 }),
        (order, shapes) => {
          const raw = shapes.map(s => build(order, s))
          const got = Decode.rows(posts, raw)
          const want = shapes.map(s => reference(s.values))
          const firstBad = want.findIndex(E.isLeft)
          if (firstBad === -1) {
            if (E.isLeft(got)) throw new Error(`rejected: ${got.left.message}`)
            expect(got.right.map(r => ({ ...r }))).toEqual(want.map(w => (E.isRight(w) ? w.right : null)))
            for (const r of got.right) expect(Object.keys(r).sort()).toEqual([...columns].sort())
          } else {
            const rejected = want[firstBad]
            if (E.isRight(got) || rejected === undefined || E.isRight(rejected)) throw new Error('accepted')
            expect(got.left).toMatchObject({ _tag: 'DecodeError', table: 'post' })
            expect(rejected.left).toContain(got.left.column)
            expect(got.left.value).toBe(shapes[firstBad]?.values[got.left.column])
          }
        },
      ),
      params(300),
    )
  })

  it('lateral trees: a row and its nested objects in another key order decode as in the walked order (property)', () => {
    const q = pipe(Query.from(Blog, 'post'), Query.preload({ author: true, comments: true }))
    const nodes = Spec.normalize(Blog, 'post', q.preload)
    if (E.isLeft(nodes)) throw nodes.left
    const user = (id: number) => ({ id, name: `u${id}`, email: null })
    const comment = (id: number, at: unknown) => ({
      id,
      post_id: 1,
      author_id: null,
      parent_id: null,
      body: 'b',
      public: id % 2 === 0,
      inserted_at: at,
    })
    const canonical = (values: Raw, author: number | null, comments: ReadonlyArray<unknown>): Raw => ({
      ...Object.fromEntries(columns.map(c => [c, values[c]])),
      author: author === null ? null : user(author),
      comments: comments.map((at, i) => comment(i + 1, at)),
    })
    const reorder = (o: Raw, reverse: boolean): Raw =>
      Object.fromEntries(reverse ? Object.entries(o).reverse() : Object.entries(o))
    // The level takes the order of the first object it completes in place: the canonical one.
    Json.decodeTrees(Blog, 'post', nodes.right, [canonical({ ...first }, 1, [when])])
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(columns.map(c => [c, valueOf(c)]))),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
        fc.array(fc.constantFrom<unknown>(when, '2026-05-06T07:08:09+02:00', 'bad'), { maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        (values, author, comments, reverseRow, reverseNested) => {
          const walked = canonical(values, author, comments)
          const row = canonical(values, author, comments)
          const other = reorder(
            {
              ...row,
              author: row['author'] === null ? null : reorder(row['author'] as Raw, reverseNested),
              comments: (row['comments'] as ReadonlyArray<Raw>).map(c => reorder(c, reverseNested)),
            },
            reverseRow,
          )
          const a = Json.decodeTrees(Blog, 'post', nodes.right, [walked])
          const b = Json.decodeTrees(Blog, 'post', nodes.right, [other])
          if (E.isRight(a) && E.isRight(b)) {
            const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x))
            expect(plain(b.right)).toEqual(plain(a.right))
          } else {
            expect([E.isLeft(a), E.isLeft(b)]).toEqual([true, true])
          }
        },
      ),
      params(300),
    )
  })
})
