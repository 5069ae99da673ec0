#!/usr/bin/env node
// libuv's thread pool runs file reads, fsyncs, LevelDB and zstd/RS jobs. With its default of 4
// threads a few slow fsyncs (5-20 ms each) hold up the reads a backup waits for. The pool is
// sized when first used, and module loading may use it: so the size is set here, before the
// program is imported. An explicit UV_THREADPOOL_SIZE wins.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16'
await import('../dist/src/main.js')
