import { basicAuthorization, formUrlEncode } from '../../lib/client-auth/basic';
import { createClientAuthentication } from '../support/client-auth';

describe('client_secret_basic', () => {
  it('matches the RFC 6749 §2.3.1 test vector (form-urlencoded before Base64)', () => {
    expect(basicAuthorization('1PpG/Q 1', 'z/tZ9VwFZqApmIQ+ZH1I5pLk/uB4ud:X2/8bL+wfFTt1rFw=')).toBe(
      'Basic MVBwRyUyRlErMTp6JTJGdFo5VndGWnFBcG1JUSUyQlpIMUk1cExrJTJGdUI0dWQlM0FYMiUyRjhiTCUyQndmRlR0MXJGdyUzRA==',
    );
  });

  it("encodes space as + and escapes !'()*~ beyond encodeURIComponent", () => {
    expect(formUrlEncode("a b!'()*~")).toBe('a+b%21%27%28%29%2A%7E');
    expect(formUrlEncode('é:%')).toBe('%C3%A9%3A%25');
  });

  it('puts the header on the request and nothing in the body', async () => {
    const body = new URLSearchParams();
    const headers: Record<string, string> = {};
    await createClientAuthentication('client_secret_basic', { clientId: 'id', clientSecret: 's3cret' })({
      body,
      headers,
      tokenUrl: 'https://auth.example.com/token',
      issuer: undefined,
    });
    expect(headers['Authorization']).toBe(`Basic ${Buffer.from('id:s3cret').toString('base64')}`);
    expect(body.toString()).toBe('');
  });
});

describe('client_secret_post', () => {
  it('puts client_id and client_secret in the body and no Authorization header', async () => {
    const body = new URLSearchParams();
    const headers: Record<string, string> = {};
    await createClientAuthentication('client_secret_post', { clientId: 'id 1', clientSecret: 's+1' })({
      body,
      headers,
      tokenUrl: 'https://auth.example.com/token',
      issuer: undefined,
    });
    expect(body.get('client_id')).toBe('id 1');
    expect(body.get('client_secret')).toBe('s+1');
    expect(headers).toEqual({});
  });
});
