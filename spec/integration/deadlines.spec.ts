import { inspect } from 'node:util';
import axios from 'axios';
import {
  DiscoveryError,
  installClientCredentials,
  MemoryTokenStore,
  TokenRequestError,
  type ClientCredentialsOptions,
} from '../../lib';
import { runScript } from '../support/child-process';
import { startFaultServer, type Fault, type FaultServer } from '../support/fault-server';
import { startApiServer, type LoopbackServer } from '../support/loopback';

const SECRET = 'deadline-secret-value';
/** A token answer that takes about 25 minutes at one byte every 250 ms. */
const ENDLESS = JSON.stringify({ access_token: 'x'.repeat(6000), token_type: 'Bearer', expires_in: 3600 });
const trickled: Fault = { kind: 'trickle', body: ENDLESS };

describe('installClientCredentials() deadlines', () => {
  let tokens: FaultServer;
  let apiServer: LoopbackServer;

  beforeAll(async () => {
    tokens = await startFaultServer();
    apiServer = await startApiServer((t) => tokens.issued.includes(t));
  });
  afterAll(async () => {
    await tokens.close();
    await apiServer.close();
  });
  beforeEach(() => {
    tokens.requests.length = 0;
    apiServer.requests.length = 0;
  });

  function setup(options: Partial<ClientCredentialsOptions>, ...faults: Fault[]) {
    tokens.script(...faults);
    const api = axios.create({ baseURL: apiServer.origin });
    installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      ...options,
    } as ClientCredentialsOptions);
    return api;
  }

  it('ends a token request whose body trickles in after "tokenRequestTimeoutMs" with TOKEN_ENDPOINT_TIMEOUT', async () => {
    const api = setup(
      { tokenRequestTimeoutMs: 1000, tokenRequestRetries: 0, tokenAcquisitionTimeoutMs: 10_000 },
      trickled,
    );
    const error: unknown = await api.get('/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_TIMEOUT' });
    expect((error as Error).message).toBe('token endpoint did not answer within 1000 ms');
    expect(tokens.requests).toHaveLength(1);
    expect(apiServer.requests).toHaveLength(0);
    for (const view of [inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)]) {
      expect(view).not.toContain(SECRET);
      expect(view).not.toContain('Basic ');
    }
  });

  it('bounds the whole acquisition, retries included, by "tokenAcquisitionTimeoutMs"', async () => {
    const api = setup(
      { tokenRequestTimeoutMs: 1000, tokenRequestRetries: 5, tokenAcquisitionTimeoutMs: 1500 },
      trickled,
      trickled,
      trickled,
    );
    const error: unknown = await api.get('/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_TIMEOUT' });
    expect((error as Error).message).toBe('no token within the 1500 ms token acquisition deadline');
    // The first attempt times out at 1000 ms, the second is cut off at 1500 ms.
    expect(tokens.requests).toHaveLength(2);
    expect(apiServer.requests).toHaveLength(0);
  });

  it('does not wait for a Retry-After that would end after the acquisition deadline', async () => {
    const unavailable: Fault = { kind: 'reply', status: 503, body: '', headers: { 'Retry-After': '5' } };
    const api = setup({ tokenAcquisitionTimeoutMs: 2000 }, unavailable);
    const error: unknown = await api.get('/data').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TokenRequestError', code: 'TOKEN_RESPONSE_HTTP_ERROR', status: 503 });
    expect(tokens.requests).toHaveLength(1);
  });

  it('still honours an abort signal the tokenClient carries', async () => {
    const controller = new AbortController();
    const api = setup(
      { tokenClient: axios.create({ signal: controller.signal }), tokenRequestRetries: 0 },
      { kind: 'hang' },
    );
    const pending = api.get('/data').catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ name: 'TokenRequestError', code: 'TOKEN_ENDPOINT_UNREACHABLE' });
    expect(tokens.requests).toHaveLength(1);
  });

  it('ends discovery whose metadata body trickles in with DiscoveryError DISCOVERY_FAILED and no token request', async () => {
    tokens.script({ kind: 'trickle', body: JSON.stringify({ issuer: tokens.origin, pad: 'x'.repeat(6000) }) });
    const api = axios.create({ baseURL: apiServer.origin });
    installClientCredentials(api, {
      issuer: tokens.origin,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      tokenRequestTimeoutMs: 1000,
    });
    const error: unknown = await api.get('/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: 'DISCOVERY_FAILED' });
    expect((error as Error).message).toBe(
      `metadata request to ${tokens.origin}/.well-known/oauth-authorization-server did not complete within 1000 ms`,
    );
    expect(tokens.requests.map((r) => r.method)).toEqual(['GET']);
    expect(apiServer.requests).toHaveLength(0);
  });

  it('ends discovery at the acquisition deadline with DISCOVERY_FAILED when that comes first', async () => {
    tokens.script({ kind: 'trickle', body: JSON.stringify({ issuer: tokens.origin, pad: 'x'.repeat(6000) }) });
    const api = axios.create({ baseURL: apiServer.origin });
    installClientCredentials(api, {
      issuer: tokens.origin,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      tokenRequestTimeoutMs: 20_000,
      tokenAcquisitionTimeoutMs: 1000,
    });
    const error: unknown = await api.get('/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: 'DISCOVERY_FAILED', issuer: tokens.origin });
    expect((error as Error).message).toBe(
      'issuer metadata did not arrive within the 1000 ms token acquisition deadline',
    );
    expect(tokens.requests.map((r) => r.method)).toEqual(['GET']);
    expect(apiServer.requests).toHaveLength(0);
  });

  it('lets a process whose token endpoint trickles forever fail the call and exit by itself', async () => {
    tokens.script(trickled, trickled);
    const { exitCode, output } = await runScript('spec/fixtures/trickled-token.ts', {
      TOKEN_URL: tokens.tokenUrl,
      API_URL: apiServer.origin,
    });
    // The server keeps trickling: only the client side decides whether the process can exit.
    expect({ exitCode, output }).toEqual({ exitCode: 0, output: 'TOKEN_ENDPOINT_TIMEOUT' });
    expect(tokens.requests).toHaveLength(2);
  });
});
