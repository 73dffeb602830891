import { describe, expect, it } from 'vitest';
import { collectEventId, isPixelHitUrl, parsePixelHit } from './hits.js';

describe('pixel hits', () => {
  it('recognises /tr and /tr/ on any host, nothing else', () => {
    expect(isPixelHitUrl('https://www.facebook.com/tr/?id=1&ev=PageView')).toBe(true);
    expect(isPixelHitUrl('http://127.0.0.1:9090/tr?id=1')).toBe(true);
    expect(isPixelHitUrl('https://www.facebook.com/track')).toBe(false);
    expect(isPixelHitUrl('https://x.test/a/tr')).toBe(false);
    expect(isPixelHitUrl('not a url')).toBe(false);
  });

  it('reads id, ev, eid, fbp, fbc and dl from a real-looking GET hit (facts A11)', () => {
    const url =
      'https://www.facebook.com/tr/?id=1234567890&ev=Purchase&dl=https%3A%2F%2Fshop.test%2F&rl=&cd[value]=42.5&cd[currency]=EUR' +
      '&fbc=fb.1.1700000000000.IwAR_x&fbp=fb.1.1700000000000.123456&eid=abc-123&rqm=GET';
    expect(parsePixelHit(url)).toEqual({
      pixelId: '1234567890', eventName: 'Purchase', eventId: 'abc-123',
      fbp: 'fb.1.1700000000000.123456', fbc: 'fb.1.1700000000000.IwAR_x', url, pageUrl: 'https://shop.test/',
    });
  });

  it('reads form-encoded POST bodies and keeps automatic hits without eid', () => {
    const hit = parsePixelHit('https://www.facebook.com/tr/', 'id=9&ev=Microdata&fbp=fb.1.1.2');
    expect(hit).toEqual({ pixelId: '9', eventName: 'Microdata', fbp: 'fb.1.1.2', url: 'https://www.facebook.com/tr/' });
  });

  it('reads multipart/form-data POST bodies (FormData beacons)', () => {
    const body = ['--b', 'Content-Disposition: form-data; name="id"', '', '7', '--b', 'Content-Disposition: form-data; name="ev"', '',
      'Lead', '--b', 'Content-Disposition: form-data; name="eid"', '', 'x-1', '--b--', ''].join('\r\n');
    expect(parsePixelHit('https://www.facebook.com/tr/', body)).toMatchObject({ pixelId: '7', eventName: 'Lead', eventId: 'x-1' });
  });

  it('ignores hits without id or ev', () => {
    expect(parsePixelHit('https://www.facebook.com/tr/?ev=PageView')).toBeUndefined();
    expect(parsePixelHit('https://www.facebook.com/tr/?id=1')).toBeUndefined();
  });

  it('finds the event id of a /collect body', () => {
    expect(collectEventId(JSON.stringify({ integrations: { facebook: { event_id: 'e1' } } }))).toBe('e1');
    expect(collectEventId(JSON.stringify({ context: { event_id: 'e2' } }))).toBe('e2');
    expect(collectEventId('not json')).toBeUndefined();
    expect(collectEventId(JSON.stringify({ integrations: { facebook: { event_id: 42 } } }))).toBeUndefined();
  });
});
