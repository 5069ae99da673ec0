import type { Protocol } from './fuzz-case.js'

/** The command that reruns cases `from` to `from + count - 1` of `protocol` under `seed`. */
export function reproduceCommand (seed: number, protocol: Protocol | 'all', from: number, count: number): string {
  return `npm run test:faults -- --seed ${seed} --protocol ${protocol} --from ${from} --count ${count}`
}

/** A case or check that failed, with the command that runs it again. */
export class FuzzFailure extends Error {
  constructor (message: string, readonly reproduce: string) {
    super(`${message}\nreproduce: ${reproduce}`)
    this.name = 'FuzzFailure'
  }
}
