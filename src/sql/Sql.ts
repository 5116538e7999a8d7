/**
 * The public face of the SQL compilers, for tools that build AST trees themselves: total functions
 * from a select or a write statement to `{ text, params }`. A tree from an untyped caller is checked
 * first (`Check`: nodes built by the companions, fields of their types, no refused input, bounded
 * nesting), so what cannot be compiled is a `Left` naming the problem, never an exception and never
 * SQL text made of a value. Queries built with `Query` compile through `Query.toSql`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as Check from '../ast/Check.js'
import * as Node from '../ast/Node.js'
import type { Select } from '../ast/Select.js'
import type { Write } from '../ast/Write.js'
import * as QueryError from '../error/QueryError.js'
import * as Compile from './Compile.js'
import * as WriteSql from './Write.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The output of `toSql` and `statementToSql`: SQL text with `$n` placeholders and the parameters that
 * fill them.
 *
 * @category model
 * @since 0.1.0
 */
export type CompiledQuery = Compile.CompiledQuery

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * An identifier, double-quoted with its own double quotes doubled.
 *
 * @example
 * import { Sql } from 'quiver-sql'
 * assert.strictEqual(Sql.ident('we"ird'), '"we""ird"')
 *
 * @category utils
 * @since 0.1.0
 */
export const ident: (name: string) => string = Compile.ident

const compiled = (
  fn: string,
  problem: string | undefined,
  compile: () => CompiledQuery,
): E.Either<QueryError.QueryError, CompiledQuery> => {
  if (problem !== undefined) return E.left(QueryError.make('InvalidArgument', `Sql.${fn}: ${problem}`))
  try {
    return E.right(compile())
  } catch (u) {
    return E.left(
      QueryError.make('InvalidArgument', `Sql.${fn}: the tree could not be compiled: ${Node.describe(u)}`),
    )
  }
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The SQL of a select: every value a `$n` parameter, every identifier quoted.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const s = Ast.Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Ast.Expr.column('t0', 'id') }])
 * assert.deepStrictEqual(Sql.toSql(s), E.right({ text: 'select "t0"."id" from "posts" as "t0"', params: [] }))
 *
 * @category destructors
 * @since 0.1.0
 */
export const toSql = (s: Select): E.Either<QueryError.QueryError, CompiledQuery> =>
  compiled('toSql', Check.select(s), () => Compile.toSql(s))

/**
 * The SQL of one write statement.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const del = Ast.Write.delete_({
 *   binding: { table: 'posts', alias: 't0' },
 *   where: [Ast.Expr.eq(Ast.Expr.column('t0', 'id'), Ast.Expr.param(1))],
 *   returning: ['id'],
 * })
 * assert.deepStrictEqual(Sql.statementToSql(del), E.right({
 *   text: 'delete from "posts" as "t0" where "t0"."id" = $1 returning "id"',
 *   params: [1],
 * }))
 *
 * @category destructors
 * @since 0.1.0
 */
export const statementToSql = (w: Write): E.Either<QueryError.QueryError, CompiledQuery> =>
  compiled('statementToSql', Check.write(w), () => WriteSql.toSql(w))
