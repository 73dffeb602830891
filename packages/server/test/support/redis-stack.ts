/**
 * Real processes for the Redis outbox proofs (multi-instance test, delivery bench): the meta-sandbox and
 * capi-bridge servers, each on a leash (they die with the runner) via the e2e process harness.
 * Needs built packages: `npx tsc -b packages/server packages/meta-sandbox`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startService, type Service } from '../../../../e2e/support/procs.js';

export type { Service };

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const PIXEL = '1234567890';
export const API_KEY = 'redis-stack-key-0123456789';

function requireBuilt(path: string, pkg: string): string {
  const full = `${repoRoot}${path}`;
  if (!existsSync(full.replace(/bin\/[^/]+$/, 'dist/cli.js'))) {
    throw new Error(`${pkg} is not built: run npx tsc -b packages/${pkg}`);
  }
  return full;
}

export function startSandboxProcess(): Promise<Service> {
  const bin = requireBuilt('packages/meta-sandbox/bin/meta-sandbox.js', 'meta-sandbox');
  return startService({ name: 'meta-sandbox', command: process.execPath, args: [bin, '--port', '0'], cwd: repoRoot });
}

export interface ServerProcessOptions {
  name: string;
  outbox: string;
  sandboxUrl: string;
  /** Extra env (LEASE_MS, BATCH_SIZE, FLUSH_INTERVAL_MS, DELIVERY_CONCURRENCY, …). */
  env?: Record<string, string>;
}

export function startServerProcess(o: ServerProcessOptions): Promise<Service> {
  const bin = requireBuilt('packages/server/bin/capi-bridge.js', 'server');
  return startService({
    name: o.name,
    command: process.execPath,
    args: [bin, 'serve', '--port', '0'],
    cwd: repoRoot,
    env: {
      FB_PIXEL_ID: PIXEL,
      FB_ACCESS_TOKEN: 'sandbox-token',
      FB_GRAPH_URL: o.sandboxUrl,
      API_KEYS: API_KEY,
      OUTBOX: o.outbox,
      ...o.env,
    },
  });
}

/** A /v1/events input both match policies (meta-baseline, the default, and commanders-act) accept. */
export function purchaseInput(eventId: string, now = Date.now()): Record<string, unknown> {
  return {
    event_name: 'purchase',
    context: {
      event_id: eventId,
      event_timestamp: now,
      page: { url: 'https://shop.example/checkout' },
      device: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126' },
    },
    user: { email: `buyer-${eventId}@example.com`, firstname: 'Ann', lastname: 'Lee', city: 'Paris' },
    amount: 49.9,
    currency: 'EUR',
  };
}

export interface PostResult {
  status: number;
  accepted: string[];
}

/** POST /v1/events {batch}; returns the event_ids the server acknowledged as accepted. */
export async function postBatch(serverUrl: string, eventIds: readonly string[]): Promise<PostResult> {
  const res = await fetch(`${serverUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: eventIds.map((id) => purchaseInput(id)) }),
  });
  const body = (await res.json().catch(() => ({}))) as { results?: Array<{ status: string; event_id?: string }> };
  const accepted =
    res.status === 200
      ? (body.results ?? []).filter((r) => r.status === 'accepted' && r.event_id).map((r) => r.event_id!)
      : [];
  return { status: res.status, accepted };
}

export interface RecordedServerEvent {
  eventId?: string;
  eventName: string;
  status: string;
  payload: Record<string, unknown>;
}

export async function sandboxServerEvents(sandboxUrl: string): Promise<RecordedServerEvent[]> {
  const res = await fetch(`${sandboxUrl}/_sandbox/events?source=server&limit=1000000`);
  if (!res.ok) throw new Error(`GET /_sandbox/events → ${res.status}`);
  return ((await res.json()) as { events: RecordedServerEvent[] }).events;
}

export async function addSandboxFault(sandboxUrl: string, fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandboxUrl}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (!res.ok) throw new Error(`POST /_sandbox/faults → ${res.status} ${await res.text()}`);
}
