import { describe, expect, it } from 'vitest';
import { isInvalidTokenResponse, shouldAttachToken } from '../../src/fetch.ts';

describe('shouldAttachToken', () => {
  const origins = new Set(['https://api.example.com', 'http://127.0.0.1:8080']);
  it.each<[string, boolean]>([
    ['https://api.example.com/v1/items', true],
    ['https://api.example.com:443/v1', true],
    ['http://127.0.0.1:8080/x', true],
    ['https://API.EXAMPLE.COM/x', true],
    ['https://api.example.com.evil.test/x', false],
    ['https://evil.test/https://api.example.com/', false],
    ['http://api.example.com/x', false],
    ['https://api.example.com:8443/x', false],
    ['https://user:pass@api.example.com/x', false],
    ['https://user@api.example.com/x', false],
    ['http://localhost:8080/x', false],
    ['http://127.0.0.1:8081/x', false],
    ['https://sub.api.example.com/x', false],
  ])('%s → %s', (url, expected) => {
    expect(shouldAttachToken(new URL(url), origins)).toBe(expected);
  });
});

describe('isInvalidTokenResponse', () => {
  it.each<[number, string | null, boolean]>([
    [401, 'Bearer error="invalid_token"', true],
    [401, 'Bearer realm="api", error="invalid_token", error_description="expired"', true],
    [401, 'Bearer error=invalid_token', true],
    [401, 'Bearer error="insufficient_scope"', false],
    [401, 'Bearer error="invalid_token_type"', false],
    [401, null, false],
    [403, 'Bearer error="invalid_token"', false],
  ])('%i %s → %s', (status, header, expected) => {
    const response = new Response(null, { status, headers: header ? { 'www-authenticate': header } : {} });
    expect(isInvalidTokenResponse(response)).toBe(expected);
  });
});
