// Which implementation each fast path must use on linux-arm64 (glibc), and why. A native path
// is expected where an arm64 binary is published; elsewhere the fallback must take over.

/** node:zlib has zstd from Node 22.15 and 23.8 on. */
function nodeHasZstd (version) {
  const [major, minor] = version.split('.').map(Number)
  return major > 23 || (major === 23 && minor >= 8) || (major === 22 && minor >= 15)
}

/** The expected state of each path for an arm64 Node of `nodeVersion`. */
export function expectedPaths (nodeVersion) {
  const zstd = nodeHasZstd(nodeVersion)
  return {
    blake3: {
      expect: 'native',
      why: '@napi-rs/blake-hash-linux-arm64-gnu is published at the locked version (1.3.4)'
    },
    leveldb: {
      expect: 'native',
      why: 'classic-level ships prebuilds/linux-arm64; there is no fallback, the store needs it'
    },
    erasure: {
      expect: 'portable',
      why: '@ronomon/reed-solomon compiles at install; the copy holds the host\'s x64 binding.node, which must be refused'
    },
    compression: {
      expect: zstd ? 'native' : 'wasm',
      why: zstd ? `node:zlib of Node ${nodeVersion} has zstd` : `node:zlib of Node ${nodeVersion} has no zstd (22.15+)`
    },
    'chacha20-poly1305': {
      expect: 'native',
      why: 'node:crypto (OpenSSL built into Node)'
    }
  }
}

/** One row per path: expected, active, whether both match and the output is correct. */
export function judge (probe) {
  const expected = expectedPaths(probe.node)
  return Object.entries(expected).map(([path, { expect, why }]) => {
    const found = probe.paths[path] ?? { active: 'not probed', detail: '', correct: false }
    return { path, expect, why, ...found, ok: found.active === expect && found.correct === true }
  })
}

/** The bench report's `machine.activePaths` against the same expectations; a list of mismatches. */
export function judgeBenchPaths (activePaths, nodeVersion) {
  const expected = expectedPaths(nodeVersion)
  const mismatches = []
  for (const path of ['blake3', 'erasure', 'compression']) {
    const value = activePaths[path] ?? ''
    // blake3 is reported with its libraries: "native (@napi-rs/blake-hash 1.3.4; ...)".
    if (value.split(' ')[0] !== expected[path].expect) mismatches.push(`${path}=${value}, expected ${expected[path].expect}`)
  }
  return mismatches
}
