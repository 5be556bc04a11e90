/**
 * A value built from a module that is loaded on first need through `import()`, so esbuild puts the
 * module (an AWS SDK client package and its callers) in a chunk of its own and the init phase neither
 * reads nor compiles it. `load()` starts the import once; `current` is the value once loaded — the
 * synchronous read of the request path, after a configuration's preparation has loaded what it uses.
 * A failed load is forgotten, so the next call tries again.
 */
export interface OnDemand<T> {
  load(): Promise<T>;
  readonly current: T | undefined;
}

/**
 * @example
 * const resolver = onDemand(async () => (await import('./sagemaker.ts')).sagemakerResolver(client));
 * await resolver.load(); // while preparing a configuration that has a sagemaker variation
 * resolver.current?.(request);
 */
export function onDemand<T>(build: () => Promise<T>): OnDemand<T> {
  let loading: Promise<T> | undefined;
  let current: T | undefined;
  return {
    load() {
      loading ??= build().then(
        (value) => {
          current = value;
          return value;
        },
        (err: unknown) => {
          loading = undefined;
          throw err;
        },
      );
      return loading;
    },
    get current() {
      return current;
    },
  };
}

/** An async function whose implementation loads on demand, and `load()` to get it ready ahead. */
export type OnDemandCall<A extends unknown[], R> = ((...args: A) => Promise<R>) & { load(): Promise<void> };

/**
 * A function that loads its implementation at `load()` or at its first call; once loaded, calls go
 * straight to it (no `import()`, no extra promise per call).
 *
 * @example
 * const invoke = onDemandCall(async () => (await import('./lambda-function.ts')).functionInvoker(client));
 * await invoke.load(); // preparing a configuration that uses it
 * await invoke(arn, payload, signal);
 */
export function onDemandCall<A extends unknown[], R>(
  build: () => Promise<(...args: A) => Promise<R>>,
): OnDemandCall<A, R> {
  const implementation = onDemand(build);
  const call = (...args: A): Promise<R> => {
    const loaded = implementation.current;
    return loaded ? loaded(...args) : implementation.load().then((fn) => fn(...args));
  };
  return Object.assign(call, {
    load: async () => {
      await implementation.load();
    },
  });
}
