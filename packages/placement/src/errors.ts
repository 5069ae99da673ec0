import { ResilienError } from '@resilien/types'

/**
 * Fewer failure domains (zones) are up, with room for a shard, than a stripe of k + m shards
 * needs. Transient: starting sites or freeing space can help, and so can allowing degraded mode.
 */
export class InsufficientDomainsError extends ResilienError {
  readonly k: number
  readonly m: number
  /** Distinct zones a stripe needs: k + m. */
  readonly needed: number
  /** The zones that are up and have room, sorted. */
  readonly zones: readonly string[]
  /** Up sites skipped for lack of free space. */
  readonly fullSites: number

  constructor (k: number, m: number, zones: readonly string[], fullSites: number, message?: string) {
    super(message ?? describe(k, m, zones, fullSites), { permanent: false })
    this.name = 'InsufficientDomainsError'
    this.k = k
    this.m = m
    this.needed = k + m
    this.zones = zones
    this.fullSites = fullSites
  }
}

function describe (k: number, m: number, zones: readonly string[], fullSites: number): string {
  const full = fullSites === 0 ? '' : ` (${fullSites} more up site${fullSites === 1 ? ' lacks' : 's lack'} free space)`
  const needs = `a ${k}+${m} stripe needs ${k + m}`
  if (zones.length === 0) return `no failure domain is up${full}: ${needs}; start more sites`
  const are = zones.length === 1 ? 'failure domain is' : 'failure domains are'
  return `only ${zones.length} ${are} up (${zones.join(', ')})${full}: ${needs}; start more sites or pass --allow-degraded`
}
