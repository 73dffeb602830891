import { describe, expect, it } from 'vitest';
import type { ResolvedDestination } from '../config/schema.js';
import { buildCapiEvent } from '../mapping/build.js';
import { createMetrics } from '../metrics.js';
import type { Outbox } from '../outbox/types.js';
import { SentLog } from '../sent-log.js';
import { commit } from './commit.js';
import { prepare } from './prepare.js';
import type { IngestDeps } from './types.js';

const NOW = 1_700_000_000_000;
const FBP = 'fb.1.1699999990000.987654321';
const FBC = 'fb.1.1699999990000.IwAR-click';

describe('nothing identifying is kept for a non-consented event', () => {
  it('the sent log records the drop by event id and reason, without fbp/fbc', async () => {
    const dest = { id: 'main', pixelId: '1234567890', consentCategory: 'marketing', matchPolicy: 'none', contentType: 'product', defaultActionSource: 'website', sendAllProperties: false } as unknown as ResolvedDestination;
    const sentLog = new SentLog(100);
    const deps: IngestDeps = {
      config: { destinations: [dest] }, build: buildCapiEvent, sentLog, metrics: createMetrics(['main']), now: () => NOW,
      outbox: { enqueue: async () => ({ ok: true }) } as unknown as Outbox,
    };
    const input = {
      event_name: 'purchase', event_id: 'no-consent-1', consent_categories: ['analytics'],
      integrations: { facebook: { fbp: FBP, fbc: FBC } },
      context: { event_timestamp: NOW - 1000, page: { url: 'https://shop.example/' } },
    };
    const p = prepare(deps, [input], 'browser', { ip: '203.0.113.7', userAgent: 'UA' });
    expect(p.drops).toHaveLength(1);
    expect(p.drops[0]).toMatchObject({ destination: 'main', refusal: { reason: 'no_consent', eventId: 'no-consent-1', eventName: 'purchase' } });
    expect(p.drops[0]!.refusal.fbp).toBeUndefined();
    expect(p.drops[0]!.refusal.fbc).toBeUndefined();
    await commit(deps, p);
    const recs = sentLog.get('no-consent-1');
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ status: 'dropped', reason: 'no_consent' });
    expect(JSON.stringify(recs)).not.toContain('987654321');
    expect(JSON.stringify(recs)).not.toContain('IwAR');
  });
});

describe('a dropped event is recorded by the mapping\'s own reading of it', () => {
  it('its id as the mapping reads it (trimmed, override first), its name as sent, valid fbp/fbc only', async () => {
    const dest = { id: 'main', pixelId: '1234567890', matchPolicy: 'none', contentType: 'product', defaultActionSource: 'website', sendAllProperties: false } as unknown as ResolvedDestination;
    const sentLog = new SentLog(100);
    const deps: IngestDeps = {
      config: { destinations: [dest] }, build: buildCapiEvent, sentLog, metrics: createMetrics(['main']), now: () => NOW,
      outbox: { enqueue: async () => ({ ok: true }) } as unknown as Outbox,
    };
    const tooOld = { event_timestamp: NOW - 400 * 24 * 3600 * 1000 };
    const inputs = [
      { event_name: 'lead', event_id: '  spaced-1  ', fbp: 'not-a-cookie', context: tooOld },
      { event_name: 'lead', event_id: 'ignored', integrations: { facebook: { event_id: 'override-2', fbp: FBP, user_data: { fbc: FBC } } }, context: tooOld },
    ];
    const p = prepare(deps, inputs, 'api', {});
    expect(JSON.parse(`[${p.resultsJson}]`).map((r: { event_id?: string }) => r.event_id)).toEqual(['spaced-1', 'override-2']);
    await commit(deps, p);
    expect(sentLog.get('spaced-1')).toMatchObject([{ event_name: 'lead', status: 'dropped', reason: 'too_old' }]);
    expect(sentLog.get('spaced-1')[0]!.fbp).toBeUndefined();
    expect(sentLog.get('override-2')).toMatchObject([{ event_name: 'lead', status: 'dropped', fbp: FBP, fbc: FBC }]);
  });
});
