// The playground editors' colouring: the lexer is lossless (the coloured text is the text that runs,
// whatever is typed) and gives each kind of token its class.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Examples from '../../docs/playground/src/examples.js'
import { tokens } from '../../docs/playground/src/lexer.js'

const joined = (s: string) =>
  tokens(s)
    .map(t => t.text)
    .join('')

describe('the playground editors colour their text', () => {
  it('loses nothing: the tokens of the model, every example and any string are the text', () => {
    for (const s of [Examples.model, ...Examples.examples.map(e => e.code)]) expect(joined(s)).toBe(s)
    fc.assert(fc.property(fc.string({ unit: 'binary' }), s => joined(s) === s))
    // unterminated strings and comments, lone backslashes and quotes
    for (const s of ["'abc", '"a\\', '`x${', '/* open', '// end', "'\\'", '\\', '0x1f', '1_000n'])
      expect(joined(s)).toBe(s)
  })

  it('gives each kind its class', () => {
    const kinds = (s: string) =>
      tokens(s)
        .filter(t => t.kind !== 'plain')
        .map(t => [t.kind, t.text])
    expect(kinds(`const q = pipe(Query.from(Blog, 'post'), Query.limit(2)) // two`)).toEqual([
      ['keyword', 'const'],
      ['punct', '='],
      ['namespace', 'pipe'],
      ['punct', '('],
      ['namespace', 'Query'],
      ['punct', '.'],
      ['punct', '('],
      ['punct', ','],
      ['string', "'post'"],
      ['punct', '),'],
      ['namespace', 'Query'],
      ['punct', '.'],
      ['punct', '('],
      ['number', '2'],
      ['punct', '))'],
      ['comment', '// two'],
    ])
  })
})
