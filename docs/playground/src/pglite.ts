/**
 * An interpreter over PGlite for the playground: PostgreSQL compiled to WebAssembly, in the page. It
 * runs the statements Quiver's PostgreSQL interpreter would send (the same compilers: `Compile.toSql`
 * for a select, `Lateral.toSql` for a lateral tree) and hands back rows in the representation
 * postgres.js gives (int8 and numeric as text, `Date`s for timestamptz, parsed JSON), so the same
 * decoders read them. Read-only: the playground loads queries, it does not write.
 */
import type { PGlite } from '@electric-sql/pglite'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Expr from '../../../src/ast/Expr.js'
import * as DbError from '../../../src/error/DbError.js'
import * as QueryError from '../../../src/error/QueryError.js'
import type { Interpreter, RawRow } from '../../../src/run/Interpreter.js'
import * as Compile from '../../../src/sql/Compile.js'
import * as Lateral from '../../../src/sql/Lateral.js'

/** What PGlite must parse as postgres.js does: int8 and numeric (and their arrays) stay text. */
export const parsers: Readonly<Record<number, (text: string) => unknown>> = {
  20: text => text,
  1700: text => text,
}

/** A statement as it was sent, for the page to show. */
export interface Sent {
  readonly text: string
  readonly params: ReadonlyArray<unknown>
}

// A JSON parameter goes out as its JSON text (PGlite passes a string through for json / jsonb), a list
// of JSON values as one jsonb[] literal, as the PostgreSQL interpreter sends them.
const jsonText = (v: unknown): string | null => {
  const text = v === undefined ? undefined : JSON.stringify(v)
  return text === undefined || text === 'null' ? null : text
}

const param = (v: unknown, json: Compile.JsonParam | undefined): unknown => {
  if (json === undefined) return v
  if (json === 'value') return jsonText(v)
  const values = Array.isArray(v) ? (v as ReadonlyArray<unknown>) : []
  const elements = values.map(x => {
    const text = jsonText(x)
    return text === null ? 'NULL' : `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  })
  return `{${elements.join(',')}}`
}

const run =
  (db: PGlite, compiled: Compile.CompiledQuery, bind: Expr.Bind | undefined, log: Array<Sent>) =>
  async (): Promise<
    | { _tag: 'Left'; left: DbError.DbError | QueryError.QueryError }
    | { _tag: 'Right'; right: ReadonlyArray<RawRow> }
  > => {
    const params: Array<unknown> = []
    for (let k = 0; k < compiled.params.length; k++) {
      const v = compiled.params[k]
      if (Expr.isPlaceholder(v)) {
        if (bind === undefined || !bind.has(v))
          return { _tag: 'Left', left: QueryError.make('InvalidArgument', 'an unbound placeholder') }
        params.push(param(bind.get(v), compiled.json?.[k]))
      } else params.push(param(v, compiled.json?.[k]))
    }
    log.push({ text: compiled.text, params })
    try {
      const r = await db.query<RawRow>(compiled.text, params, { parsers })
      return { _tag: 'Right', right: r.rows }
    } catch (u) {
      return { _tag: 'Left', left: DbError.fromUnknown(u) }
    }
  }

const compiling = <A>(
  f: () => TE.TaskEither<DbError.DbError | QueryError.QueryError, A>,
): TE.TaskEither<DbError.DbError | QueryError.QueryError, A> => {
  try {
    return f()
  } catch (u) {
    return TE.left(QueryError.unreadable('the PGlite interpreter', u))
  }
}

/** The interpreter over a PGlite database; every statement it sends is appended to `log`. */
export const interpreter = (db: PGlite, log: Array<Sent>): Interpreter => {
  const i: Interpreter = {
    _tag: 'Interpreter',
    name: 'pglite',
    select: (s, bind) => compiling(() => run(db, Compile.toSql(s), bind, log)),
    tree: (t, bind) => compiling(() => run(db, Lateral.toSql(t), bind, log)),
    transact: program => program(i),
  }
  return i
}
