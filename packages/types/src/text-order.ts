/**
 * Orders strings by UTF-16 code unit, as `<` does: the same order on every machine, whatever its
 * locale or ICU version. Snapshots sorted by time (ISO 8601) then id (hex), and repositories by
 * name, come out the same on every site; `localeCompare` follows the locale's collation instead
 * (and costs a collator's tables and a call into ICU per comparison).
 */
export function compareText (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
