/**
 * Syntax colouring for the playground's editors. Each editor is a textarea (what the visitor types
 * into, with the browser's own caret, selection, undo and input methods) over a `<pre>` showing the
 * same text in colour (`lexer.ts`): the textarea's text is transparent, the `<pre>` behind it follows
 * its content and scroll.
 */
import { tokens } from './lexer.js'

/** Shows `source` in colour in `code` (elements built as text nodes: the source is never markup). */
export const paint = (code: HTMLElement, source: string): void => {
  const parts: Array<Node> = []
  for (const t of tokens(source)) {
    if (t.kind === 'plain') parts.push(document.createTextNode(t.text))
    else {
      const s = document.createElement('span')
      s.className = `tok-${t.kind}`
      s.textContent = t.text
      parts.push(s)
    }
  }
  // A final newline needs a character after it to take its line in a <pre>.
  parts.push(document.createTextNode('\n'))
  code.replaceChildren(...parts)
}

/**
 * Colours an editor: wraps the textarea with a `<pre>` (id `<textarea id>-highlight`) behind it, kept
 * in step with its text (on every input, and when `refresh` is called after a programmatic change)
 * and its scroll.
 */
export const attach = (editor: HTMLTextAreaElement): { readonly refresh: () => void } => {
  const wrap = document.createElement('div')
  wrap.className = 'code'
  const pre = document.createElement('pre')
  pre.className = 'highlight'
  pre.id = `${editor.id}-highlight`
  pre.setAttribute('aria-hidden', 'true')
  const code = document.createElement('code')
  pre.append(code)
  editor.replaceWith(wrap)
  wrap.append(pre, editor)
  const scroll = (): void => {
    pre.scrollTop = editor.scrollTop
    pre.scrollLeft = editor.scrollLeft
  }
  const refresh = (): void => {
    paint(code, editor.value)
    scroll()
  }
  editor.addEventListener('input', refresh)
  editor.addEventListener('scroll', scroll)
  refresh()
  return { refresh }
}
