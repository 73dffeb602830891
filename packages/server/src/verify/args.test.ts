import { describe, expect, it } from 'vitest';
import { USAGE, parseVerifyArgs } from './args.js';

const base = ['https://shop.test/', '--server', 'https://collect.shop.test/', '--key', 'k1'];

describe('parseVerifyArgs', () => {
  it('reads the page, server (trailing slash removed), key and defaults', () => {
    expect(parseVerifyArgs(base)).toEqual({
      ok: true,
      options: { pageUrl: 'https://shop.test/', serverUrl: 'https://collect.shop.test', apiKey: 'k1', waitMs: 5000, json: false },
    });
  });

  it('accepts a leading "verify", --opt=value, --journey, --wait, --json and --chromium', () => {
    const r = parseVerifyArgs(['verify', ...base, '--journey=j.mjs', '--wait', '250', '--json', '--chromium', '/x/chromium']);
    expect(r).toMatchObject({ ok: true, options: { journey: 'j.mjs', waitMs: 250, json: true, chromiumPath: '/x/chromium' } });
  });

  it('takes the key from CAPI_BRIDGE_API_KEY when --key is absent', () => {
    const r = parseVerifyArgs(['https://shop.test/', '--server', 'http://s'], { CAPI_BRIDGE_API_KEY: 'env-key' });
    expect(r).toMatchObject({ ok: true, options: { apiKey: 'env-key' } });
  });

  it.each([
    [[], 'missing <page-url>'],
    [['ftp://x', '--server', 'http://s', '--key', 'k'], '<page-url> must be an http(s) URL'],
    [['http://p'], '--server <companion-url> is required'],
    [['http://p', '--server', 'nope', '--key', 'k'], '--server must be an http(s) URL'],
    [['http://p', '--server', 'http://s'], '--key <api-key> is required'],
    [[...base, '--wait', '-1'], '--wait must be an integer'],
    [[...base, '--wait'], '--wait needs a value'],
    [[...base, '--frobnicate', 'x'], 'unknown option --frobnicate'],
    [[...base, 'http://other'], 'expected one page URL, got 2'],
  ])('refuses %j with a message naming the problem', (argv, message) => {
    const r = parseVerifyArgs(argv);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toContain(message);
  });

  it('answers --help', () => {
    expect(parseVerifyArgs(['--help'])).toEqual({ ok: true, help: true });
  });

  it('the help lists every flag the parser accepts', () => {
    for (const flag of ['--server', '--key', '--journey', '--wait', '--json', '--chromium', '--help']) expect(USAGE).toContain(flag);
  });
});
