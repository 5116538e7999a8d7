/**
 * What a load reports before it sends anything (`onEvent`): the strategy it runs with and the `auto`
 * rule's inputs. Internal: `Preload` and `Run` report through it, and `Preload` exports its types.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as Select from '../ast/Select.js'
import type { LoadError } from '../error/Errors.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import type * as Spec from '../plan/Spec.js'
import * as Strategies from '../plan/Strategy.js'
import type * as Model from '../schema/Model.js'
import type { Interpreter } from './Interpreter.js'

type Strategy = Strategies.Strategy

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The strategy a load runs with, and the rule's inputs: the strategy asked for, why this one
 * (`reason`), the estimate of the parents and its source, the depth of the spec (levels of
 * associations), the rows each parent is estimated to bring (`rowsPerParent`), their product (`rows`,
 * `null` when the parents are unbounded) and the threshold `auto` compares it with (`lateralMaxRows`).
 *
 * @category model
 * @since 0.2.0
 */
export interface StrategyChosen {
  readonly _tag: 'StrategyChosen'
  /** The schema of the parents. */
  readonly schema: string
  readonly asked: Strategy
  readonly strategy: 'batched' | 'lateral'
  readonly reason: Strategies.Reason
  readonly estimate: Strategies.Estimate
  readonly depth: number
  readonly rowsPerParent: number
  readonly rows: number | null
  readonly lateralMaxRows: number
}

/**
 * What a load reports to `Options.onEvent`.
 *
 * @category model
 * @since 0.2.0
 */
export type Event = StrategyChosen

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

// The levels of associations of a spec.
const depthOf = (nodes: ReadonlyArray<Spec.Node>): number => {
  let d = 0
  for (const n of nodes) d = Math.max(d, 1 + depthOf(n.children))
  return d
}

/**
 * The strategy the preloads of a projection run with (the one asked for; `auto` takes batched, reason
 * `Projection`), and the task reporting it to `onEvent` before anything is sent, as every load does.
 *
 * @category utils
 * @since 0.2.0
 */
export const projectionStrategy = (
  i: Interpreter,
  model: Model.AnyModel,
  schema: string,
  select: Select.Select,
  nodes: ReadonlyArray<Spec.Node>,
  options: { readonly strategy?: Strategy; readonly onEvent?: (event: Event) => void },
): {
  readonly strategy: 'batched' | 'lateral'
  readonly report: <A>(task: TE.TaskEither<LoadError, A>) => TE.TaskEither<LoadError, A>
} =>
  decided(i, model, schema, { _tag: 'Query', select }, nodes, options, d =>
    d.reason === 'Asked'
      ? d
      : Object.freeze({ ...d, strategy: 'batched' as const, reason: 'Projection' as const }),
  )

/**
 * The rule's decision on this interpreter, reported to `onEvent` when the task runs (before anything
 * is sent): a callback that throws is the load's `Left`.
 *
 * @category utils
 * @since 0.2.0
 */
export const decided = (
  i: Interpreter,
  model: Model.AnyModel,
  schema: string,
  root: Strategies.Parents,
  nodes: ReadonlyArray<Spec.Node>,
  options: { readonly strategy?: Strategy; readonly onEvent?: (event: Event) => void },
  revise: (d: Strategies.Decision) => Strategies.Decision = d => d,
): {
  readonly strategy: 'batched' | 'lateral'
  readonly report: <A>(task: TE.TaskEither<LoadError, A>) => TE.TaskEither<LoadError, A>
} => reported(revise(decision(i, model, schema, root, nodes, options.strategy)), schema, nodes, options)

/**
 * The rule's decision on this interpreter, not yet reported (a prepared query's loads keep it: every
 * input of the rule is the same in each of its runs).
 *
 * @category utils
 * @since 0.2.0
 */
export const decision = (
  i: Interpreter,
  model: Model.AnyModel,
  schema: string,
  root: Strategies.Parents,
  nodes: ReadonlyArray<Spec.Node>,
  asked: Strategy | undefined,
): Strategies.Decision =>
  Strategies.decide(
    () => i.tree !== undefined,
    model,
    schema,
    root,
    asked ?? 'auto',
    Strategies.rowsPerParent(nodes),
  )

/**
 * `decided` with the decision made already (`decision`): its strategy, and the task reporting it to
 * `onEvent`. The event is built only when somebody listens.
 *
 * @category utils
 * @since 0.2.0
 */
export const reported = (
  d: Strategies.Decision,
  schema: string,
  nodes: ReadonlyArray<Spec.Node>,
  options: { readonly strategy?: Strategy; readonly onEvent?: (event: Event) => void },
): {
  readonly strategy: 'batched' | 'lateral'
  readonly report: <A>(task: TE.TaskEither<LoadError, A>) => TE.TaskEither<LoadError, A>
} => {
  const on = options.onEvent
  if (on === undefined) return d.strategy === 'lateral' ? silentLateral : silentBatched
  const event: Event = Object.freeze({
    _tag: 'StrategyChosen' as const,
    schema,
    asked: options.strategy ?? 'auto',
    strategy: d.strategy,
    reason: d.reason,
    estimate: Object.freeze(d.estimate),
    depth: depthOf(nodes),
    rowsPerParent: d.rowsPerParent,
    rows: d.estimate._tag === 'Unbounded' ? null : d.estimate.parents * d.rowsPerParent,
    lateralMaxRows: Strategies.lateralMaxRows,
  })
  return {
    strategy: d.strategy,
    report: task => async () => {
      try {
        on(event)
      } catch (u) {
        return E.left(
          QueryError.make(
            'InvalidArgument',
            `load option 'onEvent' threw: ${u instanceof Error ? u.message : show(u)}`,
            schema,
          ),
        )
      }
      return task()
    },
  }
}

const unreported = <A>(task: TE.TaskEither<LoadError, A>): TE.TaskEither<LoadError, A> => task
const silentLateral = { strategy: 'lateral', report: unreported } as const
const silentBatched = { strategy: 'batched', report: unreported } as const
