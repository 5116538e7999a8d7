// LIKE and ILIKE in memory against PostgreSQL: every printable ASCII character in the pattern and the
// text, 10,000-character patterns, a pathological pattern that must stay fast, random patterns, and the
// pattern of issue 13 ('2024-01-%') through both evaluators (a query, and a write filter).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Expr from '../../src/ast/Expr.js'
import * as W from '../../src/ast/Write.js'
import { like } from '../../src/interpreter/memory/Like.js'
import { write } from '../../src/interpreter/memory/Write.js'
import { Memory, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import { cpuClock } from '../support/cpu.js'
import { connect, type TestDb } from '../support/db.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  // One outcome per pair, the error included: 'error 22025' when PostgreSQL raises.
  await db.sql.unsafe(`
    create function like_outcome(t text, p text, ci boolean) returns text language plpgsql as $$
    begin
      return case when ci then (t ilike p)::text else (t like p)::text end;
    exception when others then return 'error ' || sqlstate;
    end $$`)
})
afterAll(async () => db.close())

type Pair = readonly [string, string]

const onPostgres = async (sql: postgres.Sql, pairs: ReadonlyArray<Pair>, ci: boolean) => {
  const rows = await sql.unsafe(
    `select like_outcome(t, p, $3) as r from unnest($1::text[], $2::text[]) with ordinality as x(t, p, n) order by n`,
    [pairs.map(([t]) => t), pairs.map(([, p]) => p), ci],
  )
  return rows.map(r => String(r['r']))
}

const inMemory = (pairs: ReadonlyArray<Pair>, ci: boolean) =>
  pairs.map(([t, p]) => {
    const r = like(t, p, ci)
    return E.isRight(r) ? String(r.right) : `error ${r.left.code}`
  })

const agree = async (pairs: ReadonlyArray<Pair>) => {
  for (const ci of [false, true]) expect(inMemory(pairs, ci)).toEqual(await onPostgres(db.sql, pairs, ci))
}

const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))

describe('LIKE in memory == PostgreSQL', () => {
  it('every printable ASCII character, literal, escaped, around wildcards, at the end', async () => {
    const pairs: Array<Pair> = []
    for (const c of printable)
      for (const d of printable.filter((_, i) => i % 7 === 0 || c === '\\' || c === '%' || c === '_')) {
        const t = `a${c}${d}b`
        pairs.push(
          [t, t],
          [t, `a${c}${d}_`],
          [t, `a\\${c}${d}b`],
          [t, `%${c}%`],
          [t, `_${c}_b`],
          [t, `a${c}`],
          [t, `${c}`],
          [t, `%${c}`],
          [t, `a%\\${c}`],
        )
      }
    pairs.push(
      ['2024-01-31', '2024-01-%'],
      ['2024-02-01', '2024-01-%'],
      ['x', 'x\\'],
      ['xy', 'x\\'],
      ['xy', '%\\'],
    )
    expect(pairs.length).toBeGreaterThan(2000)
    await agree(pairs)
    // The pairs exercise all three outcomes.
    const outcomes = new Set(inMemory(pairs, false))
    expect(outcomes).toEqual(new Set(['true', 'false', 'error 22025']))
  })

  it('10,000-character patterns of every printable character', async () => {
    const rnd = fc.sample(fc.array(fc.constantFrom(...printable), { minLength: 10_000, maxLength: 10_000 }), {
      numRuns: 4,
      seed: 13,
    })
    const pairs: Array<Pair> = []
    for (const cs of rnd) {
      const p = cs.join('')
      // A text the pattern matches: wildcards and escapes resolved.
      let t = ''
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i] as string
        if (c === '\\') t += cs[++i] ?? ''
        else if (c === '_') t += 'x'
        else if (c !== '%') t += c
      }
      pairs.push([t, p], [`${t}!`, p], [t.slice(1), p])
    }
    const plain = 'ab-'.repeat(3334).slice(0, 10_000)
    pairs.push([plain, plain], [plain, `${plain.slice(0, 9_999)}%`])
    await agree(pairs)
    expect(inMemory([[plain, plain]], false)).toEqual(['true'])
  })

  it('stays fast on a pathological %a%a...%b against a long text (no exponential backtracking)', async () => {
    const p = `${'%a'.repeat(5_000)}%b`
    const t = 'a'.repeat(10_000)
    const matching = cpuClock()
    expect(like(t, p, false)).toEqual(E.right(false))
    expect(like(`${t}b`, p, false)).toEqual(E.right(true))
    expect(like(t, `%${'a'.repeat(4_999)}b`, false)).toEqual(E.right(false))
    expect(like(t.toUpperCase(), p, true)).toEqual(E.right(false))
    expect(matching()).toBeLessThan(2_000)
    await agree([
      [t, p],
      [`${t}b`, p],
    ])
  })

  it('random patterns and texts (wildcards, escapes, case, non-ASCII) agree with PostgreSQL', async () => {
    const alphabet = ['a', 'b', 'A', 'B', '%', '_', '\\', '-', 'é', 'É', '😀', 'ß', 'Σ', 'σ']
    const str = (max: number) =>
      fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map(cs => cs.join(''))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(str(8), str(6)), { minLength: 50, maxLength: 50 }), async pairs => {
        await agree(pairs)
      }),
      { numRuns: 40 },
    )
  })
})

describe('ILIKE folds case as PostgreSQL does', () => {
  it('non-ASCII letters, one code point at a time, matched against a case-changed copy', async () => {
    const words = ['Éé', 'ΣΑΣ', 'straße', 'STRAẞE', '\u212a', 'Ǆǅǆ', 'Дом', 'ÀÖØÞ', 'İi', 'ﬁ', 'ǰ']
    const pairs: Array<Pair> = []
    for (const w of words)
      for (const v of words) pairs.push([w, v], [w.toLowerCase(), v.toUpperCase()], [w, `%${v.slice(1)}`])
    await agree(pairs)
    expect(inMemory([['ÉΣ', 'éσ']], true)).toEqual(['true'])
  })
})

describe('LIKE through both evaluators', () => {
  const tables: Memory.Tables = new Map([
    [
      'users',
      [
        { id: 1, name: '2024-01-31', email: null },
        { id: 2, name: '2024-02-01', email: null },
        { id: 3, name: '2024-01-[x]', email: null },
      ],
    ],
  ])

  it("a query with '2024-01-%' and a long pattern is a Right, not a SyntaxError", async () => {
    const q = (p: string) =>
      pipe(
        Query.from(Blog, 'user'),
        Query.where(u => Pred.like(u.name, p)),
      )
    const r = await Memory.all(q('2024-01-%'))(tables)()
    expect(E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(x => x.id))(r)).toEqual(
      E.right([1, 3]),
    )
    const long = await Memory.all(q(`${'(['.repeat(5_000)}%`))(tables)()
    expect(long).toEqual(E.right([]))
  })

  it("a write filter with '2024-01-%' deletes the matching rows", () => {
    const del = W.delete_({
      binding: { table: 'users', alias: 't0' },
      where: [Expr.like(Expr.column('t0', 'name'), Expr.param('2024-01-%'), false)],
      returning: ['id'],
    })
    const r = write(tables, del)
    expect(E.map((x: { readonly rows: unknown }) => x.rows)(r)).toEqual(E.right([{ id: 1 }, { id: 3 }]))
    const bad = write(
      tables,
      W.delete_({
        binding: { table: 'users', alias: 't0' },
        where: [Expr.like(Expr.column('t0', 'name'), Expr.param('2024\\'), true)],
        returning: ['id'],
      }),
    )
    expect(E.isLeft(bad) && bad.left).toMatchObject({ _tag: 'DbError', kind: 'DataException', code: '22025' })
  })
})
