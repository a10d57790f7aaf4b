// What an options object held when it was resolved, to tell whether it still holds it: the
// instances of one configuration share one resolution (see resolveOptions).

/** An option value as held at resolution: arrays and plain objects copied one level deep. */
function heldValue(value: unknown): unknown {
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    return { ...(value as Record<string, unknown>) };
  return value;
}

function sameValue(held: unknown, value: unknown): boolean {
  if (held === value) return true;
  if (Array.isArray(held))
    return Array.isArray(value) && value.length === held.length && held.every((item, i) => item === value[i]);
  if (typeof held !== 'object' || held === null || typeof value !== 'object' || value === null) return false;
  const heldEntries = Object.entries(held);
  const entries = Object.entries(value);
  return (
    Object.getPrototypeOf(value) === Object.prototype &&
    entries.length === heldEntries.length &&
    heldEntries.every(([name, item], i) => entries[i]![0] === name && entries[i]![1] === item)
  );
}

/** The options as a flat list of names and held values, in their order. */
export function held(options: object): unknown[] {
  return Object.entries(options).flatMap(([name, value]) => [name, heldValue(value)]);
}

export function stillHeld(list: readonly unknown[], options: object): boolean {
  const entries = Object.entries(options);
  return (
    entries.length * 2 === list.length &&
    entries.every(([name, value], i) => list[2 * i] === name && sameValue(list[2 * i + 1], value))
  );
}
