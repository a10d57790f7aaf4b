// Types for npm-ci-fallback.cjs, for its spec (the script itself is plain CommonJS: it runs before
// npm ci has installed TypeScript).
export interface Platform {
  os: string;
  cpu: string;
  libc: string | undefined;
}
export interface Decision {
  fallBack: boolean;
  reasons: string[];
}
export function currentPlatform(): Platform;
export function allows(value: string | undefined, list: unknown): boolean;
export function decide(input: {
  log: string;
  lockfile: { packages?: Record<string, unknown> };
  platform?: Platform;
}): Decision;
