import { TEST_KDF_PARAMS } from '@resilien/crypto'
import type { KdfParams } from '@resilien/crypto'

/**
 * `RESILIEN_KDF=test` makes new key slots with cheap KDF parameters. It exists so that test
 * suites creating many repositories run in seconds; it weakens the passphrase's protection and
 * is never meant for real repositories. Unset, the strong default is used.
 */
export function kdfParamsFromEnv (env: NodeJS.ProcessEnv = process.env): KdfParams | undefined {
  return env.RESILIEN_KDF === 'test' ? TEST_KDF_PARAMS : undefined
}
