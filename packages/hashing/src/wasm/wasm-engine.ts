import { createBLAKE3 } from './hash-wasm-blake3.js'
import type { IHasher } from 'hash-wasm'
import { OUT_LENGTH } from '../constants.js'
import type { Hasher } from '../types.js'
import { rootOutputFromState, STATE_LAYOUT, STATE_TAG_LENGTH, writeInitialState } from './state-layout.js'

/**
 * hash-wasm's BLAKE3 driven through saved states, so that any key, mode and output length is
 * served synchronously by two WASM instances created once (creating one is async).
 */
export class WasmEngine {
  /** Unkeyed state right after init: the template every initial state is written over. */
  private readonly template: Uint8Array
  /** Reused for one-shot calls: `load` copies it into WASM memory. */
  private readonly scratch: Uint8Array
  /** The streaming hasher whose state is live in `stream`, if any. */
  private resident: WasmStreamHasher | undefined

  private constructor (private readonly oneShot: IHasher, private readonly stream: IHasher) {
    oneShot.init()
    this.template = oneShot.save()
    this.scratch = this.template.slice()
  }

  static async create (): Promise<WasmEngine> {
    const engine = new WasmEngine(await createBLAKE3(), await createBLAKE3())
    if (engine.template.byteLength !== STATE_TAG_LENGTH + STATE_LAYOUT.size) {
      throw new Error(`hash-wasm's BLAKE3 state is ${engine.template.byteLength} bytes, expected ${STATE_TAG_LENGTH + STATE_LAYOUT.size}`)
    }
    return engine
  }

  /** A copy of the initial state of a mode; unkeyed when `key` is undefined. */
  private initialState (key: Uint8Array | undefined, flags: number): Uint8Array {
    const state = this.template.slice()
    if (key !== undefined) writeInitialState(state, key, flags)
    return state
  }

  /** One-shot hash from an initial state (`key`, `flags`) or the unkeyed one. */
  hashOnce (key: Uint8Array | undefined, flags: number, data: Uint8Array, outLength: number): Uint8Array {
    const h = this.oneShot
    if (key === undefined) {
      h.init()
    } else {
      writeInitialState(this.scratch, key, flags)
      h.load(this.scratch)
    }
    h.update(data)
    if (outLength <= OUT_LENGTH) {
      const digest = h.digest('binary')
      return outLength === OUT_LENGTH ? digest : digest.subarray(0, outLength)
    }
    return rootOutputFromState(h.save()).rootBytes(outLength)
  }

  createHasher (key: Uint8Array | undefined, flags: number): Hasher {
    return new WasmStreamHasher(this, this.initialState(key, flags))
  }

  /** Makes `hasher`'s state the live one, parking the previous owner's. */
  makeResident (hasher: WasmStreamHasher): IHasher {
    if (this.resident !== hasher) {
      if (this.resident !== undefined) this.resident.parked = this.stream.save()
      this.stream.load(hasher.parked)
      this.resident = hasher
    }
    return this.stream
  }

  /** The current state of `hasher`, wherever it is. */
  stateOf (hasher: WasmStreamHasher): Uint8Array {
    return this.resident === hasher ? this.stream.save() : hasher.parked
  }
}

/**
 * A streaming hasher sharing one WASM instance with all others: its state stays live while it
 * is the one being fed, and is parked in `parked` when another takes the instance.
 */
class WasmStreamHasher implements Hasher {
  constructor (private readonly engine: WasmEngine, public parked: Uint8Array) {}

  update (data: Uint8Array): this {
    this.engine.makeResident(this).update(data)
    return this
  }

  digest (outLength = OUT_LENGTH): Uint8Array {
    return rootOutputFromState(this.engine.stateOf(this)).rootBytes(outLength)
  }
}
