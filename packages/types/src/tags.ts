/**
 * A snapshot's tags as selection and retention read them: a tag stored with commas (`backup
 * --tag a,b` stored one tag 'a,b' before tags were split on commas) counts as its parts, so
 * `--tag a` and `--keep-tag a,b` still find it.
 */
export function tagsOf (s: { tags: readonly string[] }): string[] {
  return s.tags.flatMap((tag) => tag.split(',')).map((tag) => tag.trim()).filter((tag) => tag !== '')
}
