/**
 * The playground page: two editors, the SQL of each strategy, and the results of the memory
 * interpreter and of PGlite side by side, recomputed on every edit (debounced). The page marks its
 * state on `<body data-state>` (`loading`, `running`, `ready`) and counts finished runs in
 * `data-runs`, which the browser test waits on.
 */
import { PGlite } from '@electric-sql/pglite'
import * as E from 'fp-ts/lib/Either.js'
import type { Statement, Statements } from '../../../src/query/Query.js'
import * as Engine from './engine.js'
import * as Examples from './examples.js'
import * as Render from './render.js'

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`the page has no #${id}`)
  return el as T
}

const modelEditor = byId<HTMLTextAreaElement>('model')
const queryEditor = byId<HTMLTextAreaElement>('query')
const examples = byId<HTMLSelectElement>('examples')
const seedInput = byId<HTMLInputElement>('seed')
const rowsInput = byId<HTMLInputElement>('rows')
const status = byId('status')
const problem = byId('problem')
const agreement = byId('agreement')
const memoryPane = byId('memory')
const pglitePane = byId('pglite')
const pgliteStrategy = byId<HTMLSelectElement>('pglite-strategy')
const rowsView = byId('rows-view')

const span = (text: string, cls?: string): HTMLSpanElement => {
  const s = document.createElement('span')
  s.textContent = text
  if (cls !== undefined) s.className = cls
  return s
}

const showParams = (params: ReadonlyArray<unknown>): string =>
  params.length === 0
    ? ''
    : `params: [${params.map(p => (p instanceof Date ? p.toISOString() : JSON.stringify(p))).join(', ')}]`

const statementHead: { readonly [K in Statement['_tag']]: (s: Extract<Statement, { _tag: K }>) => string } = {
  Root: () => '-- root',
  Tree: () => '-- the whole tree, one statement',
  Level: s =>
    `-- level ${s.level}: keyed by its ${s.keyedBy}, keys in $${s.keys + 1} (one key: the '= $n' form)`,
}

const renderStatements = (
  pane: HTMLElement,
  r: E.Either<unknown, Statements>,
  strategy: Engine.Strategy,
): void => {
  pane.replaceChildren()
  if (E.isLeft(r)) {
    pane.append(span(Render.errorText(r.left), 'error'))
    return
  }
  const picked = strategy === 'auto' ? ` → ${r.right.strategy}` : ''
  pane.append(span(`-- ${strategy}${picked}: ${r.right.statements.length} statement(s)\n\n`, 'tag'))
  for (const s of r.right.statements) {
    const el = document.createElement('span')
    el.className = 'statement'
    const head = (statementHead[s._tag] as (s: Statement) => string)(s)
    el.append(span(`${head}\n`, 'tag'), span(`${s.text}\n`), span(showParams(s.params), 'params'))
    pane.append(el)
  }
}

// A result as lines, or its error as one line.
const resultLines = (r: E.Either<unknown, ReadonlyArray<unknown>>): ReadonlyArray<Render.Line> =>
  E.isRight(r) ? Render.lines(r.right) : [{ path: '$', text: `Left: ${Render.errorText(r.left)}` }]

const renderLines = (
  pane: HTMLElement,
  lines: ReadonlyArray<Render.Line>,
  differs: ReadonlyArray<boolean>,
): void => {
  pane.replaceChildren(
    ...lines.map((l, i) => {
      const s = span(`${l.text}\n`, differs[i] === true ? 'differs' : undefined)
      return s
    }),
  )
}

const compact = (u: unknown): string =>
  u instanceof Date
    ? u.toISOString()
    : typeof u === 'object' && u !== null
      ? `{ ${Object.entries(u)
          .map(([k, v]) => `${k}: ${v instanceof Date ? v.toISOString() : JSON.stringify(v)}`)
          .join(', ')} }`
      : JSON.stringify(u)

// PGlite starts once, while the first tree is computed in memory.
let database: Promise<PGlite> = new Promise(() => undefined)
let last: Engine.Outcome | undefined
let runs = 0
let pending = 0

const renderResults = (): void => {
  const shown = last
  if (shown === undefined) return
  const memory = resultLines(shown.memory)
  const chosen = pgliteStrategy.value as Engine.Strategy
  const pglite = resultLines(shown.pglite[chosen].result)
  renderLines(memoryPane, memory, Render.differences(memory, pglite))
  renderLines(pglitePane, pglite, Render.differences(pglite, memory))
  const verdicts = Engine.strategies.map(s => {
    const p = resultLines(shown.pglite[s].result)
    const same = p.length === memory.length && Render.differences(p, memory).every(d => !d)
    return { s, same }
  })
  const all = verdicts.every(v => v.same)
  agreement.className = all ? 'same' : 'differ'
  agreement.textContent = `memory ${all ? '=' : '≠'} PGlite (${verdicts.map(v => `${v.s} ${v.same ? '✓' : '✗'}`).join(', ')})`
}

const problemText: {
  readonly [K in Engine.Problem['_tag']]: (p: Extract<Engine.Problem, { _tag: K }>) => string
} = {
  SyntaxError: p => `SyntaxError in the ${p.pane}, line ${p.line}: ${p.message}`,
  Thrown: p => `Thrown: ${p.message}`,
  Left: p => `Left: ${Render.errorText(p.error)}`,
  NotAQuery: p => `The query pane must give a Query (or a Right of one), got ${p.got}`,
}

const showProblem = (p: Engine.Problem | null): void => {
  problem.hidden = p === null
  problem.textContent = p === null ? '' : (problemText[p._tag] as (p: Engine.Problem) => string)(p)
}

const ms = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`

const clearOutput = (): void => {
  last = undefined
  for (const s of Engine.strategies) byId(`sql-${s}`).replaceChildren()
  memoryPane.replaceChildren()
  pglitePane.replaceChildren()
  agreement.textContent = ''
}

const update = async (): Promise<void> => {
  const q = Engine.evaluate(modelEditor.value, queryEditor.value)
  if (E.isLeft(q)) {
    showProblem(q.left)
    clearOutput()
    status.textContent = 'The code has a problem (below the editors).'
  } else {
    showProblem(null)
    const statements = Engine.compile(q.right)
    for (const s of Engine.strategies) renderStatements(byId(`sql-${s}`), statements[s], s)
    const data = Engine.dataFor(q.right, Number(seedInput.value) || 0, Number(rowsInput.value) || 0)
    if (E.isLeft(data)) {
      clearOutput()
      for (const s of Engine.strategies) renderStatements(byId(`sql-${s}`), statements[s], s)
      rowsView.textContent = data.left
      status.textContent = `No data: ${data.left}`
    } else {
      rowsView.textContent = [...data.right.tables]
        .map(([t, rows]) => `${t} (${rows.length})\n${rows.map(r => `  ${compact(r)}`).join('\n')}`)
        .join('\n')
      const memoryStarted = performance.now()
      const memory = await Engine.inMemory(q.right, data.right)
      const memoryMs = performance.now() - memoryStarted
      // The memory interpreter needs no database: its tree shows while PGlite is still starting.
      renderLines(memoryPane, resultLines(memory), [])
      status.textContent = 'The memory interpreter has answered; PGlite is working…'
      const db = await database
      const pgliteStarted = performance.now()
      const pglite = await Engine.onPglite(db, q.right, data.right)
      const pgliteMs = performance.now() - pgliteStarted
      last = { query: q.right, statements, data, memory, pglite }
      renderResults()
      const counts = [...data.right.tables].map(([t, rows]) => `${rows.length} ${t}`).join(', ')
      status.textContent = `Memory ${ms(memoryMs)}, PGlite ${ms(pgliteMs)} (three strategies), on ${counts}.`
    }
  }
  // A later edit is waiting (its timer or its run): the page is not ready yet.
  pending--
  if (pending === 0 && timer === undefined) {
    runs++
    document.body.dataset['runs'] = String(runs)
    document.body.dataset['state'] = 'ready'
  }
}

// One run at a time: PGlite is one session, and a run may recreate the tables.
let queue: Promise<void> = Promise.resolve()
const enqueue = (): void => {
  pending++
  queue = queue.then(update, update)
}

let timer: ReturnType<typeof setTimeout> | undefined
const schedule = (): void => {
  document.body.dataset['state'] = 'running'
  if (timer !== undefined) clearTimeout(timer)
  timer = setTimeout(() => {
    timer = undefined
    enqueue()
  }, 250)
}

// Tab indents in the editors instead of leaving them.
const indenting = (e: KeyboardEvent): void => {
  if (e.key !== 'Tab' || e.shiftKey) return
  e.preventDefault()
  const el = e.target as HTMLTextAreaElement
  el.setRangeText('  ', el.selectionStart, el.selectionEnd, 'end')
  schedule()
}

const selectTab = (strategy: string): void => {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button'))
    b.setAttribute('aria-selected', String(b.dataset['strategy'] === strategy))
  for (const p of document.querySelectorAll<HTMLElement>('pre.sql'))
    p.hidden = p.dataset['strategy'] !== strategy
}

const start = (): void => {
  modelEditor.value = Examples.model
  queryEditor.value = Examples.examples[0]?.code ?? ''
  examples.replaceChildren(
    ...Examples.examples.map((ex, i) => {
      const o = document.createElement('option')
      o.value = String(i)
      o.textContent = `example: ${ex.name}`
      return o
    }),
  )
  examples.addEventListener('change', () => {
    queryEditor.value = Examples.examples[Number(examples.value)]?.code ?? ''
    schedule()
  })
  for (const el of [modelEditor, queryEditor, seedInput, rowsInput]) el.addEventListener('input', schedule)
  modelEditor.addEventListener('keydown', indenting)
  queryEditor.addEventListener('keydown', indenting)
  pgliteStrategy.addEventListener('change', renderResults)
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button'))
    b.addEventListener('click', () => selectTab(b.dataset['strategy'] ?? 'batched'))
  selectTab('batched')
  database = PGlite.create()
  database.catch((u: unknown) => {
    status.textContent = `PGlite did not start: ${u instanceof Error ? u.message : String(u)}`
    document.body.dataset['state'] = 'failed'
  })
  enqueue()
}

start()
