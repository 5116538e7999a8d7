// Error messages say where they come from once (issue 15): a message starts with its function's name
// (`Query.joinQuery: ...`) and never repeats it (`Query.Query.joinQuery: Query.joinQuery: ...` was
// one). Every function of the query namespaces is called from untyped code with junk in each argument
// and curried stage (a second stage over queries of several shapes), and every message of what it
// refuses (a `Left`, or a query `Query.toSql` and the memory interpreter refuse) is read. The
// acceptance file everyday-adversarial.test.ts checks the same of each message it provokes.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import { Column, Fn, Memory, Pred, Prepared, Preload, Query, Run, Schema, Write } from '../../src/index.js'
import { repeatedPrefix } from './messages.js'

const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
const task = Schema.table('task', 'tasks', {
  id: Column.serial,
  assignee_id: Column.nullable(Column.integer),
  title: Column.text,
  price: Column.numeric,
})
const M = Schema.modelOrThrow(
  { user, task },
  {
    user: { tasks: Schema.hasMany('task', { foreignKey: 'assignee_id' }) },
    task: { assignee: Schema.belongsTo('user', { foreignKey: 'assignee_id' }) },
  },
)
const tables: Memory.Tables = new Map([
  ['users', [{ id: 1, name: 'a' }]],
  ['tasks', [{ id: 1, assignee_id: 1, title: 't', price: '1.50' }]],
])

const tasks = Query.from(M, 'task')
const projection = pipe(
  tasks,
  Query.select(t => ({ a: t.id, b: t.title })),
)
const derived = Query.fromQuery(projection)
const refusedQuery = pipe(
  tasks,
  Query.select(t => ({
    a: (t as unknown as Record<string, Pred.Term<number>>)['nope'] as Pred.Term<number>,
  })),
)

// Untyped code: any function, called with anything.
type Loose = (...args: ReadonlyArray<unknown>) => unknown
const asLoose = (f: unknown): Loose => f as Loose

const junk: ReadonlyArray<unknown> = [
  undefined,
  null,
  42,
  NaN,
  'nope',
  '',
  {},
  [],
  [[]],
  ['nope'],
  Symbol('s'),
  10n,
  () => undefined,
  () => [],
  () => ({}),
  () => 42,
  () => tasks,
  (_: unknown, $: Record<string, Loose>) => $['count']?.('nope'),
  (_: unknown, $: Record<string, Loose>) => ({ n: $['count']?.('nope') }),
  { as: 'x', on: 42 },
  { as: '' },
  { nope: 1 },
  tasks,
  projection,
  derived,
  refusedQuery,
  { _tag: 'Query', select: 1, errors: [] },
]
const queries: ReadonlyArray<unknown> = [tasks, projection, derived, refusedQuery]
const records: ReadonlyArray<unknown> = [
  undefined,
  42,
  {},
  { nope: 1 },
  { title: 42 },
  { id: 'x', title: 't', price: 'abc' },
  { title: 't', price: '1', assignee: 42 },
  [{ title: 't' }],
]

// The messages of whatever `u` is: a Left, a refused query (compiled and run in memory), or nothing.
const messagesOf = async (u: unknown): Promise<ReadonlyArray<string>> => {
  if (Query.isQuery(u)) {
    const out: Array<string> = []
    const sql = Query.toSql(u)
    if (E.isLeft(sql)) out.push(sql.left.message)
    const mem = await Memory.all(u)(tables)()
    if (E.isLeft(mem)) out.push(mem.left.message)
    return out
  }
  if (typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'Left') {
    const left = (u as { left?: unknown }).left
    const message =
      typeof left === 'object' && left !== null ? (left as { message?: unknown }).message : undefined
    return typeof message === 'string' ? [message] : []
  }
  return []
}

const attempt = (f: () => unknown): unknown => {
  try {
    return f()
  } catch {
    // throwing is the boundary test's concern (test/trust/boundary.test.ts); here only messages count
    return undefined
  }
}

const namespaces: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]> = [
  ['Query', Query],
  ['Pred', Pred],
  ['Fn', Fn],
  ['Preload', Preload],
  ['Prepared', Prepared],
  ['Write', Write],
  ['Schema', Schema],
  ['Run', Run],
  ['Memory', Memory],
]

describe('error messages name their function once', () => {
  it('repeatedPrefix finds a repeated prefix and passes a message that has none', () => {
    expect(repeatedPrefix('Query.Query.joinQuery: x')).not.toBeNull()
    expect(repeatedPrefix('Query.joinQuery: Query.joinQuery: x')).not.toBeNull()
    expect(repeatedPrefix('Query.join: a; Query.join: b')).not.toBeNull()
    expect(repeatedPrefix("Query.joinQuery: expected a projection of 'task'")).toBeNull()
    expect(repeatedPrefix('Fn.scalar: expected a query (Query.from(model, schema) ...)')).toBeNull()
  })

  for (const [ns, m] of namespaces)
    it(`every function of ${ns}, junk in each stage`, async () => {
      const seen: Array<string> = []
      for (const f of Object.values(m)) {
        if (typeof f !== 'function') continue
        for (const a of [...junk, 'x', 'inner', M])
          for (const [b, c] of [
            ...[undefined, 'inner', 'x', ...junk.slice(0, 8)].map(b => [b, undefined] as const),
            ...junk.map(b => [b, 'inner'] as const),
            ...['inner', 'right', 'nope', undefined].flatMap(b =>
              [{ as: 'x' }, { as: 'x', on: () => 42 }, { as: 'x', on: 42 }].map(c => [b, c] as const),
            ),
            // a model, a schema and a record (the write namespaces)
            ...(a === M ? ['task', 'nope', 42].flatMap(b => records.map(c => [b, c] as const)) : []),
          ]) {
            const first = attempt(() => asLoose(f)(a, b, c))
            seen.push(...(await messagesOf(first)))
            if (typeof first !== 'function') continue
            for (const q of [...queries, ...junk.slice(0, 4)])
              seen.push(...(await messagesOf(attempt(() => asLoose(first)(q)))))
          }
        // and inside a callback, where the combinators' subqueries are built (`Fn.scalar`, `Pred.in` ...)
        for (const a of queries) {
          const q = attempt(() =>
            Query.select((t: Record<string, unknown>) => ({ x: asLoose(f)(a, t['id']) }) as never)(
              tasks as never,
            ),
          )
          seen.push(...(await messagesOf(q)))
        }
      }
      // the scan reads messages, and messages with a prefix: it could fail
      expect(seen.length).toBeGreaterThan(20)
      expect(seen.some(s => /^[A-Z][A-Za-z]*\.[A-Za-z]+: /.test(s))).toBe(true)
      const repeated = [...new Set(seen)].filter(s => repeatedPrefix(s) !== null)
      expect(repeated).toEqual([])
    })
})
