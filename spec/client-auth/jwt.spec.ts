import { generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { ClientCredentialsError, installClientCredentials, type ClientCredentialsOptions } from '../../lib';
import type { TokenRequestParts } from '../../lib/client-auth';
import { clientSecretJwtAssertion, privateKeyJwtAssertion, JWT_BEARER_ASSERTION_TYPE } from '../../lib/client-auth/jwt';
import { resolveSigningKey } from '../../lib/client-auth/keys';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const ISSUER = 'https://auth.example.com';
const NOW_MS = 1_800_000_000_123;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed25519 = generateKeyPairSync('ed25519');
const RSA_PEM = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

function parts(issuer?: string): TokenRequestParts {
  return { body: new URLSearchParams(), headers: {}, tokenUrl: TOKEN_URL, issuer };
}

function decode(assertion: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = assertion
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
  return { header: header!, payload: payload! };
}

describe('privateKeyJwtAssertion()', () => {
  it('sends client_assertion_type and an assertion with iss, sub, aud, jti, iat and exp (RFC 7523 §3)', async () => {
    const request = parts();
    privateKeyJwtAssertion('svc', resolveSigningKey(RSA_PEM, undefined, 'k1'), 'issuer', () => NOW_MS)(request);
    expect(request.body.get('client_assertion_type')).toBe(JWT_BEARER_ASSERTION_TYPE);
    expect(request.body.get('client_id')).toBe('svc');
    expect(request.headers).toEqual({});
    const { header, payload } = decode(request.body.get('client_assertion')!);
    expect(header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(payload).toEqual({
      iss: 'svc',
      sub: 'svc',
      aud: TOKEN_URL,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: 1_800_000_000,
      exp: 1_800_000_060,
    });
  });

  it('uses the issuer as the audience when it is known, unless told to use the token endpoint', async () => {
    const key = resolveSigningKey(ec256.privateKey, undefined, undefined);
    const withIssuer = parts(ISSUER);
    privateKeyJwtAssertion('svc', key, 'issuer')(withIssuer);
    expect(decode(withIssuer.body.get('client_assertion')!).payload['aud']).toBe(ISSUER);
    const endpoint = parts(ISSUER);
    privateKeyJwtAssertion('svc', key, 'tokenEndpoint')(endpoint);
    expect(decode(endpoint.body.get('client_assertion')!).payload['aud']).toBe(TOKEN_URL);
  });

  it('signs a new assertion with a fresh jti on every call', async () => {
    const authenticate = privateKeyJwtAssertion(
      'svc',
      resolveSigningKey(ec256.privateKey, undefined, undefined),
      'issuer',
    );
    const jtis = new Set<unknown>();
    for (let i = 0; i < 5; i += 1) {
      const request = parts();
      authenticate(request);
      jtis.add(decode(request.body.get('client_assertion')!).payload['jti']);
    }
    expect(jtis.size).toBe(5);
  });

  it('produces a signature the public key verifies', async () => {
    const { jwtVerify } = await import('jose');
    const request = parts(ISSUER);
    privateKeyJwtAssertion('svc', resolveSigningKey(ed25519.privateKey, undefined, undefined), 'issuer')(request);
    const { protectedHeader } = await jwtVerify(request.body.get('client_assertion')!, ed25519.publicKey, {
      issuer: 'svc',
      subject: 'svc',
      audience: ISSUER,
    });
    expect(protectedHeader.alg).toBe('EdDSA');
  });
});

describe('client assertion signing with node:crypto', () => {
  const ec384Jwk = ec384.privateKey.export({ format: 'jwk' });
  const ec521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });

  // Every asymmetric algorithm, with the key forms spread over them: PEM, JWK, KeyObject, CryptoKey.
  it.each([
    ['RS256', RSA_PEM, rsa.publicKey],
    ['RS384', rsa.privateKey.export({ format: 'jwk' }), rsa.publicKey],
    ['RS512', rsa.privateKey, rsa.publicKey],
    ['PS256', RSA_PEM, rsa.publicKey],
    ['PS384', rsa.privateKey.export({ format: 'jwk' }), rsa.publicKey],
    ['PS512', rsa.privateKey, rsa.publicKey],
    ['ES256', ec256.privateKey, ec256.publicKey],
    ['ES384', ec384Jwk, ec384.publicKey],
    ['ES512', ec521.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), ec521.publicKey],
    ['EdDSA', ed25519.privateKey, ed25519.publicKey],
    ['Ed25519', ed25519.privateKey.export({ format: 'jwk' }), ed25519.publicKey],
  ] as const)('signs %s assertions that jose verifies', async (alg, privateKey, publicKey) => {
    const { jwtVerify } = await import('jose');
    const request = parts(ISSUER);
    privateKeyJwtAssertion('svc', resolveSigningKey(privateKey, alg, 'k'), 'issuer')(request);
    const { protectedHeader, payload } = await jwtVerify(request.body.get('client_assertion')!, publicKey, {
      algorithms: [alg],
      issuer: 'svc',
      subject: 'svc',
      audience: ISSUER,
    });
    expect(protectedHeader).toEqual({ alg, kid: 'k' });
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('signs with a WebCrypto CryptoKey, converted with KeyObject.from', async () => {
    const { jwtVerify } = await import('jose');
    const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']);
    const request = parts();
    privateKeyJwtAssertion('svc', resolveSigningKey(pair.privateKey, undefined, undefined), 'issuer')(request);
    const { protectedHeader } = await jwtVerify(request.body.get('client_assertion')!, pair.publicKey, {
      algorithms: ['ES384'],
    });
    expect(protectedHeader).toEqual({ alg: 'ES384' });
  });

  it.each(['HS256', 'HS384', 'HS512'] as const)(
    'signs %s client_secret_jwt assertions that jose verifies',
    async (alg) => {
      const { jwtVerify } = await import('jose');
      const secret = 'shared-secret-of-64-bytes-or-more-0123456789abcdef0123456789abcdef';
      const request = parts();
      clientSecretJwtAssertion('svc', secret, alg, 'issuer')(request);
      const { protectedHeader } = await jwtVerify(
        request.body.get('client_assertion')!,
        new TextEncoder().encode(secret),
        {
          algorithms: [alg],
        },
      );
      expect(protectedHeader).toEqual({ alg });
    },
  );

  it('signs synchronously: the assertion is in the body when the call returns', () => {
    const request = parts();
    const returned = privateKeyJwtAssertion('svc', resolveSigningKey(RSA_PEM, undefined, undefined), 'issuer')(request);
    expect(returned).toBeUndefined();
    expect(request.body.get('client_assertion')?.split('.')).toHaveLength(3);
  });

  it('rejects at install a key that cannot sign the algorithm, naming the option', () => {
    const restricted = generateKeyPairSync('rsa-pss', {
      modulusLength: 2048,
      hashAlgorithm: 'sha256',
      mgf1HashAlgorithm: 'sha256',
    });
    expect(() => resolveSigningKey(restricted.privateKey, 'PS384', undefined)).toThrow(
      new TypeError('"signingAlgorithm" option cannot sign "PS384" with an RSA key'),
    );
    expect(resolveSigningKey(restricted.privateKey, 'PS256', undefined).alg).toBe('PS256');
  });

  it('fails the API request with CLIENT_ASSERTION_FAILED when the runtime cannot sign, and sends nothing', async () => {
    const tokenClient = axios.create();
    const tokenEndpoint = new MockAdapter(tokenClient);
    tokenEndpoint.onPost(TOKEN_URL).reply(200, { access_token: 'tok', token_type: 'Bearer', expires_in: 60 });
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const apiServer = new MockAdapter(api);
    apiServer.onGet('/x').reply(200, 'ok');
    installClientCredentials(api, { tokenUrl: TOKEN_URL, clientId: 'svc', privateKey: RSA_PEM, tokenClient });
    const keyText = RSA_PEM.split('\n')[1]!;
    // The module object itself, as lib/jws.ts reads it at each call (an `import *` is a frozen copy).
    const sign = jest.spyOn(require('node:crypto') as typeof import('node:crypto'), 'sign').mockImplementation(() => {
      throw Object.assign(new Error(`openssl refused ${keyText}`), { code: 'ERR_OSSL_EVP_UNSUPPORTED' });
    });
    try {
      const error = (await api.get('/x').catch((e: unknown) => e)) as ClientCredentialsError;
      expect(error).toBeInstanceOf(ClientCredentialsError);
      expect(error.name).toBe('ClientCredentialsError');
      expect(error.code).toBe('CLIENT_ASSERTION_FAILED');
      expect(error.message).toBe('client assertion could not be signed (ERR_OSSL_EVP_UNSUPPORTED)');
      expect(error.cause).toBeUndefined();
      expect(`${inspect(error)} ${JSON.stringify(error)}`).not.toContain(keyText);
      expect(sign).toHaveBeenCalledTimes(1);
      expect(tokenEndpoint.history['post']).toHaveLength(0);
      expect(apiServer.history['get']).toHaveLength(0);
    } finally {
      sign.mockRestore();
    }
  });
});

describe('clientSecretJwtAssertion()', () => {
  it('signs HS256 over the client secret and never sends the secret', async () => {
    const { jwtVerify } = await import('jose');
    const request = parts();
    clientSecretJwtAssertion('svc', 'shared-secret-of-32-bytes-or-more!!', 'HS256', 'issuer')(request);
    expect(request.body.toString()).not.toContain('shared-secret');
    const assertion = request.body.get('client_assertion')!;
    expect(decode(assertion).header).toEqual({ alg: 'HS256' });
    await expect(
      jwtVerify(assertion, new TextEncoder().encode('shared-secret-of-32-bytes-or-more!!')),
    ).resolves.toBeDefined();
  });
});

describe('resolveSigningKey()', () => {
  it.each([
    ['an RSA PEM', RSA_PEM, 'RS256'],
    ['an RSA KeyObject', rsa.privateKey, 'RS256'],
    ['a P-256 key', ec256.privateKey, 'ES256'],
    ['a P-384 JWK', ec384.privateKey.export({ format: 'jwk' }), 'ES384'],
    ['an Ed25519 key', ed25519.privateKey, 'EdDSA'],
  ])('defaults the algorithm for %s', (_label, key, alg) => {
    expect(resolveSigningKey(key, undefined, undefined).alg).toBe(alg);
  });

  it("takes the algorithm and the kid from the JWK's alg and kid", () => {
    const jwk = { ...rsa.privateKey.export({ format: 'jwk' }), alg: 'PS256', kid: 'from-jwk' };
    expect(resolveSigningKey(jwk, undefined, undefined)).toMatchObject({ alg: 'PS256', kid: 'from-jwk' });
    expect(resolveSigningKey(jwk, undefined, 'override').kid).toBe('override');
  });

  it('accepts a CryptoKey', async () => {
    const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    expect(resolveSigningKey(pair.privateKey, undefined, undefined).alg).toBe('ES256');
  });
});

describe('installClientCredentials() client authentication options', () => {
  const base = { tokenUrl: TOKEN_URL, clientId: 'svc' };
  const install = (options: Record<string, unknown>) => () =>
    installClientCredentials(axios.create(), { ...base, ...options } as unknown as ClientCredentialsOptions);

  it.each([
    [{ clientAuthMethod: 'private_key_jwt' }, '"privateKey" option is required by "private_key_jwt"'],
    [{ clientAuthMethod: 'client_secret_jwt' }, '"clientSecret" option is required by "client_secret_jwt"'],
    [{ clientAuthMethod: 'client_secret_post', privateKey: RSA_PEM }, '"clientSecret" option is required by'],
    [{ clientAuthMethod: 'tls_client_auth' }, '"tls" option is required by "tls_client_auth"'],
    [{}, '"clientSecret" option is required by "client_secret_basic"; or set "privateKey"'],
    [{ privateKey: 'not a key' }, '"privateKey" option must be a PKCS#8 PEM string'],
    [
      { privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' },
      '"privateKey" option could not be read',
    ],
    [{ privateKey: ec256.publicKey }, '"privateKey" option must be a private key, not a public key'],
    [{ privateKey: ec256.publicKey.export({ format: 'jwk' }) }, '"privateKey" option is a public JWK'],
    [
      { privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey },
      '"privateKey" option must be an RSA key of at least 2048 bits',
    ],
    [
      { privateKey: RSA_PEM, signingAlgorithm: 'ES256' },
      '"signingAlgorithm" option "ES256" cannot be used with an RSA key',
    ],
    [{ privateKey: ec256.privateKey, signingAlgorithm: 'ES384' }, 'cannot be used with a prime256v1 key; use "ES256"'],
    [
      { privateKey: { ...ec256.privateKey.export({ format: 'jwk' }), alg: 'ES384' } },
      '"privateKey" option "ES384" cannot be used with a prime256v1 key',
    ],
    [
      { privateKey: RSA_PEM, clientAuthMethod: 'private_key_jwt', signingAlgorithm: 'HS256' },
      '"signingAlgorithm" option "HS256" cannot be used with "private_key_jwt"',
    ],
    [
      { clientSecret: 's', clientAuthMethod: 'client_secret_jwt', signingAlgorithm: 'RS256' },
      '"signingAlgorithm" option must be "HS256"',
    ],
    [{ privateKey: RSA_PEM, keyId: '' }, '"keyId" option must be a non-empty string'],
    [
      { clientSecret: 's', assertionAudience: 'issuer' },
      '"assertionAudience" option "issuer" requires the "issuer" option',
    ],
    [
      { clientSecret: 's', assertionAudience: 'both' },
      '"assertionAudience" option must be "issuer" or "tokenEndpoint"',
    ],
    [{ clientSecret: 's', issuer: ISSUER }, '"issuer" option cannot be combined with "tokenUrl"'],
    [{ clientSecret: 's', tls: { cert: 'x' } }, '"tls" option must have "key"'],
    [
      { clientSecret: 's', tls: { cert: 'x', key: 'y' } },
      '"tls" option holds a certificate, key or passphrase that cannot be used',
    ],
  ])('throws a TypeError naming the option for %#', (options, message) => {
    expect(install(options)).toThrow(TypeError);
    expect(install(options)).toThrow(message);
  });

  it('never puts key material in a validation message', () => {
    const jwk = ec256.privateKey.export({ format: 'jwk' });
    const attempts = [
      { privateKey: RSA_PEM.replace('MII', 'XXX') },
      { privateKey: { ...jwk, alg: 'RS256' } },
      { privateKey: RSA_PEM, signingAlgorithm: 'ES512' },
    ];
    for (const options of attempts) {
      const error = (() => {
        try {
          install(options)();
        } catch (e) {
          return e as Error;
        }
        throw new Error('expected a TypeError');
      })();
      expect(error.message).not.toContain(RSA_PEM.split('\n')[1]!.slice(8, 40));
      expect(error.message).not.toContain(jwk.d!);
    }
  });

  it('keeps the key out of util.inspect and JSON.stringify of the handle', () => {
    const key: KeyObject = rsa.privateKey;
    const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
      ...base,
      privateKey: RSA_PEM,
    });
    const d = key.export({ format: 'jwk' }).d!;
    for (const text of [inspect(handle, { depth: 10, showHidden: true }), JSON.stringify(handle)]) {
      expect(text).not.toContain(d);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });
});
