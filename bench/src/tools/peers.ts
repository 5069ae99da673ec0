import { setUpBorg } from './borg.js'
import { createResticRepo } from './restic.js'
import type { PeerChoice, PeerTool } from './peer-tool.js'

/** The peers wanted and installed, each with a new repository in `root`; a line for each one skipped. */
export async function setUpPeers (root: string, choice: PeerChoice): Promise<{ peers: PeerTool[], skipped: string[] }> {
  const peers: PeerTool[] = []
  const skipped: string[] = []
  if (choice.restic) {
    const restic = await createResticRepo(root)
    if (restic === undefined) skipped.push('restic: not installed, skipped (apt-get install restic)')
    else peers.push(restic)
  } else {
    skipped.push('restic: skipped (turned off)')
  }
  if (choice.borg) {
    const borg = await setUpBorg(root)
    if (borg === undefined) skipped.push('borg: not installed, skipped (apt-get install borgbackup)')
    else peers.push(borg)
  } else {
    skipped.push('borg: skipped (turned off)')
  }
  return { peers, skipped }
}
