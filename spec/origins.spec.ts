import type { InternalAxiosRequestConfig } from 'axios';
import axios from 'axios';
import { createOriginPolicy, requireDestination, resolveOrigins } from '../lib/origins';

const config = (fields: Partial<InternalAxiosRequestConfig>): InternalAxiosRequestConfig =>
  fields as InternalAxiosRequestConfig;

describe('createOriginPolicy()', () => {
  const policy = createOriginPolicy('https://api.example.com/v1', ['https://files.example.com']);

  it('allows relative URLs on the baseURL origin', () => {
    expect(policy(config({ baseURL: 'https://api.example.com/v1', url: '/invoices' }))).toBe(true);
  });

  it('allows absolute URLs on the baseURL origin and on listed origins', () => {
    expect(policy(config({ baseURL: 'https://api.example.com/v1', url: 'https://api.example.com/x' }))).toBe(true);
    expect(policy(config({ baseURL: 'https://api.example.com/v1', url: 'https://files.example.com/a?b' }))).toBe(true);
  });

  it('refuses absolute and scheme-relative URLs to other origins, and other schemes or ports', () => {
    for (const url of [
      'https://bucket.s3.amazonaws.com/file?X-Amz-Signature=1',
      '//evil.example.com/x',
      'http://api.example.com/x',
      'https://api.example.com:8443/x',
      'https://api.example.com.evil.com/x',
    ]) {
      expect(policy(config({ baseURL: 'https://api.example.com/v1', url }))).toBe(false);
    }
  });

  it('follows a per-request baseURL, as axios does', () => {
    expect(policy(config({ baseURL: 'https://other.example.com', url: '/x' }))).toBe(false);
  });

  it('applies the baseURL to absolute URLs when allowAbsoluteUrls is false', () => {
    expect(
      policy(
        config({ baseURL: 'https://api.example.com', url: 'https://evil.example.com/x', allowAbsoluteUrls: false }),
      ),
    ).toBe(true);
  });

  it("allows everything with '*'", () => {
    expect(createOriginPolicy(undefined, '*')(config({ url: 'https://anything.example.com/' }))).toBe(true);
  });

  it('refuses everything when there is neither a baseURL nor listed origins', () => {
    expect(createOriginPolicy(undefined, [])(config({ url: 'https://anything.example.com/' }))).toBe(false);
  });

  it('reports each withheld origin once, through the baseURL path and the absolute URL path', () => {
    const withheld: string[] = [];
    const reporting = createOriginPolicy('https://api.example.com', [], (origin) => withheld.push(origin));
    for (let i = 0; i < 3; i++) {
      reporting(config({ baseURL: 'https://api.example.com', url: 'https://other.example.com/a?sig=1' }));
      reporting(config({ baseURL: 'https://moved.example.com/v2', url: '/invoices' }));
      reporting(config({ baseURL: 'https://api.example.com', url: '/invoices' }));
    }
    expect(withheld).toStrictEqual(['https://other.example.com', 'https://moved.example.com']);
  });

  it('refuses relative URLs without a baseURL when origins are listed', () => {
    expect(createOriginPolicy(undefined, ['https://files.example.com'])(config({ url: '/x' }))).toBe(false);
  });
});

describe('createOriginPolicy() at its edges', () => {
  const withheld: string[] = [];
  const at = (baseURL: string | undefined, origins: string[] = []) =>
    createOriginPolicy(baseURL, origins, (origin) => withheld.push(origin));
  beforeEach(() => withheld.splice(0));

  it("never allows the opaque origin 'null' of a non-http baseURL", () => {
    const policy = at('file:///srv/app/');
    expect(policy(config({ baseURL: 'file:///srv/app/', url: 'data.json' }))).toBe(false);
    expect(policy(config({ url: 'file:///srv/app/data.json' }))).toBe(false);
  });

  it('treats a path as relative to the baseURL, and a scheme-relative URL as another host', () => {
    const policy = at('https://api.example.com');
    expect(policy(config({ baseURL: 'https://api.example.com', url: '/v1/x' }))).toBe(true);
    expect(policy(config({ baseURL: 'https://api.example.com', url: 'v1/x' }))).toBe(true);
    expect(policy(config({ baseURL: 'https://api.example.com', url: '//evil.example.com/x' }))).toBe(false);
    expect(policy(config({ baseURL: 'https://api.example.com', url: 'HTTPS://EVIL.example.com/x' }))).toBe(false);
    expect(withheld).toStrictEqual(['https://evil.example.com']);
  });

  it('resolves a relative URL against an empty baseURL as no origin at all', () => {
    const policy = at(undefined, ['https://api.example.com']);
    expect(policy(config({ baseURL: '', url: '/x' }))).toBe(false);
    expect(policy(config({ url: 'not a url' }))).toBe(false);
    expect(withheld).toStrictEqual([]);
  });

  it('ignores an empty baseURL for an absolute URL, as axios does', () => {
    const policy = at(undefined, ['https://api.example.com']);
    expect(policy(config({ baseURL: '', url: 'https://api.example.com/x' }))).toBe(true);
    expect(policy(config({ baseURL: '', url: 'https://other.example.com/x' }))).toBe(false);
    expect(withheld).toStrictEqual(['https://other.example.com']);
  });

  it('judges a request with no url by its baseURL, where axios sends it', () => {
    const policy = at('https://api.example.com');
    expect(policy(config({ baseURL: 'https://api.example.com' }))).toBe(true);
    expect(policy(config({ baseURL: 'https://other.example.com' }))).toBe(false);
    expect(policy(config({}))).toBe(false);
    expect(withheld).toStrictEqual(['https://other.example.com']);
  });

  it("follows axios, not the URL parser, on a relative URL with a colon (such as 'search:recent')", () => {
    const policy = at('https://api.example.com');
    const url = 'search:recent?next=https://evil.example.com/';
    // The URL parser reads 'search:' as a scheme; axios sees no "//" after it and joins the baseURL.
    expect(new URL(url, 'https://api.example.com').origin).toBe('null');
    expect(new URL(axios.getUri({ baseURL: 'https://api.example.com', url })).origin).toBe('https://api.example.com');
    expect(policy(config({ baseURL: 'https://api.example.com', url }))).toBe(true);
    expect(withheld).toStrictEqual([]);
  });

  it('judges each of many baseURLs by its own origin, the first and the later ones', () => {
    const policy = at('https://api.example.com', ['https://files.example.com']);
    const bases = ['https://other.example.com', 'https://api.example.com', 'https://files.example.com'];
    for (let round = 0; round < 2; round += 1)
      expect(bases.map((baseURL) => policy(config({ baseURL, url: '/x' })))).toEqual([false, true, true]);
    for (let i = 0; i < 70; i += 1) {
      expect(policy(config({ baseURL: `https://t${i}.example.com`, url: '/x' }))).toBe(false);
      expect(policy(config({ baseURL: 'https://api.example.com', url: '/x' }))).toBe(true);
    }
  });

  it('reports at most 64 withheld origins, each once', () => {
    const policy = at('https://api.example.com');
    for (let i = 0; i < 70; i += 1) policy(config({ url: `https://t${i}.example.com/x` }));
    for (let i = 0; i < 70; i += 1) policy(config({ url: `https://t${i}.example.com/y` }));
    expect(withheld).toHaveLength(64);
    expect(new Set(withheld).size).toBe(64);
    expect(withheld[63]).toBe('https://t63.example.com');
  });
});

describe('createOriginPolicy() on the warm path', () => {
  const RealURL = globalThis.URL;
  let parsed = 0;
  beforeEach(() => {
    globalThis.URL = class CountingURL extends RealURL {
      constructor(...args: ConstructorParameters<typeof URL>) {
        parsed += 1;
        super(...args);
      }
    };
  });
  afterEach(() => {
    globalThis.URL = RealURL;
  });
  const start = (baseURL: string, origins: string[] = []) => {
    const policy = createOriginPolicy(baseURL, origins);
    parsed = 0;
    return policy;
  };

  it('decides a path on the baseURL without running a regex', () => {
    const policy = start('https://api.example.com');
    const test = jest.spyOn(RegExp.prototype, 'test');
    try {
      expect(policy(config({ baseURL: 'https://api.example.com', url: '/invoices' }))).toBe(true);
      expect(test).toHaveBeenCalledTimes(0);
      expect(policy(config({ baseURL: 'https://api.example.com', url: 'invoices' }))).toBe(true);
      expect(test).toHaveBeenCalledTimes(1);
    } finally {
      test.mockRestore();
    }
  });

  it('parses each baseURL once, however many requests use it', () => {
    const policy = start('https://api.example.com', ['https://files.example.com']);
    const bases = ['https://api.example.com', 'https://files.example.com', 'https://other.example.com'];
    for (let round = 0; round < 3; round += 1)
      expect(bases.map((baseURL) => policy(config({ baseURL, url: '/x' })))).toStrictEqual([true, true, false]);
    expect(parsed).toBe(3);
  });

  it('remembers the first baseURL and 64 more, and parses any other on every request (bounded memory)', () => {
    const policy = start('https://api.example.com');
    const bases = Array.from({ length: 66 }, (_, i) => `https://t${i}.example.com`);
    for (let round = 0; round < 3; round += 1)
      for (const baseURL of bases) expect(policy(config({ baseURL, url: '/x' }))).toBe(false);
    expect(parsed).toBe(66 + 2);
  });
});

describe('resolveOrigins()', () => {
  it('normalises http(s) URLs to their origins and refuses other schemes', () => {
    expect(resolveOrigins(['https://A.example.com/path?q', 'http://b.example.com:8080/'])).toEqual([
      'https://a.example.com',
      'http://b.example.com:8080',
    ]);
    expect(resolveOrigins('*')).toBe('*');
    expect(() => resolveOrigins(['ftp://files.example.com'])).toThrow(
      new TypeError('"origins" option must hold http(s) origins'),
    );
  });

  it('names the option when the list or a member is not a URL', () => {
    expect(resolveOrigins(undefined)).toStrictEqual([]);
    expect(resolveOrigins('https://a.example.com/x')).toStrictEqual(['https://a.example.com']);
    expect(() => resolveOrigins(5)).toThrow(new TypeError('"origins" option must be a string or an array of strings'));
    expect(() => resolveOrigins(['not a url'])).toThrow(new TypeError('"origins" option must be an absolute URL'));
  });
});

describe('requireDestination()', () => {
  const message =
    '"origins" option is required when the instance has no "baseURL": name the origins that may receive the token, or \'*\' for every origin';
  const instance = (baseURL?: unknown) => axios.create(baseURL === undefined ? {} : { baseURL: baseURL as string });

  it('needs origins unless the instance has an absolute http(s) baseURL', () => {
    expect(() => requireDestination(instance('https://api.example.com'), [])).not.toThrow();
    expect(() => requireDestination(instance('http://localhost:3000/v1'), [])).not.toThrow();
    for (const baseURL of [undefined, '/api', 'ftp://files.example.com', 'xhttps://api.example.com', 'not a url'])
      expect(() => requireDestination(instance(baseURL), [])).toThrow(new TypeError(message));
    expect(() => requireDestination(instance(), ['https://api.example.com'])).not.toThrow();
    expect(() => requireDestination(instance(), '*')).not.toThrow();
  });

  it('needs origins when the baseURL is not a string, such as a URL object', () => {
    expect(() => requireDestination(instance(new URL('https://api.example.com')), [])).toThrow(new TypeError(message));
  });
});
