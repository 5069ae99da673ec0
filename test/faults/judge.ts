import type { StreamResult } from './answers.js'
import type { FuzzCase } from './fuzz-case.js'

/** Error names of JS itself: an 'internal' answer naming one is a bug in the node, not bad input. */
const JS_BUG = /\b(TypeError|RangeError|ReferenceError|SyntaxError|AggregateError)\b/

/**
 * What is wrong with the node's handling of a case, or undefined. Refusing a request in any
 * way is fine; what is not: a stream left open, bytes that are not frames, an answer to a
 * stranger or to a join without a live invite, a member treated as a stranger, a JS exception.
 */
export function judge (fuzzCase: FuzzCase, results: readonly StreamResult[]): string | undefined {
  for (const r of results) {
    if (r.outcome === 'hang') return `the node neither ended nor reset the stream after the request was complete (${r.detail ?? ''})`
    if (r.outcome === 'garbage') return `the node answered with bytes that are not frames (${r.detail ?? ''})`
    if (r.outcome === 'answer' && fuzzCase.sender === 'stranger') return 'a peer that is not a member got an answer'
    if (r.outcome === 'answer' && fuzzCase.protocol === 'join') return 'a join without a live invite was answered as admitted'
    if (r.outcome === 'error' && r.code === 'not-member' && fuzzCase.sender === 'member') return 'the member was refused as a stranger'
    if (r.outcome === 'error' && r.code === 'internal' && JS_BUG.test(r.message ?? '')) return `the node failed with ${r.message ?? ''}`
    // One stream of a member that the node's limits cannot explain.
    if (r.outcome === 'open-failed' && fuzzCase.streams.length === 1 && fuzzCase.sender === 'member') return `the stream could not be opened: ${r.detail ?? ''}`
  }
  return undefined
}
