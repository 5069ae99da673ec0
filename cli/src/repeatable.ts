import { splitTags } from '@resilien/types'

/** commander's argParser for an option given several times: each value is added to the list. */
export function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/**
 * collect for tags, as restic reads them: each value is a comma-separated list, so `--tag a,b`
 * and `--tag a --tag b` both give the tags a and b (a tag never holds a comma); items are
 * trimmed, as the filters trim them, and empty ones go.
 */
export function collectTags (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...splitTags(value)]
}
