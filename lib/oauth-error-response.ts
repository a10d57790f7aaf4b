import { OAuth2Error } from './errors';

// RFC 6749 §5.2 bounds none of the error members; ours are kept to what a log line can carry.
const MAX_ERROR_CODE_LENGTH = 128;
const MAX_ERROR_DESCRIPTION_LENGTH = 1024;
const MAX_ERROR_URI_LENGTH = 2048;

/**
 * Server text made safe to show: what we sent redacted, control characters blanked, length capped.
 */
export function serverText(value: string, max: number, redact: (text: string) => string): string {
  // Redacted before capping, so a cut never leaves a secret's prefix behind.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = redact(value).replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
  return clean.length <= max ? clean : `${clean.slice(0, max)}…`;
}

/**
 * The RFC 6749 §5.2 error of an answer, when it has an `error` string, with every member made safe
 * by {@link serverText}: a server that echoes the request cannot put a credential into the error.
 */
export function oauthError(
  status: number,
  json: Record<string, unknown>,
  redact: (text: string) => string,
): OAuth2Error | undefined {
  if (typeof json['error'] !== 'string') return undefined;
  const description = json['error_description'];
  const uri = json['error_uri'];
  return new OAuth2Error({
    error: serverText(json['error'], MAX_ERROR_CODE_LENGTH, redact),
    errorDescription:
      typeof description === 'string' ? serverText(description, MAX_ERROR_DESCRIPTION_LENGTH, redact) : undefined,
    errorUri: typeof uri === 'string' ? serverText(uri, MAX_ERROR_URI_LENGTH, redact) : undefined,
    status,
  });
}
