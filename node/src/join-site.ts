import { createSiteHost, RemoteError, requestJoin } from '@resilien/wire'
import { InvalidInputError, ResilienError } from '@resilien/types'
import { decodeInviteToken } from './cluster/invite-token.js'
import { identityProtobuf } from './identity.js'
import { checkNewSite, dialableAddresses, makeSiteIdentity, removeHalfMadeSite, writeSite } from './init-site.js'
import type { InitSiteOptions, InitSiteResult } from './init-site.js'

/** How long `join` waits for the inviter to answer. */
const JOIN_TIMEOUT_MS = 30_000

export interface JoinSiteOptions extends InitSiteOptions {
  token: string
  now?: () => number
}

/**
 * `resilien join TOKEN`: makes this site's identity, proves the invite to the inviter over the
 * join protocol (the inviter records the new site in its catalog, from where every member learns
 * it), then writes the data dir with the members the inviter named as bootstrap peers. Nothing is
 * left in the folder when the inviter refuses.
 */
export async function joinSite (options: JoinSiteOptions): Promise<InitSiteResult> {
  const token = decodeInviteToken(options.token)
  if (token.expires <= (options.now ?? Date.now)()) throw new InvalidInputError('this invite has expired: ask a member for a new one with `resilien invite`')
  await checkNewSite(options)
  try {
    const identity = await makeSiteIdentity(options.dataDir)
    const host = await createSiteHost({ privateKey: identityProtobuf(identity), listen: [], allowPeer: (peer) => peer === token.peerId })
    let members
    try {
      const response = await requestJoin(host, token.peerId, token.addrs, {
        cluster: token.cluster,
        secret: token.secret,
        name: options.name,
        zone: options.zone ?? options.name,
        addrs: dialableAddresses(options)
      }, { signal: AbortSignal.timeout(JOIN_TIMEOUT_MS) })
      members = response.members
    } catch (err) {
      // The inviter's own line is what the user needs ("a site named ... is already a member").
      if (err instanceof RemoteError) throw new ResilienError(`the inviter refused this site: ${err.detail}`, { permanent: err.permanent })
      throw err
    } finally {
      await host.stop()
    }
    const peers = members.filter((m) => m.peerId !== identity.peerId).map((m) => ({ peerId: m.peerId, addrs: m.addrs }))
    if (!peers.some((p) => p.peerId === token.peerId)) peers.push({ peerId: token.peerId, addrs: token.addrs })
    await writeSite(options, identity, token.cluster, peers)
    return { peerId: identity.peerId, cluster: token.cluster, name: options.name }
  } catch (err) {
    await removeHalfMadeSite(options.dataDir)
    throw err
  }
}
