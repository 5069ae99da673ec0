/** Text for HTML and SVG: the five characters that could end an element or an attribute, escaped. */
export function escapeMarkup (text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' } as Record<string, string>)[c] ?? ''};`)
}

/** An element with attributes (values escaped) around `inner`, which is markup already. */
export function element (name: string, attributes: Record<string, string | number | undefined>, inner?: string): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeMarkup(typeof v === 'number' ? coordinate(v) : (v as string))}"`).join('')
  return inner === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>`
}

/** A coordinate with at most one decimal: enough for a screen, short in the file. */
export function coordinate (x: number): string {
  return String(Math.round(x * 10) / 10)
}
