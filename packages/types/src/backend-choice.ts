import { InvalidInputError, ResilienError } from './errors.js'

/** What loading one backend gave: the backend, or why there is none here. */
export interface BackendLoad<B> {
  readonly backend?: B
  readonly error?: unknown
}

/** A backend as its loader makes it, with one line naming the library behind it. */
export interface DescribedBackend<B> {
  backend: B
  description: string
}

/** The backend a process runs with, and whether the environment variable chose it. */
export interface ChosenBackend<B> {
  backend: B
  forced: boolean
}

function reason (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Interchangeable implementations of one job (BLAKE3, zstd), in the order of preference `names`
 * gives (native first, WebAssembly after, in both users). Each is loaded at most once per
 * process, and a failure (a throw or a rejection of the loader) is kept as its reason instead of
 * thrown, so that tests and benches can list what loads here. `choose`
 * takes the one an environment variable names, and fails when that one does not load (a forced
 * choice that fell back quietly would test or measure another library), else the first that
 * loads.
 */
export class BackendChoice<Name extends string, B extends { readonly name: Name }> {
  readonly #loads = new Map<Name, Promise<BackendLoad<B>>>()
  readonly #descriptions = new WeakMap<B, string>()

  /** `what` names the job in messages ("BLAKE3", "zstd"). */
  constructor (readonly what: string, readonly names: readonly Name[], private readonly loader: (name: Name) => Promise<DescribedBackend<B>>) {}

  isName (value: string): value is Name {
    return (this.names as readonly string[]).includes(value)
  }

  /** Loads a backend once per process; a failure is kept as the reason, not thrown. */
  async result (name: Name): Promise<BackendLoad<B>> {
    let load = this.#loads.get(name)
    if (load === undefined) {
      // Through a promise, so that a loader that throws before it returns one is kept as well.
      load = Promise.resolve(name).then(this.loader).then(({ backend, description }) => {
        this.#descriptions.set(backend, description)
        return { backend }
      }, (error: unknown) => ({ error }))
      this.#loads.set(name, load)
    }
    return await load
  }

  /** A specific backend (for tests and benchmarks), or undefined when it does not load here. */
  async load (name: Name): Promise<B | undefined> {
    if (!this.isName(name)) throw new InvalidInputError(`unknown ${this.what} backend ${String(name)}`)
    return (await this.result(name)).backend
  }

  /** The backends that load on this machine, preferred first. */
  async available (): Promise<Name[]> {
    const names: Name[] = []
    for (const name of this.names) {
      if ((await this.result(name)).backend !== undefined) names.push(name)
    }
    return names
  }

  /** One line naming the backend and the libraries behind it. */
  describe (backend: B): string {
    return this.#descriptions.get(backend) ?? backend.name
  }

  /** The backend `variable` names in `env` when set, else the first that loads. */
  async choose (variable: string, env: NodeJS.ProcessEnv = process.env): Promise<ChosenBackend<B>> {
    const forced = env[variable]
    if (forced !== undefined && forced !== '') {
      if (!this.isName(forced)) throw new InvalidInputError(`${variable}=${forced}: expected one of ${this.names.join(', ')}`)
      const { backend, error } = await this.result(forced)
      if (backend === undefined) {
        throw new ResilienError(`${variable}=${forced}, but the ${forced} ${this.what} backend does not load here: ${reason(error)}`, { cause: error })
      }
      return { backend, forced: true }
    }
    const failures: string[] = []
    for (const name of this.names) {
      const { backend, error } = await this.result(name)
      if (backend !== undefined) return { backend, forced: false }
      failures.push(`${name}: ${reason(error)}`)
    }
    throw new ResilienError(`no ${this.what} backend loads here (${failures.join('; ')})`)
  }
}
