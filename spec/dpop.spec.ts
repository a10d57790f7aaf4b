import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { inspect } from 'node:util';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { installClientCredentials, MemoryTokenStore, OAuth2Error, type ClientCredentialsOptions } from '../lib';
import { cacheKey } from '../lib/cache-key';
import { resolveDPoP } from '../lib/dpop';
import { dpop, type DPoPKeyPair } from '../lib/dpop-option';
import { dpopScheme } from '../lib/dpop-request';
import { ManualClock } from './support/clock';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const API = 'https://api.example.com';
const base = { tokenUrl: TOKEN_URL, clientId: 'c', clientSecret: 's', store: new MemoryTokenStore() };

describe('resolveDPoP()', () => {
  it('throws a TypeError naming the option for bad values, from dpop()', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const bad: Array<[unknown, string]> = [
      ['yes', '"dpop" option: dpop() takes nothing or { privateKey, publicKey }'],
      [
        { privateKey: 'pem', publicKey: ec.publicKey },
        '"dpop" option "privateKey" must be a PKCS#8 PEM string, a private JWK, a KeyObject or a CryptoKey',
      ],
      [
        { privateKey: ec.privateKey },
        '"dpop" option "publicKey" must be an SPKI PEM string, a JWK, a KeyObject or a CryptoKey',
      ],
      [
        { privateKey: ec.publicKey, publicKey: ec.publicKey },
        '"dpop" option "privateKey" must be a private key, not a public key',
      ],
      [
        { privateKey: rsa.privateKey, publicKey: rsa.publicKey },
        '"dpop" option key pair must be P-256 (ES256) or Ed25519 (EdDSA)',
      ],
      [
        { privateKey: ec.privateKey, publicKey: other.publicKey },
        '"dpop" option "privateKey" and "publicKey" must be one key pair',
      ],
    ];
    for (const [value, message] of bad) {
      expect(() => dpop(value as DPoPKeyPair)).toThrow(new TypeError(message));
    }
  });

  it('accepts CryptoKeys, KeyObjects, JWKs and PEM strings, P-256 and Ed25519', async () => {
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    expect(resolveDPoP(pair)?.thumbprint).toMatch(/^[\w-]{43}$/);
    expect(resolveDPoP(generateKeyPairSync('ed25519'))?.thumbprint).toMatch(/^[\w-]{43}$/);
    // The same key rules as "privateKey" (lib/jws.ts): PEM strings too, giving the same thumbprint.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = {
      privateKey: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicKey: ec.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    };
    expect(resolveDPoP(pem)?.thumbprint).toBe(resolveDPoP(ec)?.thumbprint);
    expect(resolveDPoP(false)).toBeUndefined();
  });

  it('computes the RFC 7638 thumbprint and signs proofs jose verifies', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signer = resolveDPoP(pair)!;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    expect(signer.thumbprint).toBe(await calculateJwkThumbprint(jwk as never));
    const proof = signer.proof('GET', 'https://api.example.com/x?page=2#frag', 'n-1', 'the-token');
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect(protectedHeader).toEqual({
      typ: 'dpop+jwt',
      alg: 'ES256',
      jwk: { crv: 'P-256', kty: 'EC', x: jwk.x, y: jwk.y },
    });
    expect(payload).toEqual({
      jti: expect.stringMatching(/^[\w-]{22}$/),
      htm: 'GET',
      htu: 'https://api.example.com/x',
      iat: expect.any(Number),
      nonce: 'n-1',
      ath: 'wqc_z2HfvcrceaELozCy7162b8Cmc17Wm3lrs8l7l64',
    });
    expect(signer.proof('GET', 'https://api.example.com/x', undefined)).not.toBe(proof);
    expect(inspect(signer)).toBe(`DPoPSigner { thumbprint: '${signer.thumbprint}' }`);
    expect(JSON.stringify(signer)).toBe(JSON.stringify({ thumbprint: signer.thumbprint }));
  });

  it("dates proofs by the installation's wall clock", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const tokenClient = axios.create();
    const proofs: unknown[] = [];
    new MockAdapter(tokenClient).onPost(TOKEN_URL).reply((config) => {
      proofs.push(config.headers?.['DPoP']);
      return [200, { access_token: 'bound', token_type: 'DPoP', expires_in: 3600 }];
    });
    const handle = installClientCredentials(axios.create({ baseURL: API }), {
      ...base,
      store: new MemoryTokenStore(),
      tokenClient,
      dpop: dpop(),
      clock,
    } as ClientCredentialsOptions);
    await handle.getToken();
    expect(proofs).toHaveLength(1);
    expect(decodeJwt(proofs[0] as string).iat).toBe(1_700_000_000);
  });

  it('makes the key thumbprint part of the cache key', () => {
    const parts = {
      tokenUrl: TOKEN_URL,
      clientId: 'c',
      clientAuthMethod: 'm',
      credential: 'secret:x',
      scopes: [],
      resources: [],
      audience: undefined,
      extraParams: {},
    };
    const bearer = cacheKey(parts);
    expect(cacheKey({ ...parts, schemePart: undefined })).toBe(bearer);
    expect(cacheKey({ ...parts, schemePart: ['dpop', 'a'] })).not.toBe(bearer);
    expect(cacheKey({ ...parts, schemePart: ['dpop', 'a'] })).not.toBe(
      cacheKey({ ...parts, schemePart: ['dpop', 'b'] }),
    );
  });

  it('keeps the cache keys of DPoP configurations what they were before the token-scheme seam', () => {
    const parts = {
      tokenUrl: 'u',
      clientId: 'c',
      clientAuthMethod: 'm',
      credential: 'secret:x',
      scopes: [],
      resources: [],
      audience: undefined,
      extraParams: {},
    };
    const signer = resolveDPoP(true)!;
    expect(dpopScheme(axios.create(), signer).cacheKeyPart).toEqual(['dpop', signer.thumbprint]);
    // Computed by the cache key before the seam, which appended ['dpop', thumbprint] itself.
    expect(cacheKey({ ...parts, schemePart: ['dpop', 'a'] })).toBe(
      'axios-client-credentials:ay4VqLa8AV9R0cnp5kHJMIAfGqJmwm0fI46ogvRhypA',
    );
  });
});

describe('the dpop option', () => {
  const message =
    `"dpop" option must be the value of dpop() from 'axios-client-credentials/dpop': ` +
    `import { dpop } from 'axios-client-credentials/dpop' and pass dpop: dpop(), or dpop({ privateKey, publicKey }) for your own key pair`;

  it('throws a TypeError naming the import for true or a key pair given as before', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const value of [true, pair, 'yes', {}]) {
      const options = { ...base, dpop: value } as unknown as ClientCredentialsOptions;
      expect(() => installClientCredentials(axios.create({ baseURL: API }), options)).toThrow(new TypeError(message));
    }
  });

  it('takes dpop() and dpop({ privateKey, publicKey }), and false or undefined for none', () => {
    const pair = generateKeyPairSync('ed25519');
    for (const value of [dpop(), dpop(pair), false as const, undefined]) {
      const handle = installClientCredentials(axios.create({ baseURL: API }), { ...base, dpop: value });
      handle.eject();
    }
  });

  it('makes dpop() refuse what is not a key pair, naming the option', () => {
    expect(() => dpop(true as unknown as DPoPKeyPair)).toThrow(
      new TypeError('"dpop" option: dpop() takes nothing or { privateKey, publicKey }'),
    );
    expect(() => dpop({ privateKey: 'x', publicKey: 'y' })).toThrow(/^"dpop" option "privateKey"/);
  });

  it('keeps the key pair out of util.inspect and JSON.stringify', () => {
    const option = dpop();
    expect(JSON.stringify(option)).toBe(JSON.stringify({ thumbprint: option.thumbprint }));
    expect(inspect(option)).not.toMatch(/PRIVATE|"d"/);
  });
});

describe('installClientCredentials() with DPoP', () => {
  function setup(answers: Array<[number, Record<string, string>]>) {
    const tokenClient = axios.create();
    const tokenMock = new MockAdapter(tokenClient);
    let issued = 0;
    tokenMock.onPost(TOKEN_URL).reply(() => {
      issued += 1;
      return [200, JSON.stringify({ access_token: `t${issued}`, token_type: 'dpop', expires_in: 3600 })];
    });
    const instance = axios.create({ baseURL: API });
    const apiMock = new MockAdapter(instance);
    const proofs: string[] = [];
    apiMock.onGet('/x').reply((config) => {
      proofs.push(config.headers?.['DPoP'] as string);
      const [status, headers] = answers.shift() ?? [500, {}];
      return [status, {}, headers];
    });
    const handle = installClientCredentials(instance, {
      ...base,
      store: new MemoryTokenStore(),
      tokenClient,
      dpop: dpop(),
    });
    return { instance, handle, proofs, issued: () => issued };
  }

  it('retries a resource server nonce once without renewing, then still renews once on invalid_token', async () => {
    const { instance, handle, proofs, issued } = setup([
      [401, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-1' }],
      [401, { 'www-authenticate': 'DPoP error="invalid_token"' }],
      [200, {}],
    ]);
    expect((await instance.get('/x')).status).toBe(200);
    expect(issued()).toBe(2);
    expect(handle.stats().replays).toBe(1);
    expect(proofs).toHaveLength(3);
    expect(new Set(proofs).size).toBe(3);
    const claims = proofs.map(
      (proof) => JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>,
    );
    expect(claims.map((c) => c['nonce'])).toEqual([undefined, 'rs-1', 'rs-1']);
    expect(decodeProtectedHeader(proofs[0]!).typ).toBe('dpop+jwt');
  });

  it('retries a resource server nonce only once', async () => {
    const challenge: [number, Record<string, string>] = [
      401,
      { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-1' },
    ];
    const { instance, issued } = setup([challenge, challenge, challenge]);
    await expect(instance.get('/x')).rejects.toMatchObject({ response: { status: 401 } });
    expect(issued()).toBe(1);
  });

  it('keeps proofs and keys out of token endpoint errors', async () => {
    const tokenClient = axios.create();
    new MockAdapter(tokenClient).onPost(TOKEN_URL).reply(400, JSON.stringify({ error: 'invalid_client' }));
    const instance = axios.create({ baseURL: API });
    installClientCredentials(instance, { ...base, store: new MemoryTokenStore(), tokenClient, dpop: dpop() });
    const error: unknown = await instance.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2Error);
    const shown = `${inspect(error, { depth: 10 })}${JSON.stringify(error)}`;
    expect(shown).not.toMatch(/eyJ|DPoP/);
  });
});
