// Invariant: a filter picks the same rows wherever it is used. For random models, rows and predicates
// (`Arb.pred`: comparisons, lists, null tests, LIKE / ILIKE, not / and / or, exists / notExists /
// every over associations), the rows a select returns with a `where`, the rows an update with the
// same `where` changes and the rows a delete with it removes are the same ids, in memory (where reads
// and writes share one evaluator) and on PostgreSQL (inside a rolled-back transaction), and the two
// interpreters agree. The delete runs last on PostgreSQL, where a real foreign key may refuse it (a
// row it removes is referenced); its rows are compared whenever it runs.
//
// The text cases reported as splitting the memory evaluators (backslash escapes in LIKE patterns, text
// outside the Basic Multilingual Plane compared with < and >) are checked one by one as well. Text
// order is code-point order in memory, PostgreSQL's under the `C` and `C.UTF-8` collations: the tables
// take the database's default collation, as every property test does, so the test first checks that
// the database orders text that way.
import * as E from 'fp-ts/lib/Either.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Expr from '../../src/ast/Expr.js'
import * as W from '../../src/ast/Write.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import { write } from '../../src/interpreter/memory/Write.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Arb from '../../src/testing/index.js'
import { connect, params, show, withData, type PropertyDb } from './support.js'

let db: PropertyDb
beforeAll(async () => {
  db = await connect()
  const [order] = await db.sql`select ${'z\uffff'}::text < ${'z\u{1F600}'}::text as ok`
  if (order?.['ok'] !== true)
    throw new Error('the test database must order text by code point (collation C or C.UTF-8)')
})
afterAll(async () => db.close())

// The column an update sets: one no predicate reads, so the delete after it on PostgreSQL filters the
// rows the select saw.
const mark = 'marked'

const withMark = (spec: Arb.ModelSpec, data: Arb.Dataset): { g: Arb.Generated; data: Arb.Dataset } => {
  const marked: Arb.ModelSpec = {
    ...spec,
    tables: spec.tables.map(t => ({
      ...t,
      columns: [...t.columns, { name: mark, type: 'boolean', nullable: true, references: null }],
    })),
  }
  const model = Arb.build(marked)
  if (E.isLeft(model)) throw new Error(`the marked model did not build: ${show(model.left)}`)
  return {
    g: { spec: marked, model: model.right },
    data: new Map([...data].map(([t, rows]) => [t, rows.map(r => ({ ...r, [mark]: null }))])),
  }
}

type Outcome = string | ReadonlyArray<number>

const outcome = (r: E.Either<{ readonly code: string | null }, ReadonlyArray<RawRow>>): Outcome =>
  E.isLeft(r) ? `error ${r.left.code}` : r.right.map(x => Number(x['id'])).sort((a, b) => a - b)

const rowsOf = (r: E.Either<{ readonly code: string | null }, { readonly rows: ReadonlyArray<RawRow> }>) =>
  outcome(E.map((w: { readonly rows: ReadonlyArray<RawRow> }) => w.rows)(r))

// The select, update and delete of one filter over a schema's rows, on both interpreters.
const differential = async (
  g: Arb.Generated,
  data: Arb.Dataset,
  schema: string,
  where: ReadonlyArray<Arb.PredSpec>,
): Promise<void> => {
  const query = Arb.toQuery(g, data, {
    root: { _tag: 'From', schema },
    where,
    orderBy: [],
    distinct: false,
    offset: null,
    limit: null,
  })
  const select = query.select
  expect(select.joins).toEqual([])
  const filter = select.where
  const update = W.update({
    binding: select.from,
    set: [[mark, Expr.param(true)]],
    where: filter,
    returning: ['id'],
  })
  const remove = W.delete_({ binding: select.from, where: filter, returning: ['id'] })
  const memory = {
    read: outcome(Memory.evaluate(data)(select)),
    update: rowsOf(write(data, update)),
    delete: rowsOf(write(data, remove)),
  }
  const pg = await withData(db.sql, g, data, async i => {
    if (i.write === undefined) throw new Error('the PostgreSQL interpreter writes')
    return {
      read: outcome(await i.select(select)()),
      update: outcome(await i.write(update)()),
      delete: outcome(await i.write(remove)()),
    }
  })
  const context = `where ${show(where)}: memory ${show(memory)}, PostgreSQL ${show(pg)}`
  expect(memory.update, context).toEqual(memory.read)
  expect(memory.delete, context).toEqual(memory.read)
  expect(pg.read, context).toEqual(memory.read)
  expect(pg.update, context).toEqual(memory.read)
  // A real foreign key may refuse the delete (a row it removes is referenced): nothing to compare then.
  if (pg.delete !== 'error 23503') expect(pg.delete, context).toEqual(memory.read)
}

const cases = Arb.model().chain(g =>
  Arb.rows(g).chain(data =>
    fc
      .constantFrom(...g.spec.tables.map(t => t.schema))
      .chain(schema =>
        fc
          .array(Arb.pred(g, schema), { minLength: 1, maxLength: 2 })
          .map(where => ({ g, data, schema, where })),
      ),
  ),
)

describe('read filter == write filter, in memory and on PostgreSQL', () => {
  it('for random models, rows and predicates', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, schema, where }) => {
        const marked = withMark(g.spec, data)
        await differential(marked.g, marked.data, schema, where)
      }),
      params(60),
    )
  })

  it('for backslash escapes in LIKE patterns and text outside the BMP compared with < and >', async () => {
    const spec: Arb.ModelSpec = {
      tables: [
        {
          schema: 's0',
          source: 'texts',
          columns: [{ name: 'c0', type: 'text', nullable: true, references: null }],
        },
      ],
      associations: [],
    }
    const texts = [
      'a\\b',
      'a\\\\b',
      'a%b',
      'a_b',
      'axb',
      'ab',
      'AB',
      '50%',
      'x\\',
      'z\uffff',
      'z\u{1F600}',
      'z\u{10FFFF}',
      'z\ue000',
      'z\ud7ff',
      'za',
      'é',
      'É',
      '',
      null,
    ]
    const rows = new Map([['texts', texts.map((c0, i) => ({ id: i + 1, c0 }))]])
    const { g, data } = withMark(spec, rows)
    const patterns = [
      'a\\\\b',
      'a\\\\\\\\b',
      'a\\%b',
      'a\\_b',
      'a_b',
      'a%b',
      '\\a\\x\\b',
      '%\\\\',
      '%\\\\%',
      '%\\%',
      '50\\%',
      'x\\\\',
      'z_',
      'z\\\u{1F600}',
      '%\u{1F600}%',
      'A\\%B',
      '\\É',
    ]
    const preds: Array<Arb.PredSpec> = patterns.flatMap(pattern =>
      [false, true].map(caseInsensitive => ({
        _tag: 'Like' as const,
        column: 'c0',
        pattern,
        caseInsensitive,
      })),
    )
    for (const value of ['z\uffff', 'z\u{1F600}', 'z\ue000', 'z\ud7ff', 'za', 'a\\b', 'é'])
      for (const op of ['lt', 'lte', 'gt', 'gte', 'eq', 'neq'] as const)
        preds.push({ _tag: 'Compare', op, column: 'c0', value })
    for (const p of preds) await differential(g, data, 's0', [p])
  })
})
