// One evaluator for reads and writes: a filter picks the same rows (or fails with the same error) in a
// select, an update and a delete. Each case below was a disagreement between the select evaluator and
// the old write-filter evaluator (or, for `= true` on text, between the select evaluator's index probe
// and its scan), except the first two (LIKE escapes and text order), which both evaluators already
// took from Like and Value: they are pinned here so they stay shared.
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import * as Expr from '../../src/ast/Expr.js'
import * as Select from '../../src/ast/Select.js'
import * as W from '../../src/ast/Write.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import { write } from '../../src/interpreter/memory/Write.js'
import type { RawRow } from '../../src/run/Interpreter.js'

const items: ReadonlyArray<RawRow> = [
  { id: 1, name: 'a\\b', doc: { a: 1 }, big: '1', mark: null },
  { id: 2, name: 'a%b', doc: [1], big: '2', mark: null },
  { id: 3, name: 'a_b', doc: 1, big: '3', mark: null },
  { id: 4, name: 'axb', doc: '1', big: '4', mark: null },
  { id: 5, name: 'ab', doc: null, big: '5', mark: null },
  { id: 6, name: 'z\uffff', doc: null, big: '6', mark: null },
  { id: 7, name: 'z\u{1F600}', doc: null, big: '7', mark: null },
  { id: 8, name: 'z\ue000', doc: null, big: '8', mark: null },
  { id: 9, name: 'za', doc: null, big: '9', mark: null },
  { id: 10, name: null, doc: null, big: '10', mark: null },
]
const tags: ReadonlyArray<RawRow> = [
  { id: 1, item: 1 },
  { id: 2, item: 2 },
]
const tables: Memory.Tables = new Map([
  ['items', items],
  ['tags', tags],
])
const empty: Memory.Tables = new Map([
  ['items', []],
  ['tags', []],
])

const binding = { table: 'items', alias: 'i' }
const col = (c: string, json?: Expr.JsonType) => Expr.column('i', c, json)
const all = items.map(r => r['id'])

const outcome = (r: E.Either<{ readonly code: string | null }, ReadonlyArray<RawRow>>) =>
  E.isLeft(r) ? `error ${r.left.code}` : r.right.map(x => x['id'])

// What a select, an update and a delete with one filter do: the ids each reads or changes, or the
// error's code.
const through = (where: ReadonlyArray<Expr.Expr>, t: Memory.Tables = tables) => {
  const s = where.reduce(
    (acc, w) => Select.withWhere(w)(acc),
    Select.create(binding, [{ name: 'id', expr: col('id') }]),
  )
  const update = W.update({ binding, set: [['mark', Expr.param(true)]], where, returning: ['id'] })
  const remove = W.delete_({ binding, where, returning: ['id'] })
  return {
    read: outcome(Memory.evaluate(t)(s)),
    update: outcome(E.map((w: { readonly rows: ReadonlyArray<RawRow> }) => w.rows)(write(t, update))),
    delete: outcome(E.map((w: { readonly rows: ReadonlyArray<RawRow> }) => w.rows)(write(t, remove))),
  }
}

const agree = (where: ReadonlyArray<Expr.Expr>, expected: unknown, t?: Memory.Tables) =>
  expect(through(where, t)).toEqual({ read: expected, update: expected, delete: expected })

const like = (pattern: string, ci = false) => Expr.like(col('name'), Expr.param(pattern), ci)

describe('a filter means the same in a select, an update and a delete', () => {
  it('LIKE: a backslash makes the next character literal; an escape reached at the end is 22025', () => {
    agree([like('a\\\\b')], [1])
    agree([like('a\\%b')], [2])
    agree([like('a\\_b')], [3])
    agree([like('\\a\\x\\b')], [4])
    agree([like('a_b')], [1, 2, 3, 4])
    agree([like('a%b')], [1, 2, 3, 4, 5])
    agree([like('A\\%B', true)], [2])
    agree([like('a\\')], 'error 22025')
  })

  it('text compares by code point: a character outside the BMP is above U+FFFF', () => {
    // In UTF-16 order U+1F600 (a surrogate pair, 0xD83D...) would sort below U+E000 and U+FFFF.
    agree([Expr.compare('gt', col('name'), Expr.param('z\uffff'))], [7])
    agree([Expr.compare('lt', col('name'), Expr.param('z\u{1F600}'))], [1, 2, 3, 4, 5, 6, 8, 9])
    agree([Expr.compare('gte', col('name'), Expr.param('z\ue000'))], [6, 7, 8])
    const ordered = Select.withOrder([{ expr: col('name'), dir: 'desc', nulls: 'last' }])(
      Select.create(binding, [{ name: 'id', expr: col('id') }]),
    )
    expect(outcome(Memory.evaluate(tables)(ordered))).toEqual([7, 6, 8, 9, 4, 5, 3, 1, 2, 10])
  })

  it('x = any of an empty list is false, not unknown, for a NULL x', () => {
    agree([Expr.not(Expr.inList(col('name'), []))], all)
  })

  it('a list compared with a jsonb column compares as jsonb (the number 1 is not the string "1")', () => {
    agree([Expr.inList(col('doc', 'jsonb'), [1])], [3])
    agree([Expr.inList(col('doc', 'jsonb'), [{ a: 1 }, '1'])], [1, 4])
  })

  it('a column the rows do not have is 42703, a binding out of scope 42P01', () => {
    agree([Expr.isNull(col('nope'))], 'error 42703')
    agree([Expr.eq(Expr.column('x', 'id'), Expr.param(1))], 'error 42P01')
  })

  it('exists is the select evaluator: its limit, offset and joins count', () => {
    const tagged = Select.withWhere(Expr.eq(Expr.column('t', 'item'), col('id')))(
      Select.create({ table: 'tags', alias: 't' }, []),
    )
    agree([Expr.exists(tagged)], [1, 2])
    agree([Expr.exists(Select.set('limit', O.some(0))(tagged))], [])
    agree([Expr.exists(Select.set('offset', O.some(1))(tagged))], [])
    const joined = Select.withJoins([
      Select.join(
        'inner',
        { table: 'items', alias: 'j' },
        Expr.eq(Expr.column('j', 'id'), Expr.column('t', 'id')),
      ),
    ])(tagged)
    agree([Expr.exists(joined)], [1, 2])
  })

  it('a parameter PostgreSQL refuses fails the statement even when no row is read', () => {
    agree([Expr.eq(col('name'), Expr.param('a\u0000b'))], 'error 22021', empty)
    agree([Expr.eq(col('id'), Expr.param(W.ref(0, 'id')))], 'error InvalidArgument', empty)
  })

  it('values no operator compares are 42883, whether or not an index finds the rows', () => {
    agree([Expr.eq(col('name'), Expr.param(true))], 'error 42883')
    agree([Expr.compare('neq', col('name'), Expr.param(true))], 'error 42883')
  })

  it('a number equals numeric text (an int8 as postgres.js returns it), by index or by scan', () => {
    agree([Expr.eq(col('big'), Expr.param(2))], [2])
    agree([Expr.inList(col('big'), [2, 9])], [2, 9])
    agree([Expr.eq(col('id'), Expr.param(3n))], [3])
  })
})
