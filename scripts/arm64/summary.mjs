// The closing report of an arm64 run: each fast path and its state, the arm64 packages, the
// tests, the bench, and where the time went.

function packageLine (action) {
  const files = action.files === undefined ? '' : ` (${action.files.join(', ') || 'no binary'})`
  const kind = { fetched: 'fetched', removed: 'removed', prebuilt: 'prebuilt linux-arm64', 'host-build': 'compiled at install, host build kept' }[action.kind]
  return `    ${kind}: ${action.name} ${action.version}${files}`
}

function seconds (s) {
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`
}

export function formatSummary (run) {
  const lines = [`arm64 emulation summary: ${run.toolchain}`, '  fast paths (expected -> active):']
  for (const r of run.paths ?? []) {
    const why = r.nativeError === undefined || r.active === 'native' ? '' : `; native refused: ${r.nativeError}`
    lines.push(`    ${r.ok ? 'ok      ' : 'MISMATCH'} ${r.path.padEnd(18)} ${r.expect.padEnd(9)}-> ${r.active.padEnd(9)} ` +
      `${r.correct ? '' : '[WRONG OUTPUT] '}${r.detail}${why}`)
  }
  if (run.paths === undefined) lines.push('    not probed')
  lines.push('  arm64 packages in the copy:', ...run.actions.map(packageLine))
  if (run.tests === undefined) lines.push('  unit tests: not run')
  else if (run.tests.counts === undefined) lines.push(`  unit tests (${run.tests.filters.join(' ')}): no closing counts, exit ${run.tests.status}`)
  else {
    const { counts: c, failed, unexpected } = run.tests
    lines.push(`  unit tests (${run.tests.filters.join(' ')}): ${c.pass} passed, ${c.fail} failed, ${c.skipped} skipped` +
      `${c.cancelled > 0 ? `, ${c.cancelled} cancelled` : ''} of ${c.tests}, exit ${run.tests.status}`)
    const timing = failed.filter((name) => !unexpected.includes(name))
    if (timing.length > 0) lines.push(`    failed on speed only (emulated timing means nothing): ${timing.join('; ')}`)
    if (unexpected.length > 0) lines.push(`    FAILED: ${unexpected.join('; ')}`)
  }
  if (run.bench === undefined) lines.push('  bench stages --quick: not run')
  else {
    const paths = Object.entries(run.bench.activePaths ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')
    lines.push(`  bench stages --quick: exit ${run.bench.status}, ${run.bench.stages} stages measured; active paths ${paths}` +
      (run.bench.mismatches.length === 0 ? ' (as expected)' : `; MISMATCH: ${run.bench.mismatches.join('; ')}`))
  }
  const total = run.steps.reduce((sum, s) => sum + s.seconds, 0)
  lines.push(`  time: ${run.steps.map((s) => `${s.name} ${seconds(s.seconds)}`).join(', ')}; total ${seconds(total)}`)
  lines.push(`  result: ${run.passed ? 'PASS' : 'FAIL'}`)
  return lines.join('\n')
}
