/**
 * Slots of shared memory in which a file worker leaves sealed chunks for the main thread. A
 * buffer posted to another thread, even transferred, is new external memory there, and V8 answers
 * its growth with full mark-compact collections (a 1 GiB backup sent ~1000 such buffers to the
 * main thread); a slot is written, read and freed, and nothing is allocated. A slot is free (0)
 * or taken (1): the worker takes one with compare-and-exchange, the main thread frees it after
 * copying the chunks into a pack. With no free slot, or a batch too large for one, the worker
 * posts a buffer of its own as before.
 */

/** Slots per worker: one per file in flight (backup reads FILES_IN_FLIGHT = 4 at once); a file has at most one batch of sealed chunks outstanding. */
export const SEAL_SLOTS_PER_WORKER = 4
/**
 * Bytes of a slot: one batch of sealed chunks. A batch is SAVE_BATCH_BYTES (1 MiB) of chunks
 * plus at most one chunk (512 KiB with the default chunker), each grown by at most its frame
 * and seal overhead: ~1.53 MiB. Batches of repositories with larger chunks travel as buffers.
 */
export const SEAL_SLOT_BYTES = 2 * 1024 * 1024

const FREE = 0
const TAKEN = 1

/** What a worker needs to open the same arena (structured-cloned: the memory is shared, not copied). */
export interface SealArenaShare {
  bytes: SharedArrayBuffer
  states: SharedArrayBuffer
  slotBytes: number
}

export class SealArena {
  private readonly states: Int32Array

  private constructor (readonly share: SealArenaShare) {
    this.states = new Int32Array(share.states)
  }

  static create (slots: number = SEAL_SLOTS_PER_WORKER, slotBytes: number = SEAL_SLOT_BYTES): SealArena {
    // Fresh zeroed memory: on Linux its pages become resident only as slots are first written.
    return new SealArena({ bytes: new SharedArrayBuffer(slots * slotBytes), states: new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT), slotBytes })
  }

  static open (share: SealArenaShare): SealArena {
    return new SealArena(share)
  }

  get slots (): number {
    return this.states.length
  }

  /** A free slot, now taken by the caller; undefined when all are taken. */
  take (): number | undefined {
    for (let i = 0; i < this.states.length; i++) {
      if (Atomics.compareExchange(this.states, i, FREE, TAKEN) === FREE) return i
    }
    return undefined
  }

  /** The first `length` bytes of a slot (all of it by default). */
  view (slot: number, length: number = this.share.slotBytes): Uint8Array {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.states.length || length > this.share.slotBytes) throw new RangeError(`no slot ${slot} of ${length} bytes in the seal arena`)
    return new Uint8Array(this.share.bytes, slot * this.share.slotBytes, length)
  }

  /** Gives a slot back; its bytes may be overwritten at once. */
  free (slot: number): void {
    Atomics.store(this.states, slot, FREE)
  }

  /** Slots taken now. */
  get taken (): number {
    let n = 0
    for (let i = 0; i < this.states.length; i++) if (Atomics.load(this.states, i) === TAKEN) n++
    return n
  }
}
