import { multiaddr } from '@multiformats/multiaddr'

/** Host protocols a site listens on, and those other sites may dial it at. */
const LISTEN_HOSTS = new Set(['ip4', 'ip6'])
const DIAL_HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])

/**
 * Why `addr` cannot be one of a site's TCP addresses, in one line (undefined when it can):
 * `listen` takes IP addresses only (a socket binds to one), `announce` names too. The parser
 * checks the values (an IPv4 of 999 or a port of 99999 is refused).
 */
function siteAddressProblem (addr: string, use: 'listen' | 'announce'): string | undefined {
  let components
  try {
    components = multiaddr(addr).getComponents()
  } catch (err) {
    return `${addr} is not a multiaddr (${(err as Error).message})`
  }
  const [host, transport] = components
  const hosts = use === 'listen' ? LISTEN_HOSTS : DIAL_HOSTS
  if (components.length !== 2 || host === undefined || !hosts.has(host.name) || transport?.name !== 'tcp') {
    return use === 'listen'
      ? `${addr} is not an address to listen on: use /ip4/ADDRESS/tcp/PORT or /ip6/ADDRESS/tcp/PORT`
      : `${addr} is not an address to be dialled at: use /ip4, /ip6, /dns4 or /dns6, then /tcp/PORT`
  }
  return undefined
}

/** The first of `addrs` that cannot serve as `use`, said in one line; undefined when all can. */
export function siteAddressesProblem (addrs: readonly string[], use: 'listen' | 'announce'): string | undefined {
  for (const addr of addrs) {
    const problem = siteAddressProblem(addr, use)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * libp2p's error when a listen address cannot be bound lists each address with its cause over
 * several lines, with stacks: one line of "address: cause" pairs.
 */
export function describeListenFailure (err: Error): string {
  const causes = err.message.split('\n')
    .map((line) => /^\s*(\/\S+): (?:Error: )?(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1] as string}: ${m[2] as string}`)
  return `cannot listen on ${causes.length > 0 ? causes.join('; ') : err.message.split('\n')[0] as string}`
}
