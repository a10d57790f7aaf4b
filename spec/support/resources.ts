// Handles left open, for spec/soak.spec.ts and bench/soak.ts (no jest globals here).

/** The active resources now that were not active in `before` (as multisets of type names). */
export function leftOpen(before: readonly string[]): string[] {
  const remaining = [...before];
  return process.getActiveResourcesInfo().filter((type) => {
    const at = remaining.indexOf(type);
    if (at === -1) return true;
    remaining.splice(at, 1);
    return false;
  });
}
