/**
 * The one place where Node 20's gaps are closed. libp2p 3 calls `Promise.withResolvers`
 * (Node 22+); without it every dial fails inside the Noise handshake. Every entry point
 * (node, cli, bench, tests that start libp2p) imports this module before anything else.
 */

export interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

declare global {
  interface PromiseConstructor {
    /** ES2024; polyfilled below on Node 20. */
    withResolvers<T>(): Resolvers<T>
  }
}

const nativeWithResolvers = typeof (Promise as Partial<PromiseConstructor>).withResolvers === 'function'

if (!nativeWithResolvers) {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T> (this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve']
      let reject!: Resolvers<T>['reject']
      // `this` keeps subclass semantics, as the specification does.
      const promise = new this<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}

/** True when this process needed the polyfill (reported by the bench and `status`). */
export const polyfilledWithResolvers: boolean = !nativeWithResolvers
