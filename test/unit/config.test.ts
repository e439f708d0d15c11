import { describe, expect, it } from 'vitest';
import { resolveConfig, type SessionConfig } from '../../src/config.ts';
import { isLatchkeyError } from '../../src/errors.ts';

const valid: SessionConfig = {
  issuer: 'https://auth.example.com',
  clientId: 'spa',
  redirectUri: 'https://app.example.com/callback',
};

function rejection(config: unknown): { code: string; message: string } {
  try {
    resolveConfig(config as SessionConfig);
  } catch (error) {
    if (!isLatchkeyError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('expected invalid_config');
}

describe('resolveConfig', () => {
  it('applies the defaults', () => {
    const config = resolveConfig(valid);
    expect(config.scope).toBe('openid profile offline_access');
    expect(config.refreshLeewaySeconds).toBe(60);
    expect(config.storageName).toBe('latchkey');
    expect(config.dpop).toBeUndefined();
    expect([...config.apiOrigins]).toEqual([]);
    expect(config.resource).toEqual([]);
    expect(config.allowInsecure).toBe(false);
  });

  it('normalises api origins and resources', () => {
    const config = resolveConfig({ ...valid, apiOrigins: ['https://api.example.com/', 'http://127.0.0.1:8080'], resource: 'https://api.example.com' });
    expect([...config.apiOrigins]).toEqual(['https://api.example.com', 'http://127.0.0.1:8080']);
    expect(config.resource).toEqual(['https://api.example.com']);
  });

  it.each(['http://localhost:3000', 'http://127.0.0.1:9000', 'http://[::1]:4000'])('allows http on loopback: %s', (issuer) => {
    expect(resolveConfig({ ...valid, issuer }).allowInsecure).toBe(true);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['missing clientId', { clientId: undefined }, /clientId/],
    ['blank clientId', { clientId: '  ' }, /clientId/],
    ['numeric clientId', { clientId: 7 }, /clientId/],
    ['relative issuer', { issuer: '/auth' }, /issuer/],
    ['missing issuer', { issuer: undefined }, /issuer/],
    ['http issuer on a public host', { issuer: 'http://auth.example.com' }, /issuer.*https/],
    ['issuer with a query', { issuer: 'https://auth.example.com/?x=1' }, /issuer/],
    ['ftp issuer', { issuer: 'ftp://auth.example.com' }, /issuer/],
    ['relative redirectUri', { redirectUri: 'callback' }, /redirectUri/],
    ['http redirectUri on a public host', { redirectUri: 'http://app.example.com/' }, /redirectUri/],
    ['redirectUri with a fragment', { redirectUri: 'https://app.example.com/#cb' }, /redirectUri/],
    ['redirectUri with credentials', { redirectUri: 'https://u:p@app.example.com/' }, /redirectUri/],
    ['http postLogoutRedirectUri on a public host', { postLogoutRedirectUri: 'http://app.example.com/' }, /postLogoutRedirectUri/],
    ['scope without openid', { scope: 'profile' }, /scope/],
    ['scope not a string', { scope: ['openid'] }, /scope/],
    ['apiOrigins not an array', { apiOrigins: 'https://api.example.com' }, /apiOrigins/],
    ['apiOrigins entry with a path', { apiOrigins: ['https://api.example.com/v1'] }, /apiOrigins\[0\]/],
    ['apiOrigins entry over http on a public host', { apiOrigins: ['http://api.example.com'] }, /apiOrigins\[0\]/],
    ['apiOrigins entry not a string', { apiOrigins: [42] }, /apiOrigins\[0\]/],
    ['resource not a URL', { resource: 'api' }, /resource\[0\]/],
    ['dpop not a boolean', { dpop: 'yes' }, /dpop/],
    ['negative leeway', { refreshLeewaySeconds: -1 }, /refreshLeewaySeconds/],
    ['NaN leeway', { refreshLeewaySeconds: Number.NaN }, /refreshLeewaySeconds/],
    ['empty storageName', { storageName: '' }, /storageName/],
  ])('rejects %s with invalid_config naming the field', (_name, change, field) => {
    const result = rejection({ ...valid, ...change });
    expect(result.code).toBe('invalid_config');
    expect(result.message).toMatch(field);
  });

  it('rejects a missing config object', () => {
    expect(rejection(undefined).code).toBe('invalid_config');
  });
});

describe('resolveConfig over every field and many wrong values', () => {
  const wrongValues: unknown[] = [null, 0, 1, -1, Number.NaN, Infinity, true, false, '', ' ', 'relative/path', 'javascript:alert(1)',
    'http://evil.example.com', {}, [], ['x'], [42], () => 'x', Symbol('s'), 10n, new Date(0)];
  const fields = ['issuer', 'clientId', 'redirectUri', 'scope', 'apiOrigins', 'postLogoutRedirectUri', 'resource', 'dpop', 'refreshLeewaySeconds', 'storageName'] as const;

  it.each(fields)('%s: every value is either accepted or rejected with invalid_config naming the field', (field) => {
    let rejected = 0;
    for (const value of wrongValues) {
      let outcome: unknown;
      try {
        resolveConfig({ ...valid, [field]: value } as SessionConfig);
        outcome = 'accepted';
      } catch (error) {
        outcome = error;
      }
      if (outcome === 'accepted') continue;
      rejected += 1;
      expect(isLatchkeyError(outcome, 'invalid_config'), `${field} = ${String(value)} threw ${String(outcome)}`).toBe(true);
      expect((outcome as Error).message).toContain(field);
    }
    expect(rejected).toBeGreaterThan(wrongValues.length / 2);
  });

  it('random configs never throw anything but invalid_config', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const goodValues: Record<string, unknown[]> = {
      issuer: [valid.issuer, 'http://127.0.0.1:9000'],
      clientId: ['spa'],
      redirectUri: [valid.redirectUri, 'http://localhost:3000/'],
      scope: ['openid', 'openid email'],
      apiOrigins: [['https://api.example.com']],
      postLogoutRedirectUri: ['https://app.example.com/'],
      resource: ['https://api.example.com', ['https://a.example.com', 'https://b.example.com']],
      dpop: [true, false],
      refreshLeewaySeconds: [0, 30],
      storageName: ['db'],
    };
    for (let i = 0; i < 2_000; i++) {
      const config: Record<string, unknown> = {};
      for (const field of fields) {
        const roll = random();
        if (roll < 0.5) config[field] = pick(goodValues[field]!);
        else if (roll < 0.8) config[field] = pick(wrongValues);
      }
      try {
        resolveConfig(config as unknown as SessionConfig);
      } catch (error) {
        expect(isLatchkeyError(error, 'invalid_config'), String(error)).toBe(true);
      }
    }
  });
});
