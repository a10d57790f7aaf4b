/**
 * 10,000 concurrent calls on a cold cache make one token exchange.
 *
 * The token endpoint is a real node:http server on loopback that answers after 50 ms, so the whole
 * burst piles up behind one exchange the way it would against a real authorization server. The
 * API is an in-memory adapter: the claim is about the token endpoint, and 10,000 real sockets to
 * an API on a 2-core machine would measure file descriptor limits and axios' http adapter instead.
 * The adapter also checks that every call carried the token the server issued.
 *
 * A figure, not a test: it exits 0 whatever it counts, and prints UNEXPECTED when a count is off.
 *
 * Run: npx tsx bench/cold-burst.ts
 */
import axios, { type AxiosAdapter } from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../lib';
import { microsecondsSince, startTokenServer } from './support';

const CALLS = 10_000;
const TOKEN_ENDPOINT_DELAY_MS = 50;

interface BurstResult {
  succeeded: number;
  failed: number;
  elapsedMs: number;
  firstFailure: unknown;
}

async function burst(send: () => Promise<unknown>): Promise<BurstResult> {
  const start = process.hrtime.bigint();
  const outcomes = await Promise.allSettled(Array.from({ length: CALLS }, send));
  const elapsedMs = microsecondsSince(start) / 1000;
  const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
  return {
    succeeded: outcomes.length - failures.length,
    failed: failures.length,
    elapsedMs,
    firstFailure: failures[0]?.reason,
  };
}

async function main(): Promise<void> {
  const server = await startTokenServer({ delayMs: TOKEN_ENDPOINT_DELAY_MS });
  try {
    const seenAuthorization = new Map<string, number>();
    const apiAdapter: AxiosAdapter = (config) => {
      const value = String(config.headers.get('Authorization') ?? '(none)');
      seenAuthorization.set(value, (seenAuthorization.get(value) ?? 0) + 1);
      return Promise.resolve({ data: '', status: 200, statusText: 'OK', headers: {}, config, request: {} });
    };
    const api = axios.create({ baseURL: 'https://api.example.com', adapter: apiAdapter });
    installClientCredentials(api, {
      tokenUrl: server.tokenUrl,
      clientId: 'bench-client',
      clientSecret: 'bench-secret',
      store: new MemoryTokenStore(),
    });

    const cold = await burst(() => api.get('/x'));
    const coldExchanges = server.exchanges();
    const warm = await burst(() => api.get('/x'));
    const warmExchanges = server.exchanges() - coldExchanges;

    const expectedHeader = `Bearer ${server.issued()[0] ?? '(no token issued)'}`;
    const withIssuedToken = seenAuthorization.get(expectedHeader) ?? 0;
    const unexpected = coldExchanges !== 1 || warmExchanges !== 0 || withIssuedToken !== 2 * CALLS;

    console.log('axios-client-credentials: cold burst through one shared token exchange');
    console.log(
      `node ${process.version}; token endpoint: node:http on 127.0.0.1, answers after ${TOKEN_ENDPOINT_DELAY_MS} ms; API: in-memory adapter`,
    );
    console.log('');
    console.log(
      `  TOKEN EXCHANGES (cold burst): ${coldExchanges}${coldExchanges === 1 ? '' : '   UNEXPECTED, expected 1'}`,
    );
    console.log('');
    const rows: Array<[string, BurstResult, number]> = [
      ['cold cache', cold, coldExchanges],
      ['warm cache, right after', warm, warmExchanges],
    ];
    console.log(
      `  ${'burst'.padEnd(24)}  ${'calls'.padStart(6)}  ${'succeeded'.padStart(9)}  ${'failed'.padStart(6)}  ${'exchanges'.padStart(9)}  ${'elapsed ms'.padStart(10)}`,
    );
    for (const [name, result, exchanges] of rows) {
      console.log(
        `  ${name.padEnd(24)}  ${String(CALLS).padStart(6)}  ${String(result.succeeded).padStart(9)}  ${String(result.failed).padStart(6)}  ${String(exchanges).padStart(9)}  ${result.elapsedMs.toFixed(1).padStart(10)}`,
      );
    }
    console.log('');
    console.log(`  calls that carried the issued token: ${withIssuedToken} of ${2 * CALLS}`);
    const firstFailure = cold.firstFailure ?? warm.firstFailure;
    if (firstFailure !== undefined) console.log(`  first failure: ${String(firstFailure)}`);
    if (unexpected) {
      const tally = [...seenAuthorization].map(([value, count]) => `${value.slice(0, 40)} × ${count}`).join(', ');
      console.log(`  UNEXPECTED: Authorization headers seen: ${tally}`);
    }
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
