// Runs the arm64 Node under qemu-user inside the arm64 copy, its output shown as it comes and
// kept in a log. Child Node processes go through qemu as well (spawn-shim.cjs); the backend
// variables are cleared so that each package makes its own choice.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { LOGS, TREE } from './layout.mjs'

const BACKEND_VARIABLES = ['RESILIEN_BLAKE3', 'RESILIEN_ERASURE', 'RESILIEN_COMPRESSION']

function emulatedEnv ({ qemu, sysroot }) {
  const env = { ...process.env }
  for (const name of BACKEND_VARIABLES) delete env[name]
  const shim = join(TREE, 'scripts', 'arm64', 'spawn-shim.cjs')
  return {
    ...env,
    RESILIEN_ARM64_QEMU: qemu,
    RESILIEN_ARM64_SYSROOT: sysroot,
    NODE_OPTIONS: [`--require=${shim}`, env.NODE_OPTIONS ?? ''].join(' ').trim(),
    // Colour codes would only clutter the logs and the parsing of the test counts.
    NO_COLOR: '1'
  }
}

/**
 * Runs `node args...` as arm64 with cwd in the copy; resolves to { status, output, seconds }.
 * `quiet` keeps the output in the log only.
 */
export function runEmulated (toolchain, args, logName, { quiet = false } = {}) {
  mkdirSync(LOGS, { recursive: true })
  const log = createWriteStream(join(LOGS, logName))
  const started = process.hrtime.bigint()
  const child = spawn(toolchain.qemu, ['-L', toolchain.sysroot, toolchain.node, ...args], {
    cwd: TREE, env: emulatedEnv(toolchain), stdio: ['ignore', 'pipe', 'pipe']
  })
  const chunks = []
  const collect = (stream, terminal) => stream.on('data', (data) => {
    chunks.push(data)
    log.write(data)
    if (!quiet) terminal.write(data)
  })
  collect(child.stdout, process.stdout)
  collect(child.stderr, process.stderr)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (status, signal) => {
      log.end()
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      resolve({ status: status ?? signal, output: Buffer.concat(chunks).toString('utf8'), seconds })
    })
  })
}
