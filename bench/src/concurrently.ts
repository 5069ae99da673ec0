/** Runs `work(i)` for every i in [0, count), at most `concurrency` at a time, in index order. */
export async function forEachConcurrently (count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) await work(i)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker))
}
