/**
 * Equal-sized byte blocks handed out and taken back, so a steady stream of packs or reads reuses
 * a few blocks instead of allocating a new one each time. Fresh ArrayBuffers count as external
 * memory, and V8 answers their growth with full mark-compact collections: measured on a 1 GiB
 * backup, one new pack buffer per pack cost ~100 of them. At most `maxSpare` idle blocks are
 * kept (the pool's byte budget is maxSpare x blockBytes); more taken at once are allocated and
 * dropped when given back, so the pool bounds what it retains, never what is in use.
 */
export class BufferPool {
  private readonly spare: Uint8Array[] = []

  constructor (readonly blockBytes: number, readonly maxSpare: number) {}

  /** A block of blockBytes with stale contents: the caller writes before it reads. */
  take (): Uint8Array {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.blockBytes)
  }

  /** Gives a block back; the caller must not touch it afterwards. Blocks of another size are dropped. */
  give (block: Uint8Array): void {
    if (block.byteLength !== this.blockBytes || block.byteOffset !== 0 || this.spare.length >= this.maxSpare) return
    if (this.spare.includes(block)) return
    this.spare.push(block)
  }

  /** Lets go of every idle block (a job is over: they are not worth keeping until the next one). */
  clear (): void {
    this.spare.length = 0
  }

  /** Idle blocks held now. */
  get spareCount (): number {
    return this.spare.length
  }
}
