/** Whether `value` is a promise or another thenable: a store may answer either way (`TokenStore`). */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
