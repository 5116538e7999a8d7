/**
 * The playground's engine, without the page: turn the visitor's model and query code into a query
 * (transpiled with sucrase, run with Quiver's exports in scope), then compile it for each strategy,
 * load it with the memory interpreter and with PGlite over the same rows, and compare the two. Every
 * failure is a value (`Problem`), never a throw.
 */
import type { PGlite } from '@electric-sql/pglite'
import * as A from 'fp-ts/lib/Array.js'
import * as E from 'fp-ts/lib/Either.js'
import * as F from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as RA from 'fp-ts/lib/ReadonlyArray.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as t from 'io-ts'
import { transform } from 'sucrase'
import * as Quiver from '../../../src/index.js'
import type { AnyQuery, Statements } from '../../../src/query/Query.js'
import * as Arb from '../../../src/testing/index.js'
import * as Data from './data.js'
import * as Pglite from './pglite.js'
import { strategies, type Strategy } from './protocol.js'

export { strategies, type Strategy } from './protocol.js'

/** Why there is no query to show: the code does not parse, throws, or gives something else. */
export type Problem =
  | {
      readonly _tag: 'SyntaxError'
      readonly pane: 'model' | 'query'
      readonly line: number
      readonly message: string
    }
  | { readonly _tag: 'Thrown'; readonly message: string }
  | { readonly _tag: 'Left'; readonly error: unknown }
  | { readonly _tag: 'NotAQuery'; readonly got: string }

// What `import ... from '...'` in the visitor's code resolves to.
const fpts: Readonly<Record<string, unknown>> = {
  function: F,
  Either: E,
  Option: O,
  TaskEither: TE,
  ReaderTaskEither: RTE,
  Array: A,
  ReadonlyArray: RA,
}
const resolve = (name: string): unknown => {
  if (name === 'quiver-sql') return Quiver
  if (name === 'quiver-sql/testing') return Arb
  if (name === 'io-ts') return t
  const m = /^fp-ts(?:\/lib)?\/(\w+)(?:\.js)?$/.exec(name)
  const found = m === null ? undefined : fpts[m[1] as string]
  if (found === undefined) throw new Error(`the playground has no module '${name}'`)
  return found
}

/** The names in scope without an import: Quiver's namespaces, `pipe`, `flow`, io-ts `t`, `E`, `O`. */
export const scope: Readonly<Record<string, unknown>> = {
  ...Quiver,
  pipe: F.pipe,
  flow: F.flow,
  t,
  E,
  O,
}

const describe = (u: unknown): string => {
  try {
    return u instanceof Error
      ? `${u.name}: ${u.message}`
      : typeof u === 'object'
        ? JSON.stringify(u)
        : String(u)
  } catch {
    return String(u)
  }
}

const isEither = (u: unknown): u is E.Either<unknown, unknown> =>
  typeof u === 'object' &&
  u !== null &&
  ((u as { _tag?: unknown })._tag === 'Left' || (u as { _tag?: unknown })._tag === 'Right')

/**
 * Runs the model code, then the query code (an expression, or statements with an `export default`),
 * with Quiver in scope, and answers the query they give (a `Right` of a query is taken too).
 */
export const evaluate = (model: string, query: string): E.Either<Problem, AnyQuery> => {
  const body = /\bexport\s+default\b/.test(query)
    ? query
    : `export default (\n${query.replace(/[\s;]+$/, '')}\n)`
  const modelLines = model.split('\n').length
  const offset = modelLines + (body === query ? 0 : 1)
  let code: string
  try {
    code = transform(`${model}\n${body}`, { transforms: ['typescript', 'imports'] }).code
  } catch (u) {
    const line = (u as { loc?: { line?: number } }).loc?.line ?? 0
    const message = u instanceof Error ? u.message.replace(/\s*\(\d+:\d+\)$/, '') : String(u)
    return E.left(
      line > offset
        ? { _tag: 'SyntaxError', pane: 'query', line: line - offset, message }
        : { _tag: 'SyntaxError', pane: 'model', line: Math.min(Math.max(line, 1), modelLines), message },
    )
  }
  const exports: { default?: unknown } = {}
  try {
    const names = Object.keys(scope)
    // The visitor's code in a block of its own, so that it may declare a name the scope also has.
    new Function('__scope', 'require', 'exports', `const { ${names.join(', ')} } = __scope;\n{\n${code}\n}`)(
      scope,
      resolve,
      exports,
    )
  } catch (u) {
    return E.left({ _tag: 'Thrown', message: describe(u) })
  }
  let value = exports.default
  if (isEither(value)) {
    if (E.isLeft(value)) return E.left({ _tag: 'Left', error: value.left })
    value = value.right
  }
  return Quiver.Query.isQuery(value)
    ? E.right(value)
    : E.left({ _tag: 'NotAQuery', got: describe(value).slice(0, 200) })
}

/** One load on PGlite: its result and the statements it sent. */
export interface PgliteRun {
  readonly result: E.Either<unknown, ReadonlyArray<unknown>>
  readonly sent: ReadonlyArray<Pglite.Sent>
}

export interface Outcome {
  readonly query: AnyQuery
  readonly statements: Readonly<Record<Strategy, E.Either<unknown, Statements>>>
  readonly data: E.Either<string, Data.Dataset>
  readonly memory: E.Either<unknown, ReadonlyArray<unknown>>
  readonly pglite: Readonly<Record<Strategy, PgliteRun>>
}

// The data of the last model, kept while its DDL, the seed and the row count stay the same; and which
// of them PGlite holds.
let cached: { readonly key: string; readonly data: E.Either<string, Data.Dataset> } | undefined
let installed: { readonly db: PGlite; readonly data: Data.Dataset } | undefined

/** The generated rows for a query's model (no database involved). */
export const dataFor = (query: AnyQuery, seed: number, maxRows: number): E.Either<string, Data.Dataset> => {
  const ddl = Quiver.Ddl.ddl(query.model)
  const key = JSON.stringify([E.isRight(ddl) ? ddl.right : null, seed, maxRows])
  if (cached !== undefined && cached.key === key) return cached.data
  const data = Data.generate(query.model, seed, maxRows)
  cached = { key, data }
  return data
}

const settle = async <A>(f: () => Promise<E.Either<unknown, A>>): Promise<E.Either<unknown, A>> => {
  try {
    return await f()
  } catch (u) {
    return E.left({ _tag: 'Thrown', message: describe(u) })
  }
}

/** The statements of each strategy. */
export const compile = (query: AnyQuery): Readonly<Record<Strategy, E.Either<unknown, Statements>>> =>
  Object.fromEntries(strategies.map(s => [s, Quiver.Query.statements(query, { strategy: s })])) as Record<
    Strategy,
    E.Either<unknown, Statements>
  >

/** The query's tree on the memory interpreter. */
export const inMemory = (
  query: AnyQuery,
  data: Data.Dataset,
): Promise<E.Either<unknown, ReadonlyArray<unknown>>> => settle(() => Quiver.Memory.all(query)(data.tables)())

/** The query's tree on PGlite with each strategy (the rows are installed first when PGlite lacks them). */
export const onPglite = async (
  db: PGlite,
  query: AnyQuery,
  data: Data.Dataset,
): Promise<Readonly<Record<Strategy, PgliteRun>>> => {
  if (installed === undefined || installed.db !== db || installed.data !== data) {
    installed = undefined
    const done = await Data.install(db, data)
    if (E.isLeft(done)) {
      const none: PgliteRun = { result: E.left({ _tag: 'NoData', message: done.left }), sent: [] }
      return { batched: none, lateral: none, auto: none }
    }
    installed = { db, data }
  }
  const out = {} as Record<Strategy, PgliteRun>
  for (const s of strategies) {
    const sent: Array<Pglite.Sent> = []
    const result = await settle(() => Quiver.Run.all(query, { strategy: s })(Pglite.interpreter(db, sent))())
    out[s] = { result, sent }
  }
  return out
}

/** Compiles, loads and compares one query. */
export const run = async (db: PGlite, query: AnyQuery, seed: number, maxRows = 8): Promise<Outcome> => {
  const statements = compile(query)
  const data = dataFor(query, seed, maxRows)
  if (E.isLeft(data)) {
    const none: PgliteRun = { result: E.left({ _tag: 'NoData', message: data.left }), sent: [] }
    return {
      query,
      statements,
      data,
      memory: none.result,
      pglite: { batched: none, lateral: none, auto: none },
    }
  }
  const memory = await inMemory(query, data.right)
  const pglite = await onPglite(db, query, data.right)
  return { query, statements, data, memory, pglite }
}
