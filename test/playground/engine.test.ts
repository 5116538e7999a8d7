// The playground's engine in Node (the page runs the same code in a browser): the visitor's code
// becomes a query or a typed problem; every example loads to the same tree on the memory interpreter
// and on the playground's PGlite interpreter, with each strategy; and that interpreter answers exactly
// what Quiver's PostgreSQL interpreter answers on the same rows (a server with DATABASE_URL, else
// embedded PGlite through postgres.js), so the page's PGlite pane is what an application would get.
import { rmSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Engine from '../../docs/playground/src/engine.js'
import * as Examples from '../../docs/playground/src/examples.js'
import * as Render from '../../docs/playground/src/render.js'
import * as Run from '../../src/run/Run.js'
import type * as Arb from '../../src/testing/index.js'
import { connect, withData, type PropertyDb } from '../property/support.js'
import { dataDirCopy } from '../support/db.js'

let db: PGlite
let server: PropertyDb
// The page's PGlite starts in memory; here it starts from a copy of the run's template data directory
// (../support/db.ts), the same database without an initdb of its own.
let dataDir: string | undefined
beforeAll(async () => {
  dataDir = await dataDirCopy()
  db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir)
  server = await connect()
})
afterAll(async () => {
  await db.close()
  await server.close()
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
})

const query = (model: string, code: string) => {
  const q = Engine.evaluate(model, code)
  if (E.isLeft(q)) throw new Error(`the example does not evaluate: ${JSON.stringify(q.left)}`)
  return q.right
}

const linesOf = (r: E.Either<unknown, ReadonlyArray<unknown>>) =>
  E.isRight(r) ? Render.lines(r.right) : [{ path: '$', text: Render.errorText(r.left) }]

describe('the visitor code', () => {
  it('gives a query, with imports, the scope and its own declarations', () => {
    const q = Engine.evaluate(
      `import { pipe as p } from 'fp-ts/lib/function.js'\nimport { Query } from 'quiver-sql'\nconst pipe = 1\n${Examples.model}`,
      `export const x: number = pipe\nexport default p(Query.from(Blog, 'tag'), Query.limit(x))`,
    )
    expect(E.isRight(q) && q.right.schema).toBe('tag')
  })

  it('answers each failure as a typed problem', () => {
    expect(
      Engine.evaluate(
        Examples.model,
        `pipe(\n  Query.from(Blog, 'post'),\n  Query.limit(1) Query.offset(2))`,
      ),
    ).toEqual(
      E.left({
        _tag: 'SyntaxError',
        pane: 'query',
        line: 3,
        message: expect.stringMatching(/Unexpected token/),
      }),
    )
    expect(Engine.evaluate('const a = (', 'a')).toEqual(
      E.left({ _tag: 'SyntaxError', pane: 'model', line: 1, message: expect.any(String) }),
    )
    const left = Engine.evaluate(
      Examples.model.replace("foreignKey: 'author_id' })", "foreignKey: 'writer' })"),
      'Blog',
    )
    expect(left).toEqual(E.left({ _tag: 'Thrown', message: expect.stringMatching(/writer/) }))
    const schemaError = Engine.evaluate(
      '',
      `Schema.model({ post: Schema.table('post', 'posts', { id: 3 }) }, {})`,
    )
    expect(E.isLeft(schemaError) && schemaError.left._tag === 'Left' && schemaError.left.error).toMatchObject(
      {
        _tag: 'SchemaError',
      },
    )
    expect(Engine.evaluate(Examples.model, '42')).toEqual(E.left({ _tag: 'NotAQuery', got: '42' }))
    expect(Engine.evaluate(Examples.model, 'nowhere.x')).toEqual(
      E.left({ _tag: 'Thrown', message: 'ReferenceError: nowhere is not defined' }),
    )
    expect(Engine.evaluate(`import x from 'left-pad'`, 'x')).toEqual(
      E.left({ _tag: 'Thrown', message: "Error: the playground has no module 'left-pad'" }),
    )
  })
})

// JSON values travel as the PostgreSQL interpreter sends them: one value, and a list for `= any`.
const json = {
  name: 'jsonb values',
  model: `const doc = Schema.table('doc', 'docs', { id: Column.serial, body: Column.json(t.unknown) })
const M = Schema.modelOrThrow({ doc }, {})`,
  code: `pipe(
  Query.from(M, 'doc'),
  Query.where(d => Pred.or(Pred.eq(d.body, [1, 2]), Pred.in(d.body, [{ a: 1 }, 'text', [[false]]]))),
  Query.orderBy(['id']),
)`,
}

describe('every example', () => {
  for (const example of [...Examples.examples.map(x => ({ ...x, model: Examples.model })), json])
    it(`${example.name}: memory = PGlite with each strategy, and = Quiver's PostgreSQL interpreter`, async () => {
      const q = query(example.model, example.code)
      const o = await Engine.run(db, q, 135, 8)
      if (E.isLeft(o.data)) throw new Error(o.data.left)
      const memory = linesOf(o.memory)
      for (const s of Engine.strategies) expect(linesOf(o.pglite[s].result), s).toEqual(memory)
      if (example.name === 'an invalid query') {
        for (const s of Engine.strategies)
          expect(o.statements[s]).toEqual(E.left(expect.objectContaining({ _tag: 'QueryError' })))
        expect(o.memory).toEqual(E.left(expect.objectContaining({ _tag: 'QueryError' })))
        return
      }
      expect(E.isRight(o.memory) && o.memory.right.length).toBeGreaterThan(0)
      // What PGlite ran is what the statements said would run (the root's text, strategy by strategy).
      for (const s of Engine.strategies) {
        const st = o.statements[s]
        if (E.isLeft(st)) throw new Error(`${s}: ${Render.errorText(st.left)}`)
        expect(o.pglite[s].sent.map(x => x.text)).toContain(st.right.statements[0]?.text)
      }
      const generated = { spec: { tables: [], associations: [] }, model: q.model } as Arb.Generated
      const viaPg = await withData(server.sql, generated, o.data.right.tables, async pg => {
        const out: Array<unknown> = []
        for (const s of Engine.strategies) out.push(await Run.all(q, { strategy: s })(pg)())
        return out
      })
      Engine.strategies.forEach((s, i) => expect(viaPg[i], `Pg ${s}`).toEqual(o.pglite[s].result))
    })
})

describe('the comparison', () => {
  it('marks exactly the lines whose value differs, or that the other side lacks', () => {
    const a = Render.lines([{ id: 1, at: new Date(0), tags: [{ name: 'x' }], author: { _tag: 'None' } }])
    const b = Render.lines([{ id: 1, at: new Date(1), tags: [], author: { _tag: 'Some', value: { id: 2 } } }])
    const marked = (x: ReadonlyArray<Render.Line>, y: ReadonlyArray<Render.Line>) =>
      x.filter((_, i) => Render.differences(x, y)[i]).map(l => l.text.trim())
    expect(marked(a, b)).toEqual([
      'at: Date(1970-01-01T00:00:00.000Z),',
      'tags: [',
      '{',
      'name: "x"',
      '}',
      '],',
      'author: none',
    ])
    expect(marked(b, a)).toEqual([
      'at: Date(1970-01-01T00:00:00.001Z),',
      'tags: [],',
      'author: some(',
      '{',
      'id: 2',
      '}',
      ')',
    ])
    expect(Render.differences(a, a).some(d => d)).toBe(false)
  })
})
