import { join } from 'node:path';
import { REPO_ROOT, ensureBuilt, spawnListening, type SpawnedServer } from './process.js';

/** A recorded sandbox event (see the meta-sandbox README). */
export interface SandboxEvent {
  seq: number;
  source: 'browser' | 'server';
  pixelId: string;
  eventName: string;
  eventId?: string;
  fbp?: string;
  fbc?: string;
  receivedAt: number;
  status: 'counted' | 'deduplicated' | 'rejected';
  dedupOf?: number;
  testEventCode?: string;
  matchKeys?: string[];
  error?: { message?: string; error_user_title?: string; error_user_msg?: string; error_subcode?: number; code?: number };
  payload: Record<string, unknown>;
}

export interface FaultSpec {
  kind: 'status' | 'throttle' | 'timeout' | 'latency' | 'outage' | 'graph_error' | 'proxy';
  status?: number;
  code?: number;
  subcode?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  durationMs?: number;
  count?: number;
  pixelId?: string;
}

export interface Sandbox extends SpawnedServer {
  /** GET /_sandbox/events with filters. */
  events(filter?: { pixel?: string; event_id?: string; source?: 'browser' | 'server'; status?: SandboxEvent['status'] }): Promise<SandboxEvent[]>;
  /** Distinct event ids the sandbox counted or deduplicated from the server side (i.e. accepted by "Meta"). */
  acceptedServerIds(pixel?: string): Promise<Set<string>>;
  clear(): Promise<void>;
  fault(spec: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
}

/** Above the sandbox's event store size (100k): `GET /_sandbox/events` returns every stored event. */
const ALL_EVENTS = 1_000_000;

/** Starts `packages/meta-sandbox` as a real process on 127.0.0.1, port 0. */
export async function spawnSandbox(options: { tokens?: string[]; pixels?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Sandbox> {
  ensureBuilt();
  const args = ['--port', '0', '--host', '127.0.0.1'];
  if (options.tokens) args.push('--tokens', options.tokens.join(','));
  if (options.pixels) args.push('--pixels', options.pixels.join(','));
  const s = await spawnListening(join(REPO_ROOT, 'packages/meta-sandbox/bin/meta-sandbox.js'), args, options.env ? { env: options.env } : {});
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const events: Sandbox['events'] = async (filter = {}) => {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as Array<[string, string]>);
    // The sandbox lists only the newest 1000 by default: a check that an event is absent must see them all.
    q.set('limit', String(ALL_EVENTS));
    return ((await call('GET', `/_sandbox/events?${q}`)) as { events: SandboxEvent[] }).events;
  };
  return {
    ...s,
    events,
    async acceptedServerIds(pixel) {
      const evs = await events({ source: 'server', ...(pixel ? { pixel } : {}) });
      return new Set(evs.filter((e) => e.status !== 'rejected' && e.eventId).map((e) => e.eventId!));
    },
    async clear() {
      await call('DELETE', '/_sandbox/events');
    },
    async fault(spec) {
      await call('POST', '/_sandbox/faults', spec);
    },
    async clearFaults() {
      await call('DELETE', '/_sandbox/faults');
    },
  };
}
