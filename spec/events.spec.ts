import { spawn } from 'node:child_process';
import * as path from 'node:path';
import axios from 'axios';
import { build } from 'esbuild';
import { installClientCredentials, MemoryTokenStore, type ClientCredentialsEvent } from '../lib';
import { startFaultServer, type FaultServer } from './support/fault-server';
import { json, startApiServer, startLoopbackServer, type LoopbackServer } from './support/loopback';

const SECRET = 'events-secret-d41d8cd98f00';

/** Sets `DEBUG` for the installations made until `restore()`, and collects what they write to stderr. */
function captureDebugOutput(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const previous = process.env['DEBUG'];
  process.env['DEBUG'] = 'other,axios-client-credentials';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line !== ''),
    );
    return true;
  });
  return {
    lines,
    restore: () => {
      spy.mockRestore();
      if (previous === undefined) delete process.env['DEBUG'];
      else process.env['DEBUG'] = previous;
    },
  };
}

/** Runs `script` (CommonJS, through tsx) in a fresh node from the repository root. */
async function runNode(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: path.join(__dirname, '..'),
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, stderr };
}

describe('installClientCredentials() events, counters and debug output', () => {
  let tokens: FaultServer;
  let apiServer: LoopbackServer;

  beforeAll(async () => {
    tokens = await startFaultServer();
    // token-1 is refused, so the first request is replayed with token-2.
    apiServer = await startApiServer((t) => t !== 'token-1' && tokens.issued.includes(t));
  });
  afterAll(async () => {
    await tokens.close();
    await apiServer.close();
  });

  it('reports every step with the installation name, without a secret or a token, in events and debug output', async () => {
    const debug = captureDebugOutput();
    const events: ClientCredentialsEvent[] = [];
    try {
      tokens.script(
        { kind: 'reply', status: 503, body: 'down', headers: { 'Retry-After': '0' } },
        { kind: 'token' },
        { kind: 'token' },
      );
      const api = axios.create({ baseURL: apiServer.origin });
      const handle = installClientCredentials(api, {
        tokenUrl: tokens.tokenUrl,
        clientId: 'svc',
        clientSecret: SECRET,
        store: new MemoryTokenStore(),
        onEvent: (event) => events.push(event),
      });
      expect((await api.get('/one')).status).toBe(200);
      expect((await api.get('/two')).status).toBe(200);

      expect(events.map((e) => e.type)).toEqual([
        'exchange_started',
        'exchange_retry',
        'exchange_succeeded',
        'token_wait',
        'unauthorized_replay',
        'exchange_started',
        'exchange_succeeded',
        'token_wait',
      ]);
      const name = `svc@${new URL(tokens.tokenUrl).host}`;
      expect(new Set(events.map((e) => e.name))).toEqual(new Set([name]));
      const [first, second] = events.filter((e) => e.type === 'exchange_succeeded');
      expect(first).toEqual({
        type: 'exchange_succeeded',
        name,
        exchangeId: expect.any(Number) as unknown,
        background: false,
        attempts: 2,
        durationMs: expect.any(Number) as unknown,
        tokenEndpoint: tokens.tokenUrl,
        expiresInMs: expect.any(Number) as unknown,
      });
      expect(second).toMatchObject({ attempts: 1, exchangeId: first!.exchangeId + 1 });
      expect(events.filter((e) => e.type === 'token_wait')).toEqual([
        { type: 'token_wait', name, callers: 1, durationMs: expect.any(Number) as unknown, outcome: 'succeeded' },
        { type: 'token_wait', name, callers: 1, durationMs: expect.any(Number) as unknown, outcome: 'succeeded' },
      ]);
      expect(handle.stats()).toEqual({
        exchanges: 2,
        tokenRequests: 3,
        cacheHits: 1,
        waits: 2,
        replays: 1,
        failures: 0,
        backgroundRenewals: 0,
      });
      // Every event but the exchange starts is one debug line, each naming the installation.
      expect(debug.lines.map((line) => /type=(\S+)/.exec(line)?.[1])).toEqual(
        events.map((e) => e.type).filter((type) => type !== 'exchange_started'),
      );
      for (const line of debug.lines) expect(line).toContain(`name=${name}`);
      expect(debug.lines[0]).toMatch(
        /^\S+Z axios-client-credentials type=exchange_retry name=\S+ exchangeId=\d+ background=false error=TokenRequestError code=TOKEN_RESPONSE_HTTP_ERROR status=503 retry=1 delayMs=0$/,
      );
      const everything = JSON.stringify(events) + debug.lines.join('\n') + JSON.stringify(handle.stats());
      for (const secret of [SECRET, Buffer.from(`svc:${SECRET}`).toString('base64'), ...tokens.issued]) {
        expect(everything).not.toContain(secret);
      }
    } finally {
      debug.restore();
    }
  });

  it('summarises a cold burst of 200 requests in one exchange line and one wait line', async () => {
    const debug = captureDebugOutput();
    try {
      tokens.script({ kind: 'token' });
      const api = axios.create({ baseURL: apiServer.origin });
      const handle = installClientCredentials(api, {
        tokenUrl: tokens.tokenUrl,
        clientId: 'svc',
        clientSecret: SECRET,
        store: new MemoryTokenStore(),
        name: 'billing-api',
      });
      await Promise.all(Array.from({ length: 200 }, () => handle.getToken()));
      await Promise.all(Array.from({ length: 200 }, () => handle.getToken()));
      expect(debug.lines).toHaveLength(2);
      expect(debug.lines[0]).toMatch(
        / type=exchange_succeeded name=billing-api exchangeId=\d+ background=false attempts=1 /,
      );
      expect(debug.lines[1]).toMatch(
        / type=token_wait name=billing-api callers=200 durationMs=[\d.]+ outcome=succeeded$/,
      );
      expect(handle.stats()).toMatchObject({ exchanges: 1, waits: 200, cacheHits: 200 });
    } finally {
      debug.restore();
    }
  });

  it('writes debug lines through util.debuglog when NODE_DEBUG names the section', async () => {
    tokens.script({ kind: 'token' });
    const script = [
      "const axios = require('axios');",
      "const { installClientCredentials } = require('./lib');",
      'const api = axios.create({ baseURL: "https://api.example.com" });',
      `const handle = installClientCredentials(api, { tokenUrl: ${JSON.stringify(tokens.tokenUrl)}, clientId: 'svc', clientSecret: ${JSON.stringify(SECRET)}, name: 'child' });`,
      'handle.getToken().then(() => process.exit(0), () => process.exit(1));',
    ].join('\n');
    const { code, stderr } = await runNode(script, { NODE_DEBUG: 'axios-client-credentials' });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^AXIOS-CLIENT-CREDENTIALS \d+: type=exchange_succeeded name=child .*attempts=1 /m);
    expect(stderr).toMatch(/^AXIOS-CLIENT-CREDENTIALS \d+: type=token_wait name=child callers=1 /m);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toContain(tokens.issued.at(-1));
  });

  it('never lets a throwing listener break a request', async () => {
    tokens.script({ kind: 'token' }, { kind: 'token' });
    const api = axios.create({ baseURL: apiServer.origin });
    installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect((await api.get('/x')).status).toBe(200);
    expect((await api.get('/y')).status).toBe(200);
  });

  it('reports a store that fails, and carries on without it', async () => {
    tokens.script({ kind: 'token' });
    const events: ClientCredentialsEvent[] = [];
    const failing = {
      get: () => {
        throw new Error('store down');
      },
      set: () => Promise.reject(new Error('store down')),
      delete: () => false,
    };
    const api = axios.create({ baseURL: apiServer.origin });
    const requestsBefore = apiServer.requests.length;
    installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: failing,
      retryOnUnauthorized: false,
      onEvent: (event) => events.push(event),
    });
    await api.get('/x').catch(() => undefined);
    expect(apiServer.requests.length - requestsBefore).toBe(1);
    const name = `svc@${new URL(tokens.tokenUrl).host}`;
    expect(events.filter((e) => e.type === 'store_error')).toEqual([
      { type: 'store_error', name, operation: 'get', error: { name: 'Error', code: undefined, status: undefined } },
      { type: 'store_error', name, operation: 'get', error: { name: 'Error', code: undefined, status: undefined } },
      { type: 'store_error', name, operation: 'set', error: { name: 'Error', code: undefined, status: undefined } },
    ]);
  });
});

describe('the core without observability', () => {
  it('bundles no logging and no OpenTelemetry package into an app that imports installClientCredentials', async () => {
    const result = await build({
      stdin: {
        contents: "import { installClientCredentials } from './lib'; console.log(installClientCredentials);",
        resolveDir: path.join(__dirname, '..'),
        loader: 'ts',
      },
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      external: ['axios'],
      logLevel: 'silent',
    });
    const packages = new Set(
      Object.keys(result.metafile.inputs)
        .filter((input) => input.includes('node_modules/'))
        .map((input) => input.split('node_modules/').at(-1)!.split('/')[0] ?? ''),
    );
    expect([...packages].filter((name) => /debug|supports-color|opentelemetry/.test(name))).toEqual([]);
  });
});

describe('installClientCredentials() telemetry of a failed discovery', () => {
  it('counts a DiscoveryError as a failed exchange and reports exchange_failed', async () => {
    // Regression: discovery ran outside the exchange's try, so its error left failures at 0 and emitted nothing.
    const metadata = await startLoopbackServer((_request, response) => json(response, 404, {}));
    try {
      const events: ClientCredentialsEvent[] = [];
      const api = axios.create({ baseURL: 'https://api.example.com' });
      const handle = installClientCredentials(api, {
        issuer: `${metadata.origin}/tenant`,
        allowHttpTokenUrl: true,
        clientId: 'svc',
        clientSecret: SECRET,
        store: new MemoryTokenStore(),
        onEvent: (event) => events.push(event),
      });
      await expect(handle.getToken()).rejects.toMatchObject({ name: 'DiscoveryError', code: 'DISCOVERY_FAILED' });
      expect(handle.stats()).toMatchObject({ exchanges: 1, tokenRequests: 0, failures: 1 });
      expect(events.filter((e) => e.type === 'exchange_failed')).toEqual([
        expect.objectContaining({
          type: 'exchange_failed',
          error: { name: 'DiscoveryError', code: 'DISCOVERY_FAILED', status: 404 },
        }),
      ]);
    } finally {
      await metadata.close();
    }
  });
});
