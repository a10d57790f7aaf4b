import { createHash, generateKeyPairSync } from 'node:crypto';
import { Agent } from 'node:https';
import axios, { type AxiosAdapter } from 'axios';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { installClientCredentials, type ClientCredentialsOptions, type TokenStore } from '../../lib';
import { certificateFingerprint, publicKeyThumbprint, secretFingerprint } from '../../lib/client-auth/fingerprint';
import { resolveOptions } from '../../lib/resolve-options';
import { makeCertificates } from '../support/certificates';

/** A token endpoint in an adapter: the token URL stays fixed, so the cache key does too. */
const tokenAdapter: AxiosAdapter = async (config) => ({
  data: JSON.stringify({ access_token: 'fixed-token', token_type: 'Bearer', expires_in: 3600 }),
  status: 200,
  statusText: 'OK',
  headers: { 'content-type': 'application/json' },
  config,
});

/** The keys the manager writes under. */
function recordingStore(): TokenStore & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    get: () => undefined,
    set: (key: string) => void keys.push(key),
    delete: () => false,
  };
}

async function keyOf(options: Record<string, unknown>): Promise<string> {
  const store = recordingStore();
  const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
    tokenUrl: 'https://auth.example.com/oauth/token',
    clientId: 'svc',
    clientSecret: 'secret-1',
    scope: 'invoices:read',
    tokenClient: axios.create({ adapter: tokenAdapter }),
    store,
    ...options,
  } as ClientCredentialsOptions);
  await handle.getToken();
  expect(store.keys).toHaveLength(1);
  return store.keys[0]!;
}

describe('credential fingerprints', () => {
  it('fingerprints a secret as a domain-separated SHA-256 of 128 bits that is not the plain digest', () => {
    const fingerprint = secretFingerprint('svc', 'secret-1');
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{22}$/); // 16 bytes, base64url
    expect(fingerprint).toBe(secretFingerprint('svc', 'secret-1'));
    expect(fingerprint).not.toBe(secretFingerprint('svc', 'secret-2'));
    expect(fingerprint).not.toBe(secretFingerprint('other', 'secret-1'));
    const plain = createHash('sha256').update('secret-1').digest('base64url');
    expect(plain.startsWith(fingerprint)).toBe(false);
  });

  it.each(['rsa', 'ec', 'ed25519'] as const)(
    'gives a %s key its RFC 7638 thumbprint, as jose computes it',
    async (type) => {
      const { privateKey, publicKey } =
        type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : type === 'ec'
            ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
            : generateKeyPairSync('ed25519');
      expect(publicKeyThumbprint(privateKey)).toBe(await calculateJwkThumbprint(await exportJWK(publicKey)));
    },
  );

  it('gives a client certificate the SHA-256 of its DER form', () => {
    const { client } = makeCertificates('svc');
    const agent = new Agent({ cert: client.cert, key: client.key });
    const der = Buffer.from(client.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(certificateFingerprint(agent)).toBe(createHash('sha256').update(der).digest('base64url'));
    expect(certificateFingerprint(new Agent())).toBeUndefined();
  });

  it('names each credential the options hold, never the secret itself', () => {
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const options = { tokenUrl: 'https://auth.example.com/token', clientId: 'svc', clientSecret: 'secret-1' };
    const text = resolveOptions(api, options).credential;
    expect(text).toBe(`secret:${secretFingerprint('svc', 'secret-1')}`);
    expect(text).not.toContain('secret-1');
  });
});

describe('the cache key of an installation', () => {
  it('stays exactly this for a fixed configuration (a silent change would orphan fleet-shared tokens)', async () => {
    expect(await keyOf({})).toBe('axios-client-credentials:kcfVlv2bDNPV-ywPnv5Jc-9EjWBqF_SxMLcFk3ROWKE');
  });

  it('changes when the secret changes, and not otherwise', async () => {
    const first = await keyOf({});
    expect(await keyOf({})).toBe(first);
    expect(await keyOf({ clientSecret: 'secret-2' })).not.toBe(first);
  });

  it('changes with the private key of private_key_jwt', async () => {
    const a = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const withA = await keyOf({ clientSecret: undefined, privateKey: a, clientAuthMethod: 'private_key_jwt' });
    expect(await keyOf({ clientSecret: undefined, privateKey: a, clientAuthMethod: 'private_key_jwt' })).toBe(withA);
    expect(await keyOf({ clientSecret: undefined, privateKey: b, clientAuthMethod: 'private_key_jwt' })).not.toBe(
      withA,
    );
  });
});
