import { formUrlEncode } from './client-auth/basic';

const REDACTED = '[redacted]';

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Every form in which a token request's credentials could come back in the answer: the whole
 * `Authorization` value and its credentials part; for Basic, the decoded `id:secret` pair and the
 * secret both form-encoded (as sent, RFC 6749 §2.3.1) and decoded; `client_secret` and
 * `client_assertion` from the body, raw and form-encoded; the `DPoP` proof. Longest first, so a
 * longer form is replaced before a shorter one inside it.
 */
export function sentSecrets(headers: Readonly<Record<string, string>>, body: URLSearchParams): string[] {
  const values: Array<string | undefined> = [];
  const authorization = headers['Authorization'];
  if (authorization !== undefined) {
    values.push(authorization);
    const space = authorization.indexOf(' ');
    const credentials = space === -1 ? authorization : authorization.slice(space + 1).trim();
    values.push(credentials);
    if (/^basic$/i.test(authorization.slice(0, space))) {
      const pair = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      values.push(pair);
      if (colon !== -1) values.push(pair.slice(colon + 1), formDecode(pair.slice(colon + 1)));
    }
  }
  for (const name of ['client_secret', 'client_assertion']) {
    for (const value of body.getAll(name)) values.push(value, formUrlEncode(value));
  }
  values.push(headers['DPoP']);
  const unique = new Set(values.filter((value): value is string => value !== undefined && value !== ''));
  return [...unique].sort((a, b) => b.length - a.length);
}

/** A function that replaces each of `secrets` wherever it occurs in a text. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((result, secret) => result.split(secret).join(REDACTED), text);
}
