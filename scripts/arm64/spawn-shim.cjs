'use strict'
// Preloaded (NODE_OPTIONS=--require) into every arm64 Node that runs under qemu-user. Without a
// binfmt_misc entry the host kernel cannot execute an arm64 binary, so a child that runs
// `process.execPath` (node --test's per-file processes, tests that spawn a fresh Node, the bench
// starting a Node under GNU time) would fail with ENOEXEC; here the Node binary is started
// through qemu instead, wherever it appears as a word of the command. Other commands are untouched.
const childProcess = require('node:child_process')
const { syncBuiltinESMExports } = require('node:module')

const qemu = process.env.RESILIEN_ARM64_QEMU
const sysroot = process.env.RESILIEN_ARM64_SYSROOT
const node = process.execPath

/** The words of a command with each `node` replaced by `qemu -L sysroot node`. */
function throughQemu (words) {
  return words.flatMap((word) => (word === node ? [qemu, '-L', sysroot, node] : [word]))
}

if (qemu !== undefined && sysroot !== undefined) {
  // spawn, fork, exec and execFile all end in ChildProcess#spawn with the normalized options:
  // `file` is the program and `args` its argv, argv[0] included.
  const { ChildProcess } = childProcess
  const spawn = ChildProcess.prototype.spawn
  ChildProcess.prototype.spawn = function (options) {
    if (options !== null && typeof options === 'object' && Array.isArray(options.args) && (options.file === node || options.args.includes(node))) {
      const words = throughQemu([options.file, ...options.args.slice(1)])
      options = { ...options, file: words[0], args: [words[0], ...words.slice(1)] }
    }
    return spawn.call(this, options)
  }

  // The synchronous variants go straight to an internal binding, so their exports are wrapped.
  for (const name of ['spawnSync', 'execFileSync']) {
    const original = childProcess[name]
    childProcess[name] = function (file, args, options) {
      const argv = Array.isArray(args) ? args : []
      if (file !== node && !argv.includes(node)) return original.call(this, file, args, options)
      const [program, ...rest] = throughQemu([file, ...argv])
      return Array.isArray(args) ? original.call(this, program, rest, options) : original.call(this, program, rest, args)
    }
  }
  // ESM `import { spawnSync } from 'node:child_process'` sees the wrapped exports too.
  syncBuiltinESMExports()
}
