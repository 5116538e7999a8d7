/**
 * The playground page: two editors, the SQL of each strategy, and the results of the memory
 * interpreter and of PGlite side by side, recomputed on every edit (debounced). The work happens in a
 * worker (`worker.ts`): code that does not finish within the budget (10 s, or `?budget=ms`) is
 * stopped with the worker, which the page then starts anew. The page marks its state on
 * `<body data-state>` (`loading`, `running`, `ready`) and counts finished runs in `data-runs`, which
 * the browser test waits on.
 */
import * as Examples from './examples.js'
import * as Highlight from './highlight.js'
import { strategies, type Reply, type Request, type SqlView, type Strategy } from './protocol.js'
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

const budget = Number(new URLSearchParams(location.search).get('budget')) || 10_000

const span = (text: string, cls?: string): HTMLSpanElement => {
  const s = document.createElement('span')
  s.textContent = text
  if (cls !== undefined) s.className = cls
  return s
}

const renderStatements = (pane: HTMLElement, v: SqlView, strategy: Strategy): void => {
  pane.replaceChildren()
  if (v._tag === 'Error') {
    pane.append(span(v.message, 'error'))
    return
  }
  pane.append(span(`-- ${strategy}${v.picked}: ${v.statements.length} statement(s)\n\n`, 'tag'))
  for (const s of v.statements) {
    const el = document.createElement('span')
    el.className = 'statement'
    el.append(span(`${s.head}\n`, 'tag'), span(`${s.text}\n`), span(s.params, 'params'))
    pane.append(el)
  }
}

const renderLines = (
  pane: HTMLElement,
  lines: ReadonlyArray<Render.Line>,
  differs: ReadonlyArray<boolean>,
): void => {
  pane.replaceChildren(
    ...lines.map((l, i) => span(`${l.text}\n`, differs[i] === true ? 'differs' : undefined)),
  )
}

const ms = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`

// The last results, kept to show another PGlite strategy without a run.
let shown:
  | {
      readonly memory: ReadonlyArray<Render.Line>
      readonly pglite: Readonly<Record<Strategy, ReadonlyArray<Render.Line>>>
    }
  | undefined

const renderResults = (): void => {
  if (shown === undefined) return
  const { memory } = shown
  const pglite = shown.pglite[pgliteStrategy.value as Strategy]
  renderLines(memoryPane, memory, Render.differences(memory, pglite))
  renderLines(pglitePane, pglite, Render.differences(pglite, memory))
  const verdicts = strategies.map(s => {
    const p = shown?.pglite[s] ?? []
    return { s, same: p.length === memory.length && Render.differences(p, memory).every(d => !d) }
  })
  const all = verdicts.every(v => v.same)
  agreement.className = all ? 'same' : 'differ'
  agreement.textContent = `memory ${all ? '=' : '≠'} PGlite (${verdicts.map(v => `${v.s} ${v.same ? '✓' : '✗'}`).join(', ')})`
}

const clearOutput = (): void => {
  shown = undefined
  for (const s of strategies) byId(`sql-${s}`).replaceChildren()
  memoryPane.replaceChildren()
  pglitePane.replaceChildren()
  agreement.textContent = ''
}

const showProblem = (text: string | null): void => {
  problem.hidden = text === null
  problem.textContent = text ?? ''
}

// The worker, started anew when it must be stopped, and when it has loaded.
interface Started {
  readonly worker: Worker
  readonly ready: Promise<void>
}
const startWorker = (): Started => {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
  const ready = new Promise<void>(resolve => {
    const listen = (e: MessageEvent<Reply>): void => {
      if (e.data._tag !== 'Ready') return
      w.removeEventListener('message', listen)
      resolve()
    }
    w.addEventListener('message', listen)
  })
  return { worker: w, ready }
}
let started = startWorker()
let nextId = 0

// One request: its replies, until the last one; a request whose code does not answer within the budget
// stops the worker.
const request = async (r: Omit<Request, 'id'>, onReply: (reply: Reply) => void): Promise<void> => {
  await started.ready
  const current = started.worker
  return new Promise(resolve => {
    const id = ++nextId
    const watchdog = setTimeout(() => {
      current.removeEventListener('message', listen)
      current.terminate()
      started = startWorker()
      clearOutput()
      showProblem(
        `Stopped: the code did not finish within ${budget / 1000} s (an endless loop?). The playground restarted its worker.`,
      )
      status.textContent = 'Restarting PGlite…'
      resolve()
    }, budget)
    const listen = (e: MessageEvent<Reply>): void => {
      const reply = e.data
      if (reply._tag === 'Ready' || reply.id !== id) return
      // The visitor's code has run once the first reply comes; PGlite may take its time.
      clearTimeout(watchdog)
      onReply(reply)
      if (reply._tag !== 'Memory' || reply.done) {
        current.removeEventListener('message', listen)
        resolve()
      }
    }
    current.addEventListener('message', listen)
    current.postMessage({ ...r, id } satisfies Request)
  })
}

// What the memory reply said, for the PGlite reply that follows it.
let memoryMs = 0
let counts = ''
let lastMemory: ReadonlyArray<Render.Line> = []

const onReply: { readonly [K in Reply['_tag']]: (r: Extract<Reply, { _tag: K }>) => void } = {
  Ready: () => undefined,
  Problem: r => {
    showProblem(r.text)
    clearOutput()
    status.textContent = 'The code has a problem (below the editors).'
  },
  Memory: r => {
    showProblem(null)
    shown = undefined
    for (const s of strategies) renderStatements(byId(`sql-${s}`), r.sql[s], s)
    rowsView.textContent = r.rows
    // The memory interpreter needs no database: its tree shows while PGlite is still working.
    renderLines(memoryPane, r.memory, [])
    pglitePane.replaceChildren()
    agreement.textContent = ''
    status.textContent = r.done ? r.rows : `Memory ${ms(r.ms)} on ${r.counts}; PGlite is working…`
    memoryMs = r.ms
    counts = r.counts
    lastMemory = r.memory
  },
  Pglite: r => {
    shown = { memory: lastMemory, pglite: r.pglite }
    renderResults()
    status.textContent = `Memory ${ms(memoryMs)}, PGlite ${ms(r.ms)} (three strategies), on ${counts}.`
  },
  Failed: r => {
    status.textContent = `PGlite failed: ${r.message}`
    document.body.dataset['state'] = 'failed'
  },
}
let runs = 0
let pending = 0

const update = async (): Promise<void> => {
  await request(
    {
      model: modelEditor.value,
      query: queryEditor.value,
      seed: Number(seedInput.value) || 0,
      rows: Number(rowsInput.value) || 0,
    },
    reply => (onReply[reply._tag] as (r: Reply) => void)(reply),
  )
  // A later edit is waiting (its timer or its run): the page is not ready yet.
  pending--
  if (pending === 0 && timer === undefined && document.body.dataset['state'] !== 'failed') {
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
  el.dispatchEvent(new Event('input'))
}

const selectTab = (strategy: string): void => {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button'))
    b.setAttribute('aria-selected', String(b.dataset['strategy'] === strategy))
  for (const p of document.querySelectorAll<HTMLElement>('pre.sql'))
    p.hidden = p.dataset['strategy'] !== strategy
}

modelEditor.value = Examples.model
queryEditor.value = Examples.examples[0]?.code ?? ''
Highlight.attach(modelEditor)
const queryColours = Highlight.attach(queryEditor)
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
  queryColours.refresh()
  schedule()
})
for (const el of [modelEditor, queryEditor, seedInput, rowsInput]) el.addEventListener('input', schedule)
modelEditor.addEventListener('keydown', indenting)
queryEditor.addEventListener('keydown', indenting)
pgliteStrategy.addEventListener('change', renderResults)
for (const b of document.querySelectorAll<HTMLButtonElement>('.tabs button'))
  b.addEventListener('click', () => selectTab(b.dataset['strategy'] ?? 'batched'))
selectTab('batched')
enqueue()
