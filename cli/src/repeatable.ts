/** commander's argParser for an option given several times: each value is added to the list. */
export function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}
