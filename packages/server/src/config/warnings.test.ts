import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve.js';
import { configWarnings } from './warnings.js';

const base = { FB_PIXEL_ID: '1234567890', FB_ACCESS_TOKEN: 'EAAB-secret-token-value' };
const warn = (env: Record<string, string>) => configWarnings(resolveConfig({ env: { ...base, ...env } }));

describe('configWarnings', () => {
  it('warns when API_KEYS and ALLOWED_ORIGINS are both unset (/v1 refuses everyone, /collect only same-origin)', () => {
    const w = warn({});
    expect(w.map((x) => x.field)).toEqual(['API_KEYS, ALLOWED_ORIGINS']);
    expect(w[0]!.message).toContain('401');
  });

  it('names ALLOWED_ORIGINS=* as open, and a non-local http origin', () => {
    const w = warn({ API_KEYS: 'k'.repeat(20), ALLOWED_ORIGINS: '*,http://shop.example,http://localhost:3000' });
    expect(w.map((x) => x.field)).toEqual(['ALLOWED_ORIGINS', 'ALLOWED_ORIGINS']);
    expect(w[0]!.message).toContain('any website');
    expect(w[1]!.message).toContain('http://shop.example');
  });

  it('is silent for a complete configuration and never echoes a secret', () => {
    expect(warn({ API_KEYS: 'k'.repeat(20), ALLOWED_ORIGINS: 'https://shop.example' })).toEqual([]);
    const all = JSON.stringify(warn({ API_KEYS: 'secret-api-key-0123456789', TRUST_PROXY: 'true', METRICS_REQUIRE_KEY: 'false' }));
    expect(all).toContain('TRUST_PROXY');
    expect(all).toContain('METRICS_REQUIRE_KEY');
    expect(all).not.toContain('secret-api-key-0123456789');
    expect(all).not.toContain('EAAB-secret-token-value');
  });
});
