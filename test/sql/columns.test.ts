// The compiler keeps the text of a column list of plain frozen column reads (a root select's table
// columns, the same list at every call); a list it could see change is rendered again each time.
import { describe, expect, it } from 'vitest'
import * as X from '../../src/ast/Expr.js'
import * as S from '../../src/ast/Select.js'
import * as Compile from '../../src/sql/Compile.js'

const c = (col: string) => X.column('t0', col)

describe('column lists', () => {
  it('the same frozen list of column reads gives the same text every time, and another list its own', () => {
    const cols: ReadonlyArray<S.Output> = [
      { name: 'id', expr: c('id') },
      { name: 'label', expr: c('name') },
    ]
    const s = S.create({ table: 'items', alias: 't0' }, cols)
    const text = 'select "t0"."id", "t0"."name" as "label" from "items" as "t0"'
    expect(Compile.toSql(s).text).toBe(text)
    expect(Compile.toSql(s).text).toBe(text)
    const other = S.create({ table: 'items', alias: 't0' }, [{ name: 'id', expr: c('kind') }])
    expect(Compile.toSql(other).text).toBe('select "t0"."kind" as "id" from "items" as "t0"')
    expect(Compile.toSql(S.withWhere(X.eq(c('id'), X.param(1)))(s))).toEqual({
      text: `${text} where "t0"."id" = $1`,
      params: [1],
    })
  })

  it('a list whose outputs are not frozen, or that holds a parameter, is rendered again each time', () => {
    const output = { name: 'id', expr: c('id') as X.Expr }
    const s = { ...S.create({ table: 'items', alias: 't0' }, []), columns: Object.freeze([output]) }
    expect(Compile.toSql(s).text).toBe('select "t0"."id" from "items" as "t0"')
    output.name = 'key'
    expect(Compile.toSql(s).text).toBe('select "t0"."id" as "key" from "items" as "t0"')
    output.expr = X.param(5)
    expect(Compile.toSql(s)).toEqual({ text: 'select $1 as "key" from "items" as "t0"', params: [5] })
    const p = S.create({ table: 'items', alias: 't0' }, [{ name: 'n', expr: X.param(7) }])
    expect(Compile.toSql(p)).toEqual({ text: 'select $1 as "n" from "items" as "t0"', params: [7] })
    expect(Compile.toSql(p)).toEqual({ text: 'select $1 as "n" from "items" as "t0"', params: [7] })
  })
})
