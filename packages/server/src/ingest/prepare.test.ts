import { describe, expect, it } from 'vitest';
import type { ResolvedDestination } from '../config/schema.js';
import type { BuildResult, CapiServerEvent, DestinationConfig } from '../mapping/types.js';
import { SentLog } from '../sent-log.js';
import { commit } from './commit.js';
import { buildSafely, prepare } from './prepare.js';
import type { BuildFn, DestinationResult, EventResult, IngestDeps } from './types.js';

// A stand-in mapping: the input says what each destination answers, so every reply shape is covered.
const build: BuildFn = (input, d: DestinationConfig): BuildResult => {
  const o = input as { event_id?: string; event_name?: string; drop?: Record<string, string>; warn?: string[]; throws?: boolean };
  if (o.throws) throw new Error('boom "quoted"\n');
  const reason = o.drop?.[d.id];
  // A refusal names the event's own id, as the mapping's does.
  const id = o.event_id === undefined ? {} : { eventId: o.event_id };
  if (reason === 'insufficient_match_keys') return { ok: false, reason, detail: `rule for ${d.id}`, matchKeys: ['fbp', 'client_user_agent'], ...id };
  if (reason !== undefined) return { ok: false, reason: reason as 'invalid_input', detail: `detail for ${d.id}: "${o.event_id ?? ''}" \u2028`, ...id };
  const event = { event_id: o.event_id ?? 'generated-id', event_name: o.event_name ?? 'Purchase', event_time: 1, action_source: 'website', user_data: {} } as unknown as CapiServerEvent;
  return { ok: true, event, matchKeys: ['em', 'external_id'], warnings: o.warn ?? [] };
};

function deps(ids: string[]): IngestDeps {
  return {
    config: { destinations: ids.map((id) => ({ id }) as unknown as ResolvedDestination) },
    build,
    outbox: undefined as never,
    metrics: undefined as never,
    sentLog: new SentLog(10),
    now: () => 1_700_000_000_000,
  };
}

/** The reply's results as objects, straight from the stand-in's answers: what resultsJson must encode. */
function expectedResults(d: IngestDeps, inputs: readonly unknown[]): EventResult[] {
  return inputs.map((input, index) => {
    const answers = d.config.destinations.map((dest) => ({ dest, r: buildSafely(d.build, input, dest, { now: 0 }) }));
    const first = answers.find((a) => a.r.ok)?.r;
    const refused = answers.find((a) => !a.r.ok)?.r;
    const destinations: DestinationResult[] = answers.map(({ dest, r }) => (r.ok
      ? (r.warnings.length ? { destination: dest.id, status: 'accepted', match_keys: r.matchKeys, warnings: r.warnings } : { destination: dest.id, status: 'accepted', match_keys: r.matchKeys })
      : (r.matchKeys ? { destination: dest.id, status: 'dropped', reason: r.reason, detail: r.detail, match_keys: r.matchKeys } : { destination: dest.id, status: 'dropped', reason: r.reason, detail: r.detail })));
    const res: EventResult = { index, status: first ? 'accepted' : 'dropped', destinations };
    const id = first?.ok ? first.event.event_id : refused && !refused.ok ? refused.eventId : undefined;
    if (id !== undefined) res.event_id = id;
    if (first?.ok) res.event_name = first.event.event_name;
    return res;
  });
}

describe('prepare', () => {
  const inputs: unknown[] = [
    { event_id: 'a1' },
    { event_id: 'a"2\\', event_name: 'Lead\u00e9', warn: ['value ignored', 'x"y'] },
    { event_id: 'd3', drop: { main: 'insufficient_match_keys', 'second"dest': 'too_old' } },
    { event_name: 'NoId', drop: { main: 'insufficient_match_keys', 'second"dest': 'too_old' } },
    { event_id: 'half', drop: { main: 'in_future' } },
    { throws: true },
    42,
    null,
  ];

  for (const ids of [['main'], ['main', 'second"dest']]) {
    it(`writes the results as JSON.stringify writes the result objects (${ids.length} destination(s))`, () => {
      const d = deps(ids);
      const p = prepare(d, inputs, 'api', {});
      const expected = expectedResults(d, inputs);
      expect(p.resultsJson).toBe(JSON.stringify(expected).slice(1, -1));
      expect(p.count).toBe(inputs.length);
      expect(p.accepted).toBe(expected.filter((r) => r.status === 'accepted').length);
      expect(p.items.map((i) => [i.destinationId, i.event.event_id])).toEqual(
        expected.flatMap((r) => r.destinations.filter((x) => x.status === 'accepted').map((x) => [x.destination, r.event_id])),
      );
      expect(p.drops.map((x) => [x.index, x.destination, x.refusal.reason])).toEqual(
        expected.flatMap((r) => r.destinations.flatMap((x) => (x.status === 'dropped' ? [[r.index, x.destination, x.reason]] : []))),
      );
      // The whole reply parses back to the object form.
      const reply = `{"accepted":${p.accepted},"dropped":${p.count - p.accepted},"results":[${p.resultsJson}]}`;
      expect(JSON.parse(reply)).toEqual({ accepted: p.accepted, dropped: inputs.length - p.accepted, results: expected });
    });
  }
});

describe('match-key drops', () => {
  it('name the keys present in the reply (both forms) and in the sent log', async () => {
    const inputs = [{ event_id: 'd3', event_name: 'Purchase', drop: { main: 'insufficient_match_keys' } }];
    const p = prepare(deps(['main']), inputs, 'api', {});
    expect(JSON.parse(`[${p.resultsJson}]`)[0].destinations[0]).toEqual({ destination: 'main', status: 'dropped', reason: 'insufficient_match_keys', detail: 'rule for main', match_keys: ['fbp', 'client_user_agent'] });
    const counter = { inc: () => undefined };
    const d = { ...deps(['main']), metrics: { received: counter, dropped: counter, enqueued: counter } as never, outbox: { enqueue: async () => ({ ok: true }) } as never };
    await commit(d, prepare(d, inputs, 'browser', {}));
    expect(d.sentLog.get('d3')).toMatchObject([{ status: 'dropped', reason: 'insufficient_match_keys', match_keys: ['fbp', 'client_user_agent'] }]);
  });
});

describe('sent log', () => {
  it('keeps one record per (event_id, destination) and merges later updates', () => {
    const log = new SentLog(2, () => 5);
    log.record({ event_id: 'e', event_name: 'Purchase', destination: 'a', status: 'queued', fbp: 'fb.1.1.1' }, 3);
    expect(log.get('e')).toEqual([{ event_id: 'e', event_name: 'Purchase', destination: 'a', status: 'queued', fbp: 'fb.1.1.1', updated_at: 3 }]);
    log.record({ event_id: 'e', event_name: 'Purchase', destination: 'b', status: 'queued' });
    log.update('e', 'a', 'sent');
    log.record({ event_id: 'e', event_name: 'Purchase', destination: 'b', status: 'dropped', reason: 'too_old' });
    expect(log.get('e')).toEqual([
      { event_id: 'e', event_name: 'Purchase', destination: 'a', status: 'sent', fbp: 'fb.1.1.1', updated_at: 5 },
      { event_id: 'e', event_name: 'Purchase', destination: 'b', status: 'dropped', reason: 'too_old', updated_at: 5 },
    ]);
    log.update('f', 'a', 'sent');
    expect(log.get('f')).toEqual([]);
    log.record({ event_id: 'g', event_name: 'Lead', destination: 'a', status: 'queued' });
    log.update('g', 'b', 'sent');
    expect(log.get('g')[0]!.status).toBe('queued');
    log.record({ event_id: 'h', event_name: 'Lead', destination: 'a', status: 'queued' });
    expect(log.size).toBe(2);
    expect(log.get('e')).toEqual([]);
  });
});

describe('commit: refusals in the drop log', () => {
  it('an outbox refusal is logged once with its hint, the events counted', async () => {
    const { createMetrics } = await import('../metrics.js');
    const { DropLog } = await import('../drop-log.js');
    const lines: Array<Record<string, unknown>> = [];
    const dropLog = new DropLog({ logger: { warn: (o: Record<string, unknown>) => { lines.push(o); } } as never, now: () => 0 });
    const d: IngestDeps = {
      ...deps(['main']), metrics: createMetrics(['main']), dropLog,
      outbox: { enqueue: async () => ({ ok: false, reason: 'outbox_full', detail: 'full' }) } as never,
    };
    const p = prepare(d, [{ event_id: 'x1' }, { event_id: 'x2' }], 'api', {});
    expect(await commit(d, p)).toMatchObject({ ok: false, reason: 'outbox_full' });
    expect(await commit(d, p)).toMatchObject({ ok: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reason: 'outbox:outbox_full', source: 'api', events: 2 });
    expect(String(lines[0]!.hint)).toContain('OUTBOX_MAX_DEPTH');
  });
});
