import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  OAuth2Error,
  selfSignedTlsClientAuth,
  tlsClientAuth,
  TokenRequestError,
  type ClientCredentialsOptions,
} from '../../lib';
import { makeCertificates, type TestCertificates } from '../support/certificates';
import { json, startLoopbackServer, type LoopbackServer, type SeenRequest } from '../support/loopback';

const CLIENT_ID = 'mtls-client';

interface MtlsServer {
  origin: string;
  requests: Array<SeenRequest & { peerSubject: string | undefined }>;
  close(): Promise<void>;
}

/**
 * An HTTPS token endpoint that authenticates clients by their TLS certificate (RFC 8705 §2):
 * `ca` mode requires a certificate from the test CA at the TLS layer and matches its subject CN
 * with client_id (tls_client_auth); `self-signed` mode accepts any certificate and compares its
 * SHA-256 fingerprint with the registered one (self_signed_tls_client_auth).
 */
async function startMtlsServer(certs: TestCertificates, mode: 'ca' | 'self-signed'): Promise<MtlsServer> {
  const requests: MtlsServer['requests'] = [];
  const registered = new X509Certificate(certs.selfSigned.cert).fingerprint256;
  const server: Server = createServer(
    {
      ...certs.server,
      ca: certs.ca.cert,
      requestCert: true,
      rejectUnauthorized: mode === 'ca',
    },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const peerSubject = peer.subject?.CN as string | undefined;
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, peerSubject });
        const clientId = new URLSearchParams(body).get('client_id');
        const authenticated =
          mode === 'ca' ? peerSubject === clientId : peer.fingerprint256 === registered && clientId === CLIENT_ID;
        if (!authenticated) {
          json(res, 401, { error: 'invalid_client', error_description: 'client certificate does not match' });
          return;
        }
        json(res, 200, { access_token: `mtls-${mode}-${requests.length}`, token_type: 'Bearer', expires_in: 3600 });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let certs: TestCertificates;
let caServer: MtlsServer;
let selfSignedServer: MtlsServer;
let api: LoopbackServer;

beforeAll(async () => {
  certs = makeCertificates(CLIENT_ID);
  [caServer, selfSignedServer, api] = await Promise.all([
    startMtlsServer(certs, 'ca'),
    startMtlsServer(certs, 'self-signed'),
    startLoopbackServer((_req, res) => json(res, 200, { ok: true })),
  ]);
});

afterAll(() => Promise.all([caServer.close(), selfSignedServer.close(), api.close()]));

beforeEach(() => {
  for (const server of [caServer, selfSignedServer, api]) server.requests.length = 0;
});

function setup(options: Partial<ClientCredentialsOptions>) {
  const client = axios.create({ baseURL: api.origin });
  const handle = installClientCredentials(client, {
    clientId: CLIENT_ID,
    store: new MemoryTokenStore(),
    ...options,
  } as ClientCredentialsOptions);
  return { client, handle };
}

describe('mutual TLS client authentication (RFC 8705)', () => {
  it('authenticates with tls_client_auth: client_id in the body, the certificate on the connection', async () => {
    const { client } = setup({
      tokenUrl: `${caServer.origin}/token`,
      clientAuthMethod: 'tls_client_auth',
      tls: { ...certs.client, ca: certs.ca.cert },
    });
    expect((await client.get('/a')).status).toBe(200);
    expect(caServer.requests).toHaveLength(1);
    const [request] = caServer.requests;
    expect(request!.peerSubject).toBe(CLIENT_ID);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
    });
    expect(request!.headers.authorization).toBeUndefined();
    expect(api.requests[0]!.headers.authorization).toBe('Bearer mtls-ca-1');
  });

  it('fails with a typed error saying a client certificate is required when none is presented', async () => {
    const { client, handle } = setup({
      tokenUrl: `${caServer.origin}/token`,
      clientAuthMethod: 'tls_client_auth',
      // Trusts the server, presents no certificate.
      httpsAgent: new Agent({ ca: certs.ca.cert }),
    });
    const error = (await handle.getToken().catch((e: unknown) => e)) as TokenRequestError;
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error.code).toBe('TOKEN_ENDPOINT_UNREACHABLE');
    expect(error.message).toMatch(
      /^token endpoint refused the TLS connection: it requires a client certificate it trusts \(ERR_SSL_\w+\)$/,
    );
    await expect(client.get('/a')).rejects.toBeInstanceOf(TokenRequestError);
    expect(api.requests).toHaveLength(0);
  });

  it('authenticates with self_signed_tls_client_auth and refuses another certificate', async () => {
    const { client } = setup({
      tokenUrl: `${selfSignedServer.origin}/token`,
      clientAuthMethod: 'self_signed_tls_client_auth',
      tls: { ...certs.selfSigned, ca: certs.ca.cert },
    });
    expect((await client.get('/a')).status).toBe(200);

    const other = setup({
      tokenUrl: `${selfSignedServer.origin}/token`,
      clientAuthMethod: 'self_signed_tls_client_auth',
      tls: { ...certs.client, ca: certs.ca.cert },
    });
    await expect(other.handle.getToken()).rejects.toMatchObject({
      constructor: OAuth2Error,
      error: 'invalid_client',
      status: 401,
    });
  });

  it('authenticates with a tlsClientAuth() strategy that carries its own certificate', async () => {
    const { client } = setup({
      tokenUrl: `${caServer.origin}/token`,
      clientAuth: tlsClientAuth({ ...certs.client, ca: certs.ca.cert }),
    });
    expect((await client.get('/a')).status).toBe(200);
    expect(caServer.requests).toHaveLength(1);
    expect(caServer.requests[0]!.peerSubject).toBe(CLIENT_ID);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer mtls-ca-1');
  });

  it("authenticates with a selfSignedTlsClientAuth() strategy through the token client's agent", async () => {
    const tokenClient = axios.create({ httpsAgent: new Agent({ ...certs.selfSigned, ca: certs.ca.cert }) });
    const { client } = setup({
      tokenUrl: `${selfSignedServer.origin}/token`,
      clientAuth: selfSignedTlsClientAuth(),
      tokenClient,
    });
    expect((await client.get('/a')).status).toBe(200);
    expect(selfSignedServer.requests).toHaveLength(1);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer mtls-self-signed-1');
  });

  it('uses the mtls_endpoint_aliases token endpoint found by discovery (RFC 8705 §5)', async () => {
    const plain = await startLoopbackServer((_req, res) => json(res, 401, { error: 'invalid_client' }));
    const metadata = await startLoopbackServer((_req, res) =>
      json(res, 200, {
        issuer: metadata.origin,
        token_endpoint: `${plain.origin}/token`,
        token_endpoint_auth_methods_supported: ['tls_client_auth', 'client_secret_basic'],
        mtls_endpoint_aliases: { token_endpoint: `${caServer.origin}/mtls/token` },
      }),
    );
    try {
      const { client } = setup({ issuer: metadata.origin, tls: { ...certs.client, ca: certs.ca.cert } });
      expect((await client.get('/a')).status).toBe(200);
      expect(caServer.requests.map((r) => r.url)).toEqual(['/mtls/token']);
      expect(plain.requests).toHaveLength(0);
    } finally {
      await Promise.all([plain.close(), metadata.close()]);
    }
  });
});
