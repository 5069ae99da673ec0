#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=2 --expose-gc --heap-growing-percent=100 --interrupt-budget=270336
// The `#!` line holds a site node's memory to what it uses (measured in bench/README.md, "Memory
// settings"). Started as `node resilien.js`, none of it applies; everything still works.
// - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (16 libuv threads, the seal
//   worker, LevelDB's) an arena of its own, and an arena keeps what was freed in it.
// - MALLOC_MMAP_THRESHOLD_=131072: blocks of 128 KiB and more (read buffers, packs, shards) are
//   mapped and unmapped on their own. Without a fixed value glibc raises the threshold after the
//   first freed block, and later 1-4 MiB buffers then fragment the heap, which rarely shrinks.
// - --max-semi-space-size=2 (MiB): V8's young generation grows to 2 x 16 MiB under a backup's
//   allocation rate by default; smaller, it is collected sooner, and the dead Buffers it holds
//   (each one owns memory outside the heap) with it.
// - --expose-gc: a job that drops large buffers (a restore's shards, a backup's parity) runs a
//   young-generation collection every 16 MiB dropped (@resilien/types, transient-memory.ts);
//   otherwise V8 lets about 64 MiB of them pile up per thread before it collects.
// - --heap-growing-percent=100: after a full collection V8 lets the old generation grow to twice
//   what survived before the next one. Its own factor moves between 1.1 and 4 with its measure
//   of the program's speed, and V8 counts every new Buffer against that room: a storage site
//   receiving shards (a few Buffers per 64 KiB frame, over a heap of ~17 MiB) got a full
//   collection every 4 MiB received, a quarter of its CPU, and a long backup got room for four
//   times its live heap. Fixed at 2, both are bounded.
// - --interrupt-budget=270336: V8 optimizes a function with TurboFan once it has run through
//   this much bytecode (three times); 4x Node 20's default. On 2 cores the compiler threads
//   compete with the backup itself: a first backup of 270 MB compiled ~390 functions, 0.7 s of
//   its 5.3 s of CPU, most of them never paying back. With the higher budget only the truly hot
//   ones are compiled: 0.5-1 s less CPU per first backup, and the same speed once warm.
//
// libuv's thread pool runs file reads, fsyncs, LevelDB and zstd/RS jobs. With its default of 4
// threads a few slow fsyncs (5-20 ms each) hold up the reads a backup waits for. The pool is
// sized when first used, and module loading may use it: so the size is set here, before the
// program is imported. An explicit UV_THREADPOOL_SIZE wins.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16'
await import('../dist/src/main.js')
