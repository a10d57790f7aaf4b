import type { InternalAxiosRequestConfig } from 'axios';
import { createOriginPolicy } from '../lib/origins';

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
    expect(withheld).toEqual(['https://other.example.com', 'https://moved.example.com']);
  });

  it('refuses relative URLs without a baseURL when origins are listed', () => {
    expect(createOriginPolicy(undefined, ['https://files.example.com'])(config({ url: '/x' }))).toBe(false);
  });
});
