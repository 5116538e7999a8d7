/**
 * The lexer of the playground editors' colouring (`highlight.ts`): a small lexer of the TypeScript the
 * editors hold, lossless (the tokens' texts joined are the source), so the colours can never show other
 * text than the one that runs. Pure, so it is tested in Node.
 */

/** A kind of token, a CSS class `tok-<kind>` (`plain` is uncoloured). */
export type Kind = 'comment' | 'string' | 'number' | 'keyword' | 'namespace' | 'punct' | 'plain'

export interface Token {
  readonly text: string
  readonly kind: Kind
}

const keywords = new Set([
  'const',
  'let',
  'var',
  'import',
  'from',
  'export',
  'default',
  'return',
  'function',
  'new',
  'for',
  'if',
  'else',
  'while',
  'true',
  'false',
  'null',
  'undefined',
  'typeof',
  'as',
  'type',
  'interface',
  'async',
  'await',
  'of',
  'in',
])

// Quiver's namespaces and the helpers in scope in the editors.
const namespaces = new Set([
  'Schema',
  'Column',
  'Query',
  'Pred',
  'Fn',
  'Preload',
  'Prepared',
  'Write',
  'Memory',
  'Pg',
  'Run',
  'pipe',
  't',
  'E',
  'O',
])

// One alternative per kind, tried at each position in this order; anything else is one plain character.
const lexer =
  /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^'\\\n]|\\.)*'?|"(?:[^"\\\n]|\\.)*"?|`(?:[^`\\]|\\[\s\S])*`?)|(\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?n?\b)|([A-Za-z_$][\w$]*)|([()[\]{}.,;:=<>+\-*/%!?&|]+)|(\s+)/y

// Whether the last token that is not blank ends with a dot.
const afterDot = (out: ReadonlyArray<Token>): boolean => {
  for (let k = out.length - 1; k >= 0; k--) {
    const t = out[k] as Token
    if (t.kind === 'plain' && t.text.trim() === '') continue
    return t.kind === 'punct' && t.text.endsWith('.')
  }
  return false
}

/**
 * The source as tokens, in order; their texts joined are the source. `pipe(x, 'a')` is namespace,
 * punct, plain, punct, plain (the space), string, punct.
 */
export const tokens = (source: string): ReadonlyArray<Token> => {
  const out: Array<Token> = []
  let i = 0
  while (i < source.length) {
    lexer.lastIndex = i
    const m = lexer.exec(source)
    if (m === null || m[0] === '') {
      out.push({ text: source[i] as string, kind: 'plain' })
      i += 1
      continue
    }
    const text = m[0]
    const kind: Kind =
      m[1] !== undefined
        ? 'comment'
        : m[2] !== undefined
          ? 'string'
          : m[3] !== undefined
            ? 'number'
            : m[4] !== undefined
              ? afterDot(out)
                ? 'plain' // a property: `Query.from` is no keyword
                : keywords.has(text)
                  ? 'keyword'
                  : namespaces.has(text)
                    ? 'namespace'
                    : 'plain'
              : m[5] !== undefined
                ? 'punct'
                : 'plain'
    out.push({ text, kind })
    i += text.length
  }
  return out
}
