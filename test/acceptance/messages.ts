// What makes an error message say where it comes from more than once: a namespace written twice
// (`Query.Query.join`), or a function's prefix (`Query.join: `) that occurs again in the message.

const prefix = /\b([A-Z][A-Za-z]*\.[A-Za-z$]+): /g

/** Why `message` repeats its origin, or null when it names it at most once. */
export const repeatedPrefix = (message: string): string | null => {
  const doubled = /\b([A-Z][A-Za-z]*)\.\1\./.exec(message)
  if (doubled !== null) return `'${doubled[0]}' names the namespace twice`
  const seen = new Set<string>()
  for (const m of message.matchAll(prefix)) {
    const p = m[1] as string
    if (seen.has(p)) return `'${p}: ' occurs twice`
    seen.add(p)
  }
  return null
}
