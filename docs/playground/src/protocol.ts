/**
 * What the page and its worker say to each other. The visitor's code runs in a worker (with PGlite),
 * so that code that never ends (an endless loop) stops the worker, not the page: the page restarts it.
 * Everything crosses as text and plain data, rendered in the worker.
 */
import type { Line } from './render.js'

/** The strategies whose statements the page shows. */
export const strategies = ['batched', 'lateral', 'auto'] as const
export type Strategy = (typeof strategies)[number]

export interface Request {
  readonly id: number
  readonly model: string
  readonly query: string
  readonly seed: number
  readonly rows: number
}

export interface StatementView {
  readonly head: string
  readonly text: string
  readonly params: string
}

/** The statements of one strategy, or its error. */
export type SqlView =
  | { readonly _tag: 'Error'; readonly message: string }
  | {
      readonly _tag: 'Statements'
      readonly picked: string
      readonly statements: ReadonlyArray<StatementView>
    }

export type Reply =
  /** The worker has loaded and takes requests (the budget of a request starts when it is sent). */
  | { readonly _tag: 'Ready'; readonly id: 0 }
  /** The code gives no query: a syntax error, a throw, a Left, something else. */
  | { readonly _tag: 'Problem'; readonly id: number; readonly text: string }
  /** The statements, the rows and the memory interpreter's tree; PGlite's follows unless `done`. */
  | {
      readonly _tag: 'Memory'
      readonly id: number
      readonly sql: Readonly<Record<Strategy, SqlView>>
      readonly rows: string
      readonly counts: string
      readonly memory: ReadonlyArray<Line>
      readonly ms: number
      readonly done: boolean
    }
  | {
      readonly _tag: 'Pglite'
      readonly id: number
      readonly pglite: Readonly<Record<Strategy, ReadonlyArray<Line>>>
      readonly ms: number
    }
  /** PGlite did not start. */
  | { readonly _tag: 'Failed'; readonly id: number; readonly message: string }
