/**
 * The PostgreSQL lowering of write statements: a pure, total function from an `Insert`, `Update` or
 * `Delete` to a frozen `{ text, params }`. As for selects, every value is a `$n` parameter and every
 * identifier is quoted; filters go through the same expression compiler.
 *
 * @since 0.1.0
 */
import type { Expr } from '../ast/Expr.js'
import type { Conflict, ConflictAction, Delete, Insert, Update, Write } from '../ast/Write.js'
import {
  type CompiledQuery,
  type Context,
  compiled,
  conjunction,
  context,
  expr,
  ident,
  select,
} from './Compile.js'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const returning = (cols: ReadonlyArray<string>): string =>
  cols.length === 0 ? '' : ` returning ${cols.map(ident).join(', ')}`

const where = (ctx: Context, conjuncts: Update['where']): string =>
  conjuncts.length === 0 ? '' : ` where ${conjunction(ctx, conjuncts)}`

// What an insert does on a key conflict; keywords come from this table, never from the field's text.
const conflicts: Readonly<Record<'raise' | 'nothing', string>> = {
  raise: '',
  nothing: ' on conflict do nothing',
}

const assignments = (ctx: Context, set: ReadonlyArray<readonly [string, Expr]>): string =>
  set.map(([c, e]) => `${ident(c)} = ${expr(ctx, e)}`).join(', ')

const actions: {
  readonly [K in ConflictAction['_tag']]: (
    ctx: Context,
    a: Extract<ConflictAction, { readonly _tag: K }>,
  ) => string
} = {
  Nothing: () => 'do nothing',
  Update: (ctx, a) => `do update set ${assignments(ctx, a.set)}`,
}

const conflictClause = (ctx: Context, c: Conflict): string => {
  const target =
    c.constraint === null ? `(${c.target.map(ident).join(', ')})` : `on constraint ${ident(c.constraint)}`
  const action = (actions[c.action._tag] as (ctx: Context, a: ConflictAction) => string)(ctx, c.action)
  return ` on conflict ${target} ${action}`
}

type Handlers = {
  readonly [K in Write['_tag']]: (ctx: Context, w: Extract<Write, { readonly _tag: K }>) => string
}

const handlers: Handlers = {
  Insert: (ctx: Context, w: Insert) => {
    const oc = w.onConflict
    const upsert = typeof oc === 'object'
    // An upsert names the target's alias: its `do update set` reads the existing row through it.
    const target = upsert ? `${ident(w.table)} as ${ident(oc.alias)}` : ident(w.table)
    const body =
      w.select !== undefined
        ? ` (${w.columns.map(ident).join(', ')}) ${select(ctx, w.select)}`
        : w.columns.length === 0
          ? // A row of defaults only; several such rows need one statement each (see `Plan`).
            ' default values'
          : ` (${w.columns.map(ident).join(', ')}) values ${w.rows
              .map(r => `(${r.map(p => expr(ctx, p)).join(', ')})`)
              .join(', ')}`
    const conflict = upsert ? conflictClause(ctx, oc) : Object.hasOwn(conflicts, oc) ? conflicts[oc] : ''
    return `insert into ${target}${body}${conflict}${returning(w.returning)}`
  },
  Update: (ctx: Context, w: Update) =>
    `update ${ident(w.binding.table)} as ${ident(w.binding.alias)} set ${assignments(ctx, w.set)}${where(
      ctx,
      w.where,
    )}${returning(w.returning)}`,
  Delete: (ctx: Context, w: Delete) =>
    `delete from ${ident(w.binding.table)} as ${ident(w.binding.alias)}${where(ctx, w.where)}${returning(w.returning)}`,
}

/**
 * The text of a write statement, its values appended to the context's parameters.
 *
 * @category utils
 * @since 0.1.0
 */
export const write = (ctx: Context, w: Write): string =>
  (handlers[w._tag] as (ctx: Context, w: Write) => string)(ctx, w)

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * @category destructors
 * @since 0.1.0
 */
export const toSql = (w: Write): CompiledQuery => {
  const ctx = context()
  return compiled(ctx, write(ctx, w))
}
