/**
 * A small well-formedness check for the markup the bench writes (no XML parser in the
 * dependencies): every element closed in order, attributes quoted, no raw '<' or '&' in text.
 * Returns the problems found, [] for well-formed markup.
 */
export function markupProblems (markup: string, voidElements: readonly string[] = []): string[] {
  const problems: string[] = []
  const stack: string[] = []
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!DOCTYPE html>|<!--[\s\S]*?-->/g
  let last = 0
  for (let m = tag.exec(markup); m !== null; m = tag.exec(markup)) {
    const text = markup.slice(last, m.index)
    if (/[<>]/.test(text)) problems.push(`raw < or > in text near "${text.slice(0, 40)}"`)
    if (/&(?!(amp|lt|gt|quot|#39|middot);)/.test(text)) problems.push(`raw & in text near "${text.slice(0, 40)}"`)
    last = tag.lastIndex
    const [, closing, name, , selfClosing] = m
    if (name === undefined) continue
    if (closing === '/') {
      const open = stack.pop()
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`)
    } else if (selfClosing !== '/' && !voidElements.includes(name)) {
      stack.push(name)
    }
  }
  if (/[<>]/.test(markup.slice(last))) problems.push('raw < or > after the last tag')
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' ')}`)
  return problems
}
