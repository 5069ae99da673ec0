/** Colours a reader can tell apart; fixed ones for the tools, so that every chart agrees. */
const FIXED: Record<string, string> = {
  resilien: '#1f6fb4',
  restic: '#d9730d',
  borg: '#2a9d55'
}
/** For every other series (processes, variants, scales), in order; none is a tool's colour. */
const CYCLE = ['#3b8fd9', '#7b52c7', '#0f8b8d', '#b8336a', '#8c6d1f', '#5d5d5d', '#c49a00', '#1c3f6e']

/** The colour of each series of a chart: a tool's own, the others in turn from the cycle. */
export function coloursOf (names: readonly string[]): string[] {
  let next = 0
  return names.map((name) => FIXED[name] ?? CYCLE[next++ % CYCLE.length] as string)
}
