import { InvalidInputError } from '@resilien/types'

/** What an invite carries: enough for a fresh machine to find and convince one member. */
export interface InviteToken {
  cluster: string
  /** The inviting site's peer id and the addresses to dial it at. */
  peerId: string
  addrs: string[]
  /** 32 random bytes, hex: proves to the inviter that the joiner holds this token. */
  secret: string
  /** Milliseconds since the epoch after which the inviter refuses it. */
  expires: number
}

/** Tokens start with this, so a wrong paste is recognised as such. */
export const TOKEN_PREFIX = 'resilien-invite-1:'

export function encodeInviteToken (token: InviteToken): string {
  const body = JSON.stringify({ c: token.cluster, p: token.peerId, a: token.addrs, s: token.secret, e: token.expires })
  return TOKEN_PREFIX + Buffer.from(body, 'utf8').toString('base64url')
}

const NOT_A_TOKEN = 'this is not a resilien invite token (ask a member to run `resilien invite` and paste the whole line)'

export function decodeInviteToken (text: string): InviteToken {
  const trimmed = text.trim()
  if (!trimmed.startsWith(TOKEN_PREFIX)) throw new InvalidInputError(NOT_A_TOKEN)
  let body: unknown
  try {
    body = JSON.parse(Buffer.from(trimmed.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'))
  } catch {
    throw new InvalidInputError(NOT_A_TOKEN)
  }
  const b = body as Record<string, unknown>
  const ok = typeof body === 'object' && body !== null &&
    typeof b.c === 'string' && /^[0-9a-f]{32}$/.test(b.c) &&
    typeof b.p === 'string' && /^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(b.p) &&
    Array.isArray(b.a) && b.a.length > 0 && b.a.every((a) => typeof a === 'string' && a.startsWith('/')) &&
    typeof b.s === 'string' && /^[0-9a-f]{64}$/.test(b.s) &&
    Number.isSafeInteger(b.e)
  if (!ok) throw new InvalidInputError(NOT_A_TOKEN)
  return { cluster: b.c as string, peerId: b.p as string, addrs: b.a as string[], secret: b.s as string, expires: b.e as number }
}
