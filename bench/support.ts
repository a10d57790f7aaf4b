import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';

/**
 * An axios adapter that answers every request at once with an empty 200, so a benchmark measures
 * axios and its interceptors, not a network. A plain function rather than axios-mock-adapter: on
 * every request that one searches its handlers, copies the headers and keeps the config in its
 * history, cost and garbage (one kept config per request) that have nothing to do with the plugin.
 */
export const instantAdapter: AxiosAdapter = (config) =>
  Promise.resolve({ data: '', status: 200, statusText: 'OK', headers: {}, config, request: {} });

/** A token response body (RFC 6749 §5.1) for `accessToken`, valid for `expiresIn` seconds. */
export function tokenResponseBody(accessToken: string, expiresIn = 3600): string {
  return JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
}

/**
 * An axios adapter for a `tokenClient` that answers every token request in memory with a fresh
 * token. `exchanges()` tells how many it answered.
 */
export function inMemoryTokenEndpoint(): { adapter: AxiosAdapter; exchanges: () => number } {
  let count = 0;
  const adapter: AxiosAdapter = (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    count += 1;
    return Promise.resolve({
      data: tokenResponseBody(`bench-token-${count}`),
      status: 200,
      statusText: 'OK',
      headers: { 'content-type': 'application/json' },
      config,
      request: {},
    });
  };
  return { adapter, exchanges: () => count };
}

/** A token endpoint on a real loopback socket. */
export interface TokenServer {
  /** The token URL, `http://127.0.0.1:<port>/token`. */
  tokenUrl: string;
  /** Token requests received so far. */
  exchanges(): number;
  /** The access tokens issued so far, in order. */
  issued(): readonly string[];
  /** When an issued token expires, in epoch milliseconds (`undefined` for a token never issued). */
  expiresAt(accessToken: string): number | undefined;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

/**
 * Starts a node:http token endpoint on 127.0.0.1 with an ephemeral port. Each answer is held back
 * `delayMs` milliseconds, the time a real authorization server takes, which is when a burst piles
 * up behind the exchange.
 */
export async function startTokenServer(options: { delayMs: number; expiresIn?: number }): Promise<TokenServer> {
  const issued: string[] = [];
  const expiry = new Map<string, number>();
  const expiresIn = options.expiresIn ?? 3600;
  const server: Server = createServer((req, res) => {
    // The body is drained but not checked: counting exchanges is the point here.
    req.resume();
    req.on('end', () => {
      const accessToken = `loopback-token-${issued.length + 1}`;
      issued.push(accessToken);
      expiry.set(accessToken, Date.now() + expiresIn * 1000);
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(tokenResponseBody(accessToken, expiresIn));
      }, options.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    exchanges: () => issued.length,
    issued: () => issued,
    expiresAt: (accessToken) => expiry.get(accessToken),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The median of `values` (not sorted in place). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Elapsed time since `start` (from `process.hrtime.bigint()`), in microseconds. */
export function microsecondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

/**
 * Runs every contender `rounds` times, `run(contender)` once per round each, in a shuffled order
 * per round (seeded, so every run of a script uses the same orders): drift from noisy neighbours
 * and any effect of what ran just before fall on every contender alike. Answers each contender's
 * figures, one per round, in round order so that rounds can be paired.
 *
 * Many short rounds pair better than a few long ones: a burst from a neighbour rarely outlasts a
 * round of every contender. No garbage is collected by force between rounds: a full `gc()` before
 * every round made the rounds slower and far noisier here (a copy of the baseline came out up to
 * 7% off), probably because it throws away warm state that each round then rebuilds.
 */
export async function interleavedRounds<T>(
  contenders: readonly T[],
  rounds: number,
  run: (contender: T) => Promise<number>,
): Promise<number[][]> {
  const figures = contenders.map(() => [] as number[]);
  let seed = 0x2545f491;
  const random = (): number => {
    // xorshift32: small, seeded, good enough to shuffle a handful of items.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const order = contenders.map((_, index) => index);
  for (let round = 0; round < rounds; round += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) figures[index]!.push(await run(contenders[index]!));
  }
  return figures;
}

/** The median of the per-round ratios `figures[round] / reference[round]`. */
export function medianPairedRatio(figures: readonly number[], reference: readonly number[]): number {
  return median(figures.map((value, round) => value / reference[round]!));
}
