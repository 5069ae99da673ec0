/**
 * GF(2^w) for w in {2, 4, 8}, built from a primitive polynomial the way @ronomon/reed-solomon
 * builds it: `polynomial` holds the low w bits (x^w is implied), so 29 is x^8+x^4+x^3+x^2+1 and
 * 19 is x^4+x+1. Elements are numbers 0..2^w-1 in the polynomial basis.
 */
export class GaloisField {
  readonly w: number
  readonly polynomial: number
  /** 2^w: the number of elements. */
  readonly size: number
  private readonly logTable: Int32Array
  /** Doubled so that a sum of two logarithms needs no modulo. */
  private readonly expTable: Uint8Array
  /** Ones in the w x w bit matrix of multiplication by each element (its XOR cost). */
  readonly bitCost: Int32Array

  constructor (w: number, polynomial: number) {
    this.w = w
    this.polynomial = polynomial
    this.size = 1 << w
    const order = this.size - 1
    this.logTable = new Int32Array(this.size).fill(-1)
    this.expTable = new Uint8Array(2 * order)
    let x = 1
    for (let i = 0; i < order; i++) {
      if (this.logTable[x] !== -1) throw new Error(`polynomial ${polynomial} is not primitive in GF(2^${w})`)
      this.logTable[x] = i
      this.expTable[i] = x
      this.expTable[i + order] = x
      x <<= 1
      if ((x & this.size) !== 0) x = (x ^ polynomial) & order
    }
    this.bitCost = new Int32Array(this.size)
    for (let a = 0; a < this.size; a++) {
      let ones = 0
      for (let p = 0; p < w; p++) ones += popcount(this.mul(a, 1 << p))
      this.bitCost[a] = ones
    }
  }

  mul (a: number, b: number): number {
    if (a === 0 || b === 0) return 0
    return this.expTable[(this.logTable[a] as number) + (this.logTable[b] as number)] as number
  }

  div (a: number, b: number): number {
    if (b === 0) throw new RangeError('division by zero in GF(2^w)')
    if (a === 0) return 0
    const order = this.size - 1
    return this.expTable[(this.logTable[a] as number) - (this.logTable[b] as number) + order] as number
  }

  inv (a: number): number {
    return this.div(1, a)
  }
}

function popcount (x: number): number {
  let n = 0
  for (let v = x; v !== 0; v &= v - 1) n++
  return n
}

const fields = new Map<number, GaloisField>()

/** One shared instance per (w, polynomial): the tables are immutable. */
export function galoisField (w: number, polynomial: number): GaloisField {
  const key = (w << 16) | polynomial
  let field = fields.get(key)
  if (field === undefined) {
    field = new GaloisField(w, polynomial)
    fields.set(key, field)
  }
  return field
}
