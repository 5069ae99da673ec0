/**
 * A comma-separated list of tags, as restic reads `--tag a,b`: items trimmed, empty ones dropped.
 * Every reading of a tag list (the CLI's options, filters, --keep-tag, stored tags) goes here.
 */
export function splitTags (list: string): string[] {
  return list.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')
}

/**
 * A snapshot's tags as selection and retention read them: a tag stored with commas (`backup
 * --tag a,b` stored one tag 'a,b' before tags were split on commas) counts as its parts, so
 * `--tag a` and `--keep-tag a,b` still find it.
 */
export function tagsOf (s: { tags: readonly string[] }): string[] {
  return s.tags.flatMap(splitTags)
}
