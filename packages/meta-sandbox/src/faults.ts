/**
 * status/outage: a 5xx (or given status) with a transient Graph body; throttle: 429 + Retry-After;
 * graph_error: Meta's error for `code`/`subcode` worded as Meta does (errors.ts KNOWN_ERRORS);
 * proxy: an HTML page with `status` (a proxy or load balancer, not Graph); timeout; latency.
 */
export type FaultKind = 'status' | 'throttle' | 'timeout' | 'latency' | 'outage' | 'graph_error' | 'proxy';
const KINDS: ReadonlySet<string> = new Set(['status', 'throttle', 'timeout', 'latency', 'outage', 'graph_error', 'proxy']);

export interface FaultSpec {
  kind: FaultKind;
  status?: number;
  code?: number;
  subcode?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  durationMs?: number;
  count?: number;
  pixelId?: string;
}

export interface ActiveFault extends FaultSpec {
  id: number;
  createdAt: number;
  /** Requests still to affect (count-based faults). */
  remaining?: number;
  /** Wall-clock ms after which the fault ends (duration-based faults). */
  until?: number;
  applied: number;
}

export type FaultParse = { ok: true; spec: FaultSpec } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optInt = (v: unknown, min: number, max: number): boolean =>
  v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);

export function parseFaultSpec(body: unknown): FaultParse {
  if (!isObject(body)) return { ok: false, reason: 'body must be a JSON object' };
  const { kind } = body;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return { ok: false, reason: `kind must be one of ${[...KINDS].join(', ')}` };
  const checks: Array<[string, number, number]> = [
    ['status', 300, 599], ['code', 1, 99_999_999], ['subcode', 1, 99_999_999], ['retryAfterSeconds', 0, 86_400],
    ['latencyMs', 0, 600_000], ['durationMs', 1, 86_400_000], ['count', 1, 1_000_000],
  ];
  for (const [field, min, max] of checks) {
    if (!optInt(body[field], min, max)) return { ok: false, reason: `${field} must be an integer from ${min} to ${max}` };
  }
  if (body.pixelId !== undefined && typeof body.pixelId !== 'string') return { ok: false, reason: 'pixelId must be a string' };
  if (kind === 'outage' && body.durationMs === undefined) return { ok: false, reason: 'an outage needs durationMs' };
  if (kind === 'latency' && body.latencyMs === undefined) return { ok: false, reason: 'a latency fault needs latencyMs' };
  if (kind === 'graph_error' && body.code === undefined) return { ok: false, reason: 'a graph_error fault needs code' };
  if (kind === 'proxy' && body.status === undefined) return { ok: false, reason: 'a proxy fault needs status' };
  // Graph itself never answers 3xx; a redirect can only come from something in front of it.
  if (kind !== 'proxy' && typeof body.status === 'number' && body.status < 400) return { ok: false, reason: 'status must be from 400 to 599 (3xx only for a proxy fault)' };
  return { ok: true, spec: body as unknown as FaultSpec };
}

/** Holds injected faults; each Graph request takes at most one (the oldest that applies). */
export class FaultController {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  add(spec: FaultSpec): ActiveFault {
    const now = this.now();
    const fault: ActiveFault = { ...spec, id: this.nextId++, createdAt: now, applied: 0 };
    if (spec.durationMs !== undefined) fault.until = now + spec.durationMs;
    // A fault with neither count nor duration affects the next request only.
    if (spec.count !== undefined || spec.durationMs === undefined) fault.remaining = spec.count ?? 1;
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): ActiveFault[] {
    this.prune();
    return this.faults.map((f) => ({ ...f }));
  }

  /** The fault to apply to this request, consuming one use of a count-based fault. */
  take(pixelId: string): ActiveFault | undefined {
    this.prune();
    const fault = this.faults.find((f) => f.pixelId === undefined || f.pixelId === pixelId);
    if (!fault) return undefined;
    fault.applied++;
    if (fault.remaining !== undefined) fault.remaining--;
    this.prune();
    return { ...fault };
  }

  private prune(): void {
    const now = this.now();
    this.faults = this.faults.filter((f) => (f.remaining === undefined || f.remaining > 0) && (f.until === undefined || now < f.until));
  }
}
