/**
 * One hostile request never destroys other callers' acknowledged events. Against a real server process, the
 * meta-sandbox as Graph, and each outbox backend (SQLite on its worker thread — the default —, SQLite inline,
 * Redis Streams), hostile requests (custom_data nested thousands of levels deep, huge keys, long strings, wide
 * objects) are interleaved with legitimate batches. Conservation: every event the server acknowledged is
 * delivered to the sandbox; every hostile request is refused (4xx) or has its hostile events `dropped` with
 * the named reason — never a 5xx.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPurchase, purchase } from '../support/events.js';
import { spawnSandbox, type Sandbox } from '../support/sandbox.js';
import { TEST_API_KEY, TEST_ORIGIN, type CapiServer } from '../support/server.js';
import { spawnServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { checkConservation, openBackend, type Backend } from './harness.js';

interface Variant {
  name: string;
  backend: 'sqlite' | 'redis';
  env: Record<string, string>;
}

const VARIANTS: Variant[] = [
  { name: 'sqlite on its worker thread', backend: 'sqlite', env: {} },
  { name: 'sqlite inline', backend: 'sqlite', env: { OUTBOX_THREAD: 'false' } },
  { name: 'redis', backend: 'redis', env: {} },
];

/** What makes an event hostile: the JSON text of its integrations.facebook.custom_data value. */
type HostileKind =
  | { kind: 'deep'; depth: number }
  | { kind: 'hugeKey'; length: number }
  | { kind: 'longString'; length: number }
  | { kind: 'wide'; keys: number };

function hostileValueJson(h: HostileKind): string {
  switch (h.kind) {
    case 'deep': return `{"deep":${'{"a":'.repeat(h.depth)}1${'}'.repeat(h.depth)}}`;
    case 'hugeKey': return `{${JSON.stringify('k'.repeat(h.length))}:1}`;
    case 'longString': return `{"note":${JSON.stringify('s'.repeat(h.length))}}`;
    case 'wide': return `{"bag":{${Array.from({ length: h.keys }, (_, i) => `"k${i}":${i}`).join(',')}}}`;
  }
}

const PLACEHOLDER = '"__HOSTILE__"';

/** A batch whose event at `at` carries the hostile custom_data override (spliced in as text). */
function hostileBody(siblings: Array<Record<string, unknown>>, hostile: Record<string, unknown>, at: number, h: HostileKind): string {
  (hostile.integrations as { facebook: Record<string, unknown> }).facebook.custom_data = '__HOSTILE__';
  const batch = [...siblings];
  batch.splice(Math.min(at, batch.length), 0, hostile);
  return JSON.stringify({ batch }).replace(PLACEHOLDER, hostileValueJson(h));
}

interface Outcome {
  /** Event ids the server acknowledged (2xx, listed accepted). */
  acked: string[];
  status: number;
}

interface Results { results?: Array<{ status: string; event_id?: string; destinations?: Array<{ reason?: string }> }> }

async function post(server: CapiServer, kind: 'collect' | 'api', body: string): Promise<{ status: number; json: Results }> {
  const headers: Record<string, string> = kind === 'collect'
    ? { origin: TEST_ORIGIN, 'content-type': 'text/plain;charset=UTF-8', 'user-agent': 'Mozilla/5.0 (hostile-input)' }
    : { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
  const res = await fetch(`${server.url}${kind === 'collect' ? '/collect' : '/v1/events'}`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: Results = {};
  try {
    json = JSON.parse(text) as Results;
  } catch {
    // an error page: status says it all
  }
  return { status: res.status, json };
}

function ackedIds(json: Results): string[] {
  return (json.results ?? []).filter((r) => r.status === 'accepted' && r.event_id).map((r) => r.event_id!);
}

/** A legitimate /v1/events batch of `n` purchases: all must be acknowledged. */
async function legitRequest(server: CapiServer, n: number): Promise<Outcome> {
  const batch = Array.from({ length: n }, () => purchase());
  const { status, json } = await post(server, 'api', JSON.stringify({ batch }));
  return { status, acked: status === 200 ? ackedIds(json) : [] };
}

/**
 * A hostile request: legitimate siblings plus one hostile event at `at`. Refused as a whole (4xx), or its
 * hostile event dropped as `oversized_field` and its siblings acknowledged. Returns what was acknowledged.
 */
async function hostileRequest(server: CapiServer, endpoint: 'collect' | 'api', siblings: number, at: number, h: HostileKind): Promise<Outcome & { hostileId: string; hostileReason?: string | undefined }> {
  const make = endpoint === 'collect' ? browserPurchase : () => purchase();
  const hostileId = randomUUID();
  const hostile = endpoint === 'collect' ? browserPurchase(hostileId) : purchase({}, hostileId);
  const body = hostileBody(Array.from({ length: siblings }, () => make()), hostile, at, h);
  const { status, json } = await post(server, endpoint, body);
  const hostileResult = (json.results ?? []).find((r) => r.event_id === hostileId);
  return { status, acked: status < 300 ? ackedIds(json) : [], hostileId, hostileReason: hostileResult?.destinations?.[0]?.reason };
}

function expectHostileRefused(o: Awaited<ReturnType<typeof hostileRequest>>): void {
  expect(o.status, 'a hostile request is never answered 5xx').toBeLessThan(500);
  if (o.status >= 400) return;
  expect(o.acked).not.toContain(o.hostileId);
  expect(o.hostileReason).toBe('oversized_field');
}

describe.each(VARIANTS)('hostile input never costs other callers their events ($name)', (variant) => {
  let backend: Backend;
  let sandbox: Sandbox;
  let server: CapiServer;
  /** Every id acknowledged in this describe (legitimate requests and legitimate siblings of hostile ones). */
  const acked = new Set<string>();

  beforeAll(async () => {
    backend = await openBackend(variant.backend);
    sandbox = await spawnSandbox();
    server = await spawnServer(backend.serverOptions(sandbox.url, { COLLECT_RATE_PER_SEC: '0', BATCH_SIZE: '200', ...variant.env }));
    backend.adopt(server);
  }, 60_000);

  afterAll(async () => {
    await server?.kill();
    await sandbox?.stop();
    await backend?.close();
  }, 30_000);

  async function expectAllDelivered(label: string): Promise<void> {
    const report = await waitFor(async () => {
      const r = checkConservation(acked, await sandbox.events({ source: 'server' }));
      return r.missing.length === 0 ? r : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250, message: `${label}: all ${acked.size} acknowledged events delivered (${variant.name})` });
    expect(report.missing).toEqual([]);
    expect(report.divergent).toEqual([]);
  }

  it('the issue repro: 30 requests with a 6,000-deep custom_data interleaved with 30 legitimate 10-event batches → 0 lost', async () => {
    const runs: Array<Promise<void>> = [];
    let legitAcked = 0;
    let hostile5xx = 0;
    for (let i = 0; i < 30; i++) {
      // Not awaited: the two land in the same event-loop turns of the server (same group commit / worker message).
      runs.push(hostileRequest(server, 'collect', 9, 9, { kind: 'deep', depth: 6000 }).then((o) => {
        if (o.status >= 500) hostile5xx++;
        expectHostileRefused(o);
        for (const id of o.acked) acked.add(id);
      }));
      runs.push(legitRequest(server, 10).then((o) => {
        expect(o.status).toBe(200);
        expect(o.acked).toHaveLength(10);
        legitAcked += o.acked.length;
        for (const id of o.acked) acked.add(id);
      }));
    }
    await Promise.all(runs);
    expect(legitAcked).toBe(300);
    expect(hostile5xx).toBe(0);
    await expectAllDelivered('repro');
    const dropped = (await server.metrics()).get('capi_bridge_events_dropped_total{reason="oversized_field",source="browser"}');
    expect(dropped).toBe(30);
    console.info(`[hostile-input ${variant.name}] repro: 30 hostile + 30 legitimate 10-event batches → legitimate acked=${legitAcked}, all ${acked.size} acknowledged delivered, 0 lost, hostile 5xx=${hostile5xx}`);
  }, 90_000);

  it('generated interleavings of hostile and legitimate requests conserve every acknowledged event', async () => {
    const hostileKind: fc.Arbitrary<HostileKind> = fc.oneof(
      fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 6, max: 8000 }) }),
      fc.record({ kind: fc.constant('hugeKey' as const), length: fc.integer({ min: 2049, max: 60_000 }) }),
      fc.record({ kind: fc.constant('longString' as const), length: fc.integer({ min: 2049, max: 60_000 }) }),
      fc.record({ kind: fc.constant('wide' as const), keys: fc.integer({ min: 101, max: 3000 }) }),
    );
    const request = fc.oneof(
      fc.record({ type: fc.constant('legit' as const), n: fc.integer({ min: 1, max: 20 }) }),
      fc.record({
        type: fc.constant('hostile' as const), endpoint: fc.constantFrom('collect' as const, 'api' as const),
        siblings: fc.integer({ min: 0, max: 9 }), at: fc.integer({ min: 0, max: 9 }), h: hostileKind,
      }),
    );
    let hostileSeen = 0;
    let legitSeen = 0;
    await fc.assert(fc.asyncProperty(fc.array(request, { minLength: 2, maxLength: 14 }), async (reqs) => {
      await Promise.all(reqs.map(async (r) => {
        if (r.type === 'legit') {
          const o = await legitRequest(server, r.n);
          expect(o.status).toBe(200);
          expect(o.acked).toHaveLength(r.n);
          legitSeen++;
          for (const id of o.acked) acked.add(id);
        } else {
          const o = await hostileRequest(server, r.endpoint, r.siblings, r.at, r.h);
          expectHostileRefused(o);
          hostileSeen++;
          for (const id of o.acked) acked.add(id);
        }
      }));
    }), { numRuns: 8, seed: Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000), endOnFailure: true });
    expect(hostileSeen).toBeGreaterThan(0);
    expect(legitSeen).toBeGreaterThan(0);
    await expectAllDelivered('generated');
  }, 120_000);
});
