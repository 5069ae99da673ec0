import { ResilienError } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import { integer, onlyKeys, plainObject, text, textArray } from './checks.js'
import { JOIN_INBOUND_STREAMS, JOIN_PROTOCOL, LIMITS, MAX_JSON_BODY_BYTES } from './constants.js'
import { request, serve } from './exchange.js'
import { encodeJsonBody, MalformedError, readJsonBody, sendHeader, sendJsonBody } from './frames.js'
import type { Header } from './frames.js'
import type { SiteHost } from './host.js'
import { opOf, readResponse, RefusedError, RemoteError } from './remote-error.js'
import { TimeoutError } from './stream-errors.js'
import { closeWrite } from './stream-writer.js'

export interface JoinRequest { cluster: string, secret: string, name: string, zone: string, addrs: string[] }
export interface JoinMember { peerId: string, name: string, addrs: string[] }
export interface JoinResponse { cluster: string, members: JoinMember[] }

function joinRequest (header: Header): JoinRequest {
  onlyKeys(header, ['op', 'cluster', 'secret', 'name', 'zone', 'addrs'])
  return {
    cluster: text(header.cluster, 'cluster', LIMITS.cluster, 1),
    secret: text(header.secret, 'secret', LIMITS.secret, 1),
    name: text(header.name, 'name', LIMITS.name, 1),
    zone: text(header.zone, 'zone', LIMITS.name),
    addrs: textArray(header.addrs, 'addrs', LIMITS.addrs, LIMITS.addr)
  }
}

function joinResponse (value: unknown): JoinResponse {
  const o = plainObject(value, 'the answer')
  onlyKeys(o, ['cluster', 'members'])
  if (!Array.isArray(o.members) || o.members.length > LIMITS.members) throw new MalformedError(`members is not an array of at most ${LIMITS.members}`)
  return {
    cluster: text(o.cluster, 'cluster', LIMITS.cluster, 1),
    members: o.members.map((value: unknown, i) => {
      const m = plainObject(value, `members[${i}]`)
      onlyKeys(m, ['peerId', 'name', 'addrs'])
      return {
        peerId: text(m.peerId, `members[${i}].peerId`, LIMITS.peerId, 1),
        name: text(m.name, `members[${i}].name`, LIMITS.name),
        addrs: textArray(m.addrs, `members[${i}].addrs`, LIMITS.addrs, LIMITS.addr)
      }
    })
  }
}

/**
 * Serves '/resilien/join/1': `{op: 'join', cluster, secret, name, zone, addrs}` ->
 * `{ok, bytes}` + JSON {cluster, members}. The only protocol a non-member may open (the node's
 * gater lets a stranger in only while an invite is pending).
 * admit: decides (throws a ResilienError whose message goes back to the joiner as one line). The remote peer id is the Noise-authenticated one.
 */
export function serveJoin (host: SiteHost, admit: (peerId: string, request: JoinRequest) => Promise<JoinResponse>): void {
  serve(host, { protocol: JOIN_PROTOCOL, maxInboundStreams: JOIN_INBOUND_STREAMS }, async ({ stream, peer, header }) => {
    opOf(header, ['join'])
    const joining = joinRequest(header)
    let response: JoinResponse
    try {
      response = await admit(peer, joining)
    } catch (err) {
      if (err instanceof ResilienError) throw new RefusedError(err.message, { cause: err })
      throw err
    }
    await sendJsonBody(stream, { ok: true }, encodeJsonBody({ cluster: response.cluster, members: response.members }))
  })
}

/** Connects to `peer` at `addrs` and asks it to admit this site. A refusal is a RemoteError with code 'refused'. */
export async function requestJoin (host: SiteHost, peer: string, addrs: readonly string[], joining: JoinRequest, options?: AbortOptions): Promise<JoinResponse> {
  // Only the protocol's fields travel, checked against the same limits the inviter applies.
  const { cluster, secret, name, zone } = joining
  const header = { op: 'join', ...joinRequest({ op: 'join', cluster, secret, name, zone, addrs: joining.addrs }) }
  try {
    await host.connect(peer, addrs, options)
  } catch (err) {
    if (!(err instanceof Error)) throw err
    const why = err.name === 'TimeoutError' ? 'no answer in time' : err.message.split('\n')[0] as string
    throw new ResilienError(`cannot reach the inviter at ${addrs.join(', ')}: ${why} (is its node running, and reachable from this machine?)`, { permanent: false, cause: err })
  }
  const signal = options?.signal
  try {
    return await request(host, peer, JOIN_PROTOCOL, signal, async (stream, reader) => {
      sendHeader(stream, header)
      await closeWrite(stream, signal)
      const answer = await readResponse(reader, signal)
      onlyKeys(answer, ['ok', 'bytes'])
      return joinResponse(await readJsonBody(reader, integer(answer.bytes, 'bytes', 2, MAX_JSON_BODY_BYTES), signal))
    })
  } catch (err) {
    if (err instanceof RemoteError || err instanceof TimeoutError || signal?.aborted === true || !(err instanceof ResilienError) || err.permanent) throw err
    // The inviter lets a stranger in only while one of its invites is pending: with none, it
    // drops the connection without a word, which is what a used or revoked invite looks like.
    throw new ResilienError(`the inviter closed the connection without answering: an invite admits one site, so this one may have been used already; ask a member for a new one with \`resilien invite\` (${err.message})`, { permanent: false, cause: err })
  }
}
