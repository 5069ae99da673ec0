/**
 * Which code a (k, m) stripe uses. For k <= 24 and 1 <= m <= 6 these are the parameters that
 * @ronomon/reed-solomon 6.0.0 found by search and compiled in (its PARAMETERS table): copying
 * them is what makes the portable code write the same parity bytes as the native one, so a
 * stripe written on one machine rebuilds on any other. They are data, not a choice of ours.
 */
export interface CodeParameters {
  /** Field GF(2^w); the native search picked the smallest w with the fewest XORs. */
  readonly w: number
  /** Primitive polynomial, low w bits (x^w implied). */
  readonly polynomial: number
  /** Cauchy matrix offsets (m >= 3): element (r, c) starts as 1 / ((y + r) xor (x + c)). */
  readonly x: number
  readonly y: number
  /** Ones in the parity bit matrix (XOR cost), as the search reported; a check, not an input. */
  readonly ones: number | undefined
}

/** Largest k and m the native library accepts (its MAX_K and MAX_M). */
export const NATIVE_MAX_K = 24
export const NATIVE_MAX_M = 6

/**
 * Beyond the native range (k > 24 or m > 6) the code is ours: GF(2^8) with the polynomial
 * x^8+x^4+x^3+x^2+1, and Cauchy offsets x = 0, y = k (disjoint, so every square submatrix is
 * invertible). It is built by the same steps as the native range, only with these parameters.
 */
const EXTENDED_W = 8
const EXTENDED_POLYNOMIAL = 29

/** [w, polynomial, x, y, ones] for k = 1..24 (rows) and m = 1..6 (columns); x = y = -1: unused. */
const NATIVE_PARAMETERS: ReadonlyArray<ReadonlyArray<readonly [number, number, number, number, number]>> = [
  [[2, 7, -1, -1, 2], [2, 7, -1, -1, 4], [2, 7, 0, 1, 6], [4, 19, 0, 1, 16], [4, 19, 0, 1, 20], [4, 19, 0, 1, 24]],
  [[2, 7, -1, -1, 4], [2, 7, -1, -1, 9], [4, 19, 0, 4, 28], [4, 19, 0, 5, 40], [4, 19, 2, 9, 51], [4, 19, 4, 10, 62]],
  [[2, 7, -1, -1, 6], [4, 19, -1, -1, 26], [4, 19, 0, 9, 44], [4, 19, 1, 8, 63], [4, 19, 1, 9, 82], [4, 19, 0, 9, 101]],
  [[4, 19, -1, -1, 16], [4, 19, -1, -1, 36], [4, 19, 0, 9, 63], [4, 19, 3, 11, 89], [4, 19, 3, 11, 116], [4, 19, 11, 4, 145]],
  [[4, 19, -1, -1, 20], [4, 19, -1, -1, 47], [4, 19, 4, 13, 82], [4, 19, 3, 12, 118], [4, 19, 0, 9, 152], [4, 19, 0, 9, 185]],
  [[4, 19, -1, -1, 24], [4, 19, -1, -1, 58], [4, 19, 2, 12, 102], [4, 19, 2, 12, 144], [4, 19, 0, 9, 186], [4, 19, 0, 9, 231]],
  [[4, 19, -1, -1, 28], [4, 19, -1, -1, 71], [4, 19, 1, 13, 123], [4, 19, 2, 12, 174], [4, 19, 0, 9, 226], [4, 19, 7, 0, 277]],
  [[4, 19, -1, -1, 32], [4, 19, -1, -1, 84], [4, 19, 2, 13, 142], [4, 19, 2, 12, 205], [4, 19, 0, 9, 265], [4, 19, 0, 8, 328]],
  [[4, 19, -1, -1, 36], [4, 19, -1, -1, 97], [4, 19, 1, 13, 162], [4, 19, 2, 12, 237], [4, 19, 0, 9, 308], [4, 19, 1, 10, 376]],
  [[4, 19, -1, -1, 40], [4, 19, -1, -1, 111], [4, 19, 1, 13, 186], [4, 19, 0, 12, 268], [4, 19, 0, 11, 347], [4, 19, 0, 10, 426]],
  [[4, 19, -1, -1, 44], [4, 19, -1, -1, 125], [4, 19, 0, 13, 211], [4, 19, 0, 12, 300], [4, 19, 0, 11, 390], [8, 135, 58, 188, 1401]],
  [[4, 19, -1, -1, 48], [4, 19, -1, -1, 139], [4, 19, 3, 0, 234], [4, 19, 0, 12, 334], [8, 113, 24, 208, 1269], [8, 135, 57, 188, 1577]],
  [[4, 19, -1, -1, 52], [4, 19, -1, -1, 155], [4, 19, 0, 13, 261], [8, 135, 59, 189, 1037], [8, 113, 27, 236, 1393], [8, 113, 27, 236, 1733]],
  [[4, 19, -1, -1, 56], [4, 19, -1, -1, 171], [8, 169, 4, 252, 777], [8, 135, 58, 189, 1121], [8, 135, 58, 189, 1508], [8, 135, 58, 188, 1880]],
  [[4, 19, -1, -1, 60], [8, 135, -1, -1, 353], [8, 113, 24, 209, 836], [8, 135, 58, 189, 1225], [8, 101, 28, 232, 1644], [8, 113, 120, 241, 2037]],
  [[8, 29, -1, -1, 128], [8, 135, -1, -1, 380], [8, 113, 22, 213, 901], [8, 113, 22, 212, 1324], [8, 101, 28, 232, 1765], [8, 101, 28, 232, 2195]],
  [[8, 29, -1, -1, 136], [8, 135, -1, -1, 407], [8, 113, 22, 213, 960], [8, 135, 58, 189, 1423], [8, 101, 27, 232, 1880], [8, 101, 27, 232, 2343]],
  [[8, 29, -1, -1, 144], [8, 135, -1, -1, 434], [8, 113, 24, 213, 1027], [8, 113, 22, 212, 1513], [8, 195, 8, 32, 2019], [8, 113, 205, 126, 2500]],
  [[8, 29, -1, -1, 152], [8, 135, -1, -1, 462], [8, 113, 22, 213, 1086], [8, 113, 23, 212, 1604], [8, 195, 7, 32, 2131], [8, 195, 3, 60, 2654]],
  [[8, 29, -1, -1, 160], [8, 135, -1, -1, 490], [8, 113, 22, 213, 1147], [8, 113, 22, 212, 1695], [8, 195, 4, 238, 2270], [8, 113, 21, 233, 2816]],
  [[8, 29, -1, -1, 168], [8, 135, -1, -1, 518], [8, 113, 21, 213, 1225], [8, 113, 21, 212, 1801], [8, 195, 3, 60, 2395], [8, 195, 3, 60, 2980]],
  [[8, 29, -1, -1, 176], [8, 135, -1, -1, 546], [8, 113, 20, 213, 1292], [8, 113, 21, 212, 1906], [8, 195, 35, 28, 2512], [8, 195, 3, 60, 3135]],
  [[8, 29, -1, -1, 184], [8, 135, -1, -1, 574], [8, 113, 19, 213, 1366], [8, 113, 19, 212, 2008], [8, 195, 3, 238, 2652], [8, 113, 205, 126, 3291]],
  [[8, 29, -1, -1, 192], [8, 135, -1, -1, 603], [8, 113, 18, 213, 1437], [8, 195, 125, 91, 2110], [8, 195, 3, 238, 2787], [8, 195, 42, 225, 3466]]
]

export function codeParameters (k: number, m: number): CodeParameters {
  const native = k <= NATIVE_MAX_K && m >= 1 && m <= NATIVE_MAX_M ? NATIVE_PARAMETERS[k - 1]?.[m - 1] : undefined
  if (native !== undefined) {
    const [w, polynomial, x, y, ones] = native
    return { w, polynomial, x, y, ones }
  }
  return { w: EXTENDED_W, polynomial: EXTENDED_POLYNOMIAL, x: 0, y: k, ones: undefined }
}

/** True when the native library can code this (k, m). */
export function nativeSupports (k: number, m: number): boolean {
  return k >= 1 && k <= NATIVE_MAX_K && m >= 1 && m <= NATIVE_MAX_M
}
