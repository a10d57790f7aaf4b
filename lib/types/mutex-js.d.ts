// mutex-js ships no type declarations; this is its whole public surface (lib/index.js).
declare module 'mutex-js' {
  class Mutex {
    /** Runs `fn` once every earlier `lock` call has settled; settles with `fn`'s result. */
    lock<T>(fn: () => T | PromiseLike<T>): Promise<T>;
  }
  export = Mutex;
}
