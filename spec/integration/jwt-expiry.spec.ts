import axios from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../../lib';
import { jwtLifetimeMs } from '../../lib/jwt-expiry';
import { json, startLoopbackServer, type LoopbackServer } from '../support/loopback';

const SENT_AT = Date.UTC(2026, 0, 1);
const jwt = (claims: unknown): string =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('jwtLifetimeMs()', () => {
  const year = 365 * 24 * 3600 * 1000;
  it('reads the lifetime from the exp claim, decoded and not verified', () => {
    expect(jwtLifetimeMs(jwt({ exp: SENT_AT / 1000 + 900 }), SENT_AT, year)).toBe(900_000);
  });
  it.each([
    ['an opaque token', 'opaque-token'],
    ['an exp already past', jwt({ exp: SENT_AT / 1000 - 1 })],
    ['an exp beyond the bound', jwt({ exp: SENT_AT / 1000 + 366 * 24 * 3600 })],
    ['a string exp', jwt({ exp: String(SENT_AT / 1000 + 900) })],
    ['no exp', jwt({ sub: 'x' })],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c'],
    ['a null payload', jwt(null)],
  ])('gives undefined for %s', (_what, token) => {
    expect(jwtLifetimeMs(token, SENT_AT, year)).toBeUndefined();
  });
});

describe('a token response without expires_in', () => {
  let tokens: LoopbackServer;
  let answer: Record<string, unknown> = {};
  beforeAll(async () => {
    tokens = await startLoopbackServer((_req, res) => json(res, 200, answer));
  });
  afterAll(() => tokens.close());

  function getToken(defaultExpiresInSeconds?: number) {
    const instance = axios.create({ baseURL: 'https://api.example' });
    const handle = installClientCredentials(instance, {
      tokenUrl: `${tokens.origin}/token`,
      clientId: 'client',
      clientSecret: 'secret',
      store: new MemoryTokenStore(),
      ...(defaultExpiresInSeconds === undefined ? {} : { defaultExpiresInSeconds }),
    });
    return handle.getToken();
  }

  it("expires when the JWT access token's exp says, not after the default lifetime", async () => {
    const exp = Math.floor(Date.now() / 1000) + 7200;
    answer = { access_token: jwt({ exp }), token_type: 'Bearer' };
    const token = await getToken();
    expect(token.expiresAt).toBe(exp * 1000);
  });

  it('falls back to the default lifetime for an opaque token', async () => {
    answer = { access_token: 'opaque', token_type: 'Bearer' };
    const token = await getToken(120);
    expect(token.expiresAt - token.issuedAt).toBe(120_000);
  });

  it('prefers expires_in to the exp claim', async () => {
    answer = { access_token: jwt({ exp: Math.floor(Date.now() / 1000) + 7200 }), token_type: 'Bearer', expires_in: 60 };
    const token = await getToken();
    expect(token.expiresAt - token.issuedAt).toBe(60_000);
  });
});
