import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Secret } from './config/secret.js';
import { createLogger } from './log.js';

describe('logger', () => {
  it('redacts secret paths, Secret objects, and any secret value anywhere in a line', () => {
    let out = '';
    const destination = new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } });
    const log = createLogger({ level: 'info', secrets: ['EAAB-token-value', 'api-key-0123456789'], destination });
    log.info({ accessToken: 'EAAB-token-value', nested: { appSecret: 'x-secret' }, key: new Secret('api-key-0123456789') }, 'config');
    log.error({ err: 'request to https://graph/?access_token=EAAB-token-value failed' }, 'boom api-key-0123456789');
    expect(out).not.toContain('EAAB-token-value');
    expect(out).not.toContain('x-secret');
    expect(out).not.toContain('api-key-0123456789');
    expect(out).toContain('[redacted]');
    expect(out.split('\n').filter(Boolean)).toHaveLength(2);
  });
});
