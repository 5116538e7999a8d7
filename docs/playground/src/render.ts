/**
 * Results and errors as lines of text, each with the path of the value it shows, so that two results
 * can be compared line by line: a line differs when the other result has another text at its path,
 * or no such path.
 */

export interface Line {
  readonly path: string
  readonly text: string
}

const isOption = (u: object): u is { _tag: 'Some'; value: unknown } | { _tag: 'None' } => {
  const tag = (u as { _tag?: unknown })._tag
  return (
    (tag === 'None' && Object.keys(u).length === 1) ||
    (tag === 'Some' && 'value' in u && Object.keys(u).length === 2)
  )
}

const scalar = (u: unknown): string | null => {
  if (u === null) return 'null'
  if (u === undefined) return 'undefined'
  if (u instanceof Date) return Number.isNaN(u.getTime()) ? 'Date(invalid)' : `Date(${u.toISOString()})`
  switch (typeof u) {
    case 'string':
      return JSON.stringify(u)
    case 'number':
    case 'boolean':
      return String(u)
    case 'bigint':
      return `${u}n`
    case 'object':
      return null
    default:
      return String(u)
  }
}

const key = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k))

/** A value as indented lines: Options as `some(...)` / `none`, Dates as `Date(iso)`, strings quoted. */
export const lines = (value: unknown): ReadonlyArray<Line> => {
  const out: Array<Line> = []
  const walk = (u: unknown, path: string, indent: string, label: string, comma: string): void => {
    const s = scalar(u)
    if (s !== null) {
      out.push({ path, text: `${indent}${label}${s}${comma}` })
      return
    }
    const o = u as object
    if (isOption(o)) {
      if (o._tag === 'None') out.push({ path, text: `${indent}${label}none${comma}` })
      else {
        const inner = scalar(o.value)
        if (inner !== null) out.push({ path, text: `${indent}${label}some(${inner})${comma}` })
        else {
          out.push({ path, text: `${indent}${label}some(` })
          walk(o.value, `${path}.value`, `${indent}  `, '', '')
          out.push({ path: `${path}/end`, text: `${indent})${comma}` })
        }
      }
      return
    }
    if (Array.isArray(o)) {
      if (o.length === 0) {
        out.push({ path, text: `${indent}${label}[]${comma}` })
        return
      }
      out.push({ path, text: `${indent}${label}[` })
      o.forEach((x, i) => walk(x, `${path}[${i}]`, `${indent}  `, '', i === o.length - 1 ? '' : ','))
      out.push({ path: `${path}/end`, text: `${indent}]${comma}` })
      return
    }
    const entries = Object.entries(o)
    if (entries.length === 0) {
      out.push({ path, text: `${indent}${label}{}${comma}` })
      return
    }
    out.push({ path, text: `${indent}${label}{` })
    entries.forEach(([k, v], i) =>
      walk(v, `${path}.${k}`, `${indent}  `, `${key(k)}: `, i === entries.length - 1 ? '' : ','),
    )
    out.push({ path: `${path}/end`, text: `${indent}}${comma}` })
  }
  walk(value, '$', '', '', '')
  return out
}

/** For each line of `a`: whether `b` shows something else at its path. */
export const differences = (a: ReadonlyArray<Line>, b: ReadonlyArray<Line>): ReadonlyArray<boolean> => {
  const other = new Map(b.map(l => [l.path, l.text]))
  return a.map(l => other.get(l.path) !== l.text)
}

/** An error value in one line: its tag and kind, then its message. */
export const errorText = (e: unknown): string => {
  if (typeof e !== 'object' || e === null) return String(e)
  const o = e as { _tag?: unknown; kind?: unknown; message?: unknown }
  const head = [o._tag, o.kind].filter(x => typeof x === 'string').join(' ')
  const message = typeof o.message === 'string' ? o.message : JSON.stringify(e)
  return head === '' ? message : `${head}: ${message}`
}
