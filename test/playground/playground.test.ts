// The playground in a real browser: Debian's Chromium driven by playwright-core, the page built by
// scripts/playground.mjs and served from 127.0.0.1 as any static host would. It checks the SQL shown
// for the default query (compiled here, independently, with the library), that the memory and PGlite
// panes show the tree the memory interpreter gives in Node on the same generated rows, that an edit
// typed into the query editor updates the panes, that an invalid query shows its typed error, that
// code that never ends is stopped (its worker restarted) instead of hanging the page, and that the
// page fetched nothing outside its own origin. Without a Chromium the test is skipped with a note
// (`.ci/run` installs one: `apt-get install chromium`).
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Data from '../../docs/playground/src/data.js'
import * as Engine from '../../docs/playground/src/engine.js'
import * as Examples from '../../docs/playground/src/examples.js'
import * as Render from '../../docs/playground/src/render.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Pred from '../../src/query/Pred.js'
import * as Query from '../../src/query/Query.js'
import { Blog } from '../support/blog.js'
import { dataDirCopy } from '../support/db.js'
import { serve, type Served } from './serve.js'

const chromiumPath = ((): string | null => {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
})()
if (chromiumPath === null)
  console.warn('test/playground: no chromium on PATH, the browser test is skipped (.ci/run installs it)')

// The seed and row count the page opens with (its inputs' values).
const seed = 135
const maxRows = 8

let served: Served
let browser: Browser
let page: Page
const outside: Array<string> = []

// A run is done when the page says so (it counts its runs); the first waits for PGlite to start, which
// takes seconds on a quiet machine and much longer on a loaded one.
const ready = async (runsBefore: number, timeout = 30_000): Promise<void> => {
  // A string: this file is compiled without the DOM's types.
  await page.waitForFunction(
    `document.body.dataset.state === 'ready' && Number(document.body.dataset.runs) > ${runsBefore}`,
    undefined,
    { timeout },
  )
}
const runs = async (): Promise<number> => Number(await page.getAttribute('body', 'data-runs'))
const text = async (selector: string): Promise<string> => (await page.textContent(selector)) ?? ''

// The statements' texts of a query, per strategy, as the library compiles them.
const texts = (q: Query.AnyQuery, strategy: Engine.Strategy): ReadonlyArray<string> => {
  const s = Query.statements(q, { strategy })
  if (E.isLeft(s)) throw new Error(`statements: ${s.left.message}`)
  return s.right.statements.map(x => x.text)
}

// What the memory interpreter gives in Node on the rows the page generates, as the page prints it.
const expectedTree = async (q: Query.AnyQuery): Promise<string> => {
  const model = Engine.evaluate(Examples.model, 'Query.from(Blog, "post")')
  if (E.isLeft(model)) throw new Error('the page model does not evaluate')
  const data = Data.generate(model.right.model, seed, maxRows)
  if (E.isLeft(data)) throw new Error(data.left)
  const rows = await Memory.all(q)(data.right.tables)()
  if (E.isLeft(rows)) throw new Error(`memory: ${rows.left.message}`)
  return Render.lines(rows.right)
    .map(l => `${l.text}\n`)
    .join('')
}

describe.skipIf(chromiumPath === null)('the playground in Chromium', () => {
  beforeAll(async () => {
    // The build's PostgreSQL snapshot from a copy of the run's template data directory (a fresh
    // cluster, as the build's own initdb would make it): one initdb less.
    const dataDir = await dataDirCopy()
    try {
      execFileSync(process.execPath, ['scripts/playground.mjs'], {
        stdio: 'pipe',
        env: { ...process.env, ...(dataDir === undefined ? {} : { PLAYGROUND_DATA_DIR: dataDir }) },
      })
    } finally {
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
    }
    served = await serve('docs/playground/dist')
    browser = await chromium.launch({ executablePath: chromiumPath ?? '', args: ['--no-sandbox'] })
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    page.on('request', r => {
      if (!r.url().startsWith(served.url) && !r.url().startsWith('data:')) outside.push(r.url())
    })
    // A budget of 3 s for the visitor's code (10 s by default) keeps the endless-loop case short.
    await page.goto(`${served.url}?budget=3000`)
    await ready(0, 100_000)
  })
  afterAll(async () => {
    await browser?.close()
    await served?.close()
  })

  it('shows the SQL of each strategy and equal trees for the default query', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.eq(p.published, true)),
      Query.orderBy(['id']),
      Query.limit(3),
      Query.preload({ comments: { author: true }, tags: true }),
    )
    for (const s of Engine.strategies) {
      const shown = await text(`#sql-${s}`)
      const expected = texts(q, s)
      expect(expected.length).toBeGreaterThan(0)
      for (const t of expected) expect(shown, s).toContain(t)
    }
    expect(texts(q, 'batched')).toHaveLength(4)
    expect(await text('#sql-auto')).toContain('-- auto → lateral: 1 statement(s)')

    const memory = await text('#memory')
    expect(memory).toBe(await expectedTree(q))
    expect(memory).toContain('comments: [')
    expect(await text('#pglite')).toBe(memory)
    expect(await text('#agreement')).toBe('memory = PGlite (batched ✓, lateral ✓, auto ✓)')
    expect(await page.locator('.differs').count()).toBe(0)
    for (const s of ['batched', 'lateral'] as const) {
      await page.selectOption('#pglite-strategy', s)
      expect(await text('#pglite'), s).toBe(memory)
    }
  })

  it('follows an edit typed into the query editor', async () => {
    const before = await runs()
    await page.click('#query')
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.press('Delete')
    await page.keyboard.type(
      `pipe(Query.from(Blog, 'user'), Query.select(u => ({ name: u.name })), Query.orderBy(['name']))`,
    )
    await ready(before)
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({ name: u.name })),
      Query.orderBy(['name']),
    )
    const [root] = texts(q, 'batched')
    expect(root).toBe('select "t0"."name" from "users" as "t0" order by "t0"."name" asc')
    expect(await text('#sql-batched')).toContain(root)
    const memory = await text('#memory')
    expect(memory).toBe(await expectedTree(q))
    expect(memory).toContain('name: ')
    expect(await text('#pglite')).toBe(memory)
    expect(await text('#agreement')).toContain('memory = PGlite')
    // The editor colours what was typed: the same text, its parts in their classes.
    const typed = await page.inputValue('#query')
    expect(await page.locator('#query-highlight').textContent()).toBe(`${typed}\n`)
    expect(await page.locator('#query-highlight .tok-string').allTextContents()).toEqual(["'user'", "'name'"])
    expect(await page.locator('#query-highlight .tok-namespace').allTextContents()).toEqual([
      'pipe',
      'Query',
      'Query',
      'Query',
    ])
  })

  it('shows an invalid query as its typed error, and a syntax error with its line', async () => {
    let before = await runs()
    await page.fill('#query', `pipe(Query.from(Blog, 'post'), Query.join('nope'))`)
    await ready(before)
    const error = await text('#sql-batched')
    expect(error).toMatch(/^QueryError/)
    expect(error).toContain("'nope'")
    expect(await text('#memory')).toMatch(/^Left: QueryError/)
    expect(await text('#pglite')).toMatch(/^Left: QueryError/)

    before = await runs()
    await page.fill('#query', `pipe(\n  Query.from(Blog, 'post')\n  Query.limit(2),\n)`)
    await ready(before)
    expect(await page.isVisible('#problem')).toBe(true)
    expect(await text('#problem')).toMatch(/^SyntaxError in the query, line 3: /)
    expect(await text('#memory')).toBe('')
  })

  it('stops code that never ends and starts again', async () => {
    const before = await runs()
    await page.fill('#query', `(() => { for (;;) {} })()`)
    await ready(before)
    expect(await text('#problem')).toBe(
      'Stopped: the code did not finish within 3 s (an endless loop?). The playground restarted its worker.',
    )
    // The new worker answers from memory at once, while its PGlite starts.
    await page.fill('#query', `pipe(Query.from(Blog, 'tag'), Query.orderBy(['id']), Query.limit(1))`)
    await page.waitForFunction(
      `document.getElementById('memory').textContent.includes('name: ')`,
      undefined,
      {
        timeout: 30_000,
      },
    )
    expect(await page.isVisible('#problem')).toBe(false)
    expect(await text('#sql-batched')).toContain('from "tags" as "t0" order by "t0"."id" asc limit $1')
  })

  it('fetched nothing outside its own origin, and started PGlite from the data directory of the build', () => {
    expect(outside).toEqual([])
    expect(served.requests).toEqual(
      expect.arrayContaining(['/playground.js', '/pglite.wasm', '/pglite.data', '/pgdata.tar.gz']),
    )
  })
})
