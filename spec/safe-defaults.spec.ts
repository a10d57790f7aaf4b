import axios, { type AxiosInstance } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import {
  installClientCredentials,
  MemoryTokenStore,
  type ClientCredentialsEvent,
  type ClientCredentialsOptions,
} from '../lib';

const TOKEN_URL = 'https://auth.example.com/oauth/token';

/** A token endpoint on axios-mock-adapter that issues t1, t2, ... */
function tokenEndpoint() {
  const tokenClient = axios.create();
  const issued: string[] = [];
  new MockAdapter(tokenClient).onPost(TOKEN_URL).reply(() => {
    issued.push(`t${issued.length + 1}`);
    return [200, JSON.stringify({ access_token: issued.at(-1), token_type: 'Bearer', expires_in: 3600 })];
  });
  return { tokenClient, issued };
}

/** Records the Authorization header of every request the instance sends, answering 200. */
function recordAuthorizations(instance: AxiosInstance): Array<string | undefined> {
  const seen: Array<string | undefined> = [];
  new MockAdapter(instance).onAny().reply((config) => {
    seen.push(config.headers?.['Authorization'] as string | undefined);
    return [200, {}];
  });
  return seen;
}

function options(extra: Partial<ClientCredentialsOptions> = {}): ClientCredentialsOptions {
  return {
    tokenUrl: TOKEN_URL,
    clientId: 'safe-defaults',
    clientSecret: 'safe-defaults-secret',
    tokenClient: tokenEndpoint().tokenClient,
    store: new MemoryTokenStore(),
    ...extra,
  };
}

/** Captures the debug lines (`DEBUG=axios-client-credentials`, on stderr) of installations made while `body` runs. */
async function debugLinesOf(body: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const previous = process.env['DEBUG'];
  process.env['DEBUG'] = 'axios-client-credentials';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line !== ''),
    );
    return true;
  });
  try {
    await body();
  } finally {
    spy.mockRestore();
    if (previous === undefined) delete process.env['DEBUG'];
    else process.env['DEBUG'] = previous;
  }
  return lines;
}

const ORIGINS_REQUIRED =
  '"origins" option is required when the instance has no "baseURL": name the origins that may receive the token, or \'*\' for every origin';

describe('installClientCredentials() on an instance without a baseURL', () => {
  it('throws a TypeError naming "origins" when neither a baseURL nor origins are given', () => {
    expect(() => installClientCredentials(axios.create(), options())).toThrow(new TypeError(ORIGINS_REQUIRED));
    expect(() => installClientCredentials(axios.create(), options({ origins: [] }))).toThrow(
      new TypeError(ORIGINS_REQUIRED),
    );
  });

  it('throws the same TypeError for a relative baseURL, which names no origin', () => {
    expect(() => installClientCredentials(axios.create({ baseURL: '/api' }), options())).toThrow(
      new TypeError(ORIGINS_REQUIRED),
    );
  });

  it("sends the token to every origin with origins: '*'", async () => {
    const instance = axios.create();
    const seen = recordAuthorizations(instance);
    installClientCredentials(instance, options({ origins: '*' }));
    await instance.get('https://one.example.com/a');
    await instance.get('https://two.example.net/b');
    expect(seen).toEqual(['Bearer t1', 'Bearer t1']);
  });

  it("refuses origins: '*' among other origins", () => {
    expect(() =>
      installClientCredentials(axios.create(), options({ origins: ['*'] as unknown as readonly string[] })),
    ).toThrow(new TypeError('"origins" option must be an absolute URL'));
  });
});

describe('installClientCredentials() when the origin policy withholds the token', () => {
  it('reports token_withheld once per origin, with the origin only, in an event and a debug line', async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const seen = recordAuthorizations(instance);
    const events: ClientCredentialsEvent[] = [];
    const lines = await debugLinesOf(async () => {
      installClientCredentials(instance, options({ onEvent: (event) => events.push(event) }));
      await instance.get('https://bucket.example.net/file?X-Amz-Signature=abc');
      await instance.get('https://bucket.example.net/other/path?sig=def');
      await instance.get('https://hooks.example.org/webhook-path');
      await instance.get('/invoices');
    });

    expect(seen).toEqual([undefined, undefined, undefined, 'Bearer t1']);
    expect(events.filter((e) => e.type === 'token_withheld')).toEqual([
      { type: 'token_withheld', name: expect.any(String), origin: 'https://bucket.example.net' },
      { type: 'token_withheld', name: expect.any(String), origin: 'https://hooks.example.org' },
    ]);
    const withheldLines = lines.filter((line) => line.includes('token_withheld'));
    expect(withheldLines).toHaveLength(2);
    expect(withheldLines.join('\n')).toContain('https://bucket.example.net');
    for (const fragment of ['/file', 'X-Amz-Signature', 'abc', '/other', 'sig=', 'webhook-path']) {
      expect(JSON.stringify(events) + lines.join('\n')).not.toContain(fragment);
    }
  });

  it('reports the new origin when the baseURL is changed after install', async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const seen = recordAuthorizations(instance);
    const events: ClientCredentialsEvent[] = [];
    installClientCredentials(instance, options({ onEvent: (event) => events.push(event) }));
    instance.defaults.baseURL = 'https://api-v2.example.com/v2';
    await instance.get('/invoices');
    await instance.get('/invoices');
    expect(seen).toEqual([undefined, undefined]);
    expect(events.filter((e) => e.type === 'token_withheld')).toEqual([
      { type: 'token_withheld', name: expect.any(String), origin: 'https://api-v2.example.com' },
    ]);
  });

  it('reports nothing for { skipAuth: true }, which withholds the token on purpose', async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    recordAuthorizations(instance);
    const events: ClientCredentialsEvent[] = [];
    installClientCredentials(instance, options({ onEvent: (event) => events.push(event) }));
    await instance.get('https://elsewhere.example.com/x', { skipAuth: true });
    expect(events).toEqual([]);
  });
});

describe("installClientCredentials() and the caller's own Authorization header", () => {
  it('replaces a per-request Authorization header and says so once in the debug output', async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const seen = recordAuthorizations(instance);
    const lines = await debugLinesOf(async () => {
      installClientCredentials(instance, options());
      await instance.get('/a', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
      await instance.get('/b', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
      await instance.get('/c');
    });
    expect(seen).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1']);
    const replaced = lines.filter((line) => line.includes('Authorization header'));
    expect(replaced).toEqual([
      expect.stringContaining(
        "replaced the request's own Authorization header with the access token; send it with { skipAuth: true } to keep it",
      ),
    ]);
    expect(lines.join('\n')).not.toContain('dXNlcjpwYXNz');
  });

  it("keeps the caller's Authorization header with { skipAuth: true }", async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const seen = recordAuthorizations(instance);
    installClientCredentials(instance, options());
    await instance.get('/a', { headers: { Authorization: 'Basic dXNlcjpwYXNz' }, skipAuth: true });
    expect(seen).toEqual(['Basic dXNlcjpwYXNz']);
  });
});

describe('installClientCredentials() with optional options set to undefined', () => {
  // The type-level half: `tsc --noEmit` compiles this spec with exactOptionalPropertyTypes, where
  // an environment lookup (string | undefined) was TS2379 before the option types said `| undefined`.
  it('accepts an environment lookup for an optional option, and treats it as absent when unset', async () => {
    delete process.env['SAFE_DEFAULTS_SCOPE'];
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const handle = installClientCredentials(instance, options({ scope: process.env['SAFE_DEFAULTS_SCOPE'] }));
    recordAuthorizations(instance);
    expect((await handle.getToken()).accessToken).toBe('t1');
  });

  it('treats every optional option given as undefined as absent', async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const seen = recordAuthorizations(instance);
    const endpoint = tokenEndpoint();
    const handle = installClientCredentials(instance, {
      tokenUrl: TOKEN_URL,
      issuer: undefined,
      clientId: 'undefined-options',
      clientSecret: 'undefined-options-secret',
      clientAuthMethod: undefined,
      privateKey: undefined,
      keyId: undefined,
      signingAlgorithm: undefined,
      assertionAudience: undefined,
      tls: undefined,
      httpsAgent: undefined,
      scope: undefined,
      audience: undefined,
      resource: undefined,
      extraParams: undefined,
      store: new MemoryTokenStore(),
      tokenClient: endpoint.tokenClient,
      origins: undefined,
      refreshBeforeExpiryMs: undefined,
      refreshBeforeExpirySeconds: undefined,
      defaultExpiresInMs: undefined,
      defaultExpiresInSeconds: undefined,
      tokenRequestTimeoutMs: undefined,
      tokenRequestRetries: undefined,
      tokenRequestRetryMaxDelayMs: undefined,
      errorCooldownMs: undefined,
      errorCooldownSeconds: undefined,
      onEvent: undefined,
      retryOnUnauthorized: undefined,
      allowHttpTokenUrl: undefined,
      dpop: undefined,
    });
    await instance.get('/x');
    expect(seen).toEqual(['Bearer t1']);
    expect((await handle.getToken()).tokenType).toBe('Bearer');
  });
});
