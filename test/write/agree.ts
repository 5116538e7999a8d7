// Running a write plan on PostgreSQL and on the memory semantics and comparing them, for the models of
// the write tests (set-model.ts, tree-model.ts): each gives how it reads its tables and puts rows in a
// fixed order; the rest is the same for every model.
import * as E from 'fp-ts/lib/Either.js'
import type postgres from 'postgres'
import { expect } from 'vitest'
import { Pg } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Write from '../../src/write/Write.js'

export type State = Map<string, ReadonlyArray<RawRow>>

export interface Outcome<A> {
  readonly pg: E.Either<Write.PlanError, A>
  readonly memory: E.Either<Write.PlanError, A>
  readonly pgState: State
  readonly memoryState: State
  readonly before: State
}

// What a test compares of an error: its tag and kind/code (messages differ between the two).
export const kindOf = (e: E.Either<Write.PlanError, unknown>): unknown =>
  E.isRight(e)
    ? 'ok'
    : e.left._tag === 'DbError'
      ? { _tag: 'DbError', kind: e.left.kind, code: e.left.code }
      : { _tag: e.left._tag, code: (e.left as { readonly code: unknown }).code }

export const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

/**
 * `agree` runs a plan on both, PostgreSQL through `Write.run` and memory through `Write.runPure` with
 * the model's constraints, from the same rows (a failing plan leaves the memory state as it was);
 * `checkOn` also pins the plan's SQL and expects the same result and state on both.
 */
export const differential = (
  state: (sql: postgres.Sql) => Promise<State>,
  sorted: (tables: ReadonlyMap<string, ReadonlyArray<RawRow>>) => State,
) => {
  const agree = async <A>(sql: postgres.Sql, plan: Write.Plan<A>): Promise<Outcome<A>> => {
    const before = await state(sql)
    const memory = Write.runPure(plan, { constraints: 'model' })(before)
    const pg = await Write.run(plan)(Pg.interpreter(sql))()
    const pgState = await state(sql)
    const memoryState = sorted(E.isRight(memory) ? memory.right.tables : before)
    return { pg, memory: E.map((r: Write.PureResult<A>) => r.result)(memory), pgState, memoryState, before }
  }
  const checkOn = async <A>(
    sql: postgres.Sql,
    plan: Write.Plan<A>,
    statements: ReadonlyArray<{ text: string; params: ReadonlyArray<unknown> }>,
  ): Promise<Outcome<A>> => {
    expect(Write.toSql(plan)).toEqual(statements)
    const o = await agree(sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    return o
  }
  return { agree, checkOn }
}
