/**
 * The playground's worker: evaluates the visitor's code, compiles the query, loads it in memory and
 * on PGlite (started once, here), and answers each request with text and lines for the page (see
 * `protocol.ts`). Requests come one at a time.
 */
import { PGlite } from '@electric-sql/pglite'
import * as E from 'fp-ts/lib/Either.js'
import type { Statement, Statements } from '../../../src/query/Query.js'
import * as Engine from './engine.js'
import { strategies, type Reply, type Request, type SqlView, type Strategy } from './protocol.js'
import * as Render from './render.js'

declare const self: {
  postMessage: (reply: Reply) => void
  onmessage: ((e: { readonly data: Request }) => void) | null
}

// PGlite starts from the data directory `npm run playground` initialised (pgdata.tar.gz, next to this
// script), which spares the page PostgreSQL's initdb. A build without it (or a host that cannot serve
// it) still works: PGlite then initialises a cluster of its own, only more slowly.
const snapshot = async (): Promise<Blob | undefined> => {
  try {
    const r = await fetch(new URL('./pgdata.tar.gz', import.meta.url))
    return r.ok ? await r.blob() : undefined
  } catch {
    return undefined
  }
}
const database = snapshot().then(data => {
  if (data === undefined) console.warn('playground: no pgdata.tar.gz, PGlite runs initdb in the page')
  return PGlite.create(data === undefined ? {} : { loadDataDir: data })
})
// Not awaited before the first request: the memory interpreter answers while PGlite starts.
database.catch(() => undefined)

const problemText: {
  readonly [K in Engine.Problem['_tag']]: (p: Extract<Engine.Problem, { _tag: K }>) => string
} = {
  SyntaxError: p => `SyntaxError in the ${p.pane}, line ${p.line}: ${p.message}`,
  Thrown: p => `Thrown: ${p.message}`,
  Left: p => `Left: ${Render.errorText(p.error)}`,
  NotAQuery: p => `The query pane must give a Query (or a Right of one), got ${p.got}`,
}

const statementHead: { readonly [K in Statement['_tag']]: (s: Extract<Statement, { _tag: K }>) => string } = {
  Root: () => '-- root',
  Tree: () => '-- the whole tree, one statement',
  Level: s =>
    `-- level ${s.level}: keyed by its ${s.keyedBy}, keys in $${s.keys + 1} (one key: the '= $n' form)`,
}

const showParams = (params: ReadonlyArray<unknown>): string =>
  params.length === 0
    ? ''
    : `params: [${params.map(p => (p instanceof Date ? p.toISOString() : JSON.stringify(p))).join(', ')}]`

const sqlView = (r: E.Either<unknown, Statements>, strategy: Strategy): SqlView =>
  E.isLeft(r)
    ? { _tag: 'Error', message: Render.errorText(r.left) }
    : {
        _tag: 'Statements',
        picked: strategy === 'auto' ? ` → ${r.right.strategy}` : '',
        statements: r.right.statements.map(s => ({
          head: (statementHead[s._tag] as (s: Statement) => string)(s),
          text: s.text,
          params: showParams(s.params),
        })),
      }

// A result as lines, or its error as one line.
const resultLines = (r: E.Either<unknown, ReadonlyArray<unknown>>): ReadonlyArray<Render.Line> =>
  E.isRight(r) ? Render.lines(r.right) : [{ path: '$', text: `Left: ${Render.errorText(r.left)}` }]

const compact = (u: unknown): string =>
  typeof u === 'object' && u !== null
    ? `{ ${Object.entries(u)
        .map(([k, v]) => `${k}: ${v instanceof Date ? v.toISOString() : JSON.stringify(v)}`)
        .join(', ')} }`
    : JSON.stringify(u)

const handle = async (r: Request): Promise<void> => {
  const q = Engine.evaluate(r.model, r.query)
  if (E.isLeft(q)) {
    self.postMessage({
      _tag: 'Problem',
      id: r.id,
      text: (problemText[q.left._tag] as (p: Engine.Problem) => string)(q.left),
    })
    return
  }
  const statements = Engine.compile(q.right)
  const sql = Object.fromEntries(strategies.map(s => [s, sqlView(statements[s], s)])) as Record<
    Strategy,
    SqlView
  >
  const data = Engine.dataFor(q.right, r.seed, r.rows)
  if (E.isLeft(data)) {
    const memory = [{ path: '$', text: `No data: ${data.left}` }]
    self.postMessage({
      _tag: 'Memory',
      id: r.id,
      sql,
      rows: data.left,
      counts: '',
      memory,
      ms: 0,
      done: true,
    })
    return
  }
  const tables = [...data.right.tables]
  const started = performance.now()
  const memory = resultLines(await Engine.inMemory(q.right, data.right))
  self.postMessage({
    _tag: 'Memory',
    id: r.id,
    sql,
    rows: tables
      .map(([t, rows]) => `${t} (${rows.length})\n${rows.map(x => `  ${compact(x)}`).join('\n')}`)
      .join('\n'),
    counts: tables.map(([t, rows]) => `${rows.length} ${t}`).join(', '),
    memory,
    ms: performance.now() - started,
    done: false,
  })
  let db: PGlite
  try {
    db = await database
  } catch (u) {
    self.postMessage({ _tag: 'Failed', id: r.id, message: u instanceof Error ? u.message : String(u) })
    return
  }
  const pgliteStarted = performance.now()
  const runs = await Engine.onPglite(db, q.right, data.right)
  self.postMessage({
    _tag: 'Pglite',
    id: r.id,
    pglite: Object.fromEntries(strategies.map(s => [s, resultLines(runs[s].result)])) as Record<
      Strategy,
      ReadonlyArray<Render.Line>
    >,
    ms: performance.now() - pgliteStarted,
  })
}

// An unexpected failure still answers, so that the page never waits for ever.
const answer = async (r: Request): Promise<void> => {
  try {
    await handle(r)
  } catch (u) {
    self.postMessage({ _tag: 'Failed', id: r.id, message: u instanceof Error ? u.message : String(u) })
  }
}

let queue: Promise<void> = Promise.resolve()
self.onmessage = e => {
  queue = queue.then(() => answer(e.data))
}
self.postMessage({ _tag: 'Ready', id: 0 })
