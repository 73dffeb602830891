/**
 * Reliability soak: the long version of test/reliability. Per outbox backend, for SOAK_DURATION_S:
 * load through /collect and /v1/events, SIGKILL + restart of the server at random moments, Graph faults
 * injected in the sandbox (5xx, 429 + Retry-After, timeouts, outages, latency), fast-check bad inputs with
 * an oracle; then faults stop and it waits for every acknowledged event to reach the sandbox.
 * Prints the figures as JSON and markdown and writes them to soak/results/. Exit code 1 if any event
 * was lost, any duplicate diverged, or any bad input got an answer the oracle did not expect.
 *
 * Env (or --flag=value): SOAK_DURATION_S (60 per backend), SOAK_KILLS (8 per backend), SOAK_BACKENDS
 * (sqlite,redis), SOAK_SEED, SOAK_PAUSE_MS (10, per load worker), SOAK_WORKERS (2), SOAK_DRAIN_S (180).
 * Run: npm run soak -w @capi-bridge/server   (needs `npx tsc -b packages/server packages/meta-sandbox`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { REPO_ROOT, ensureBuilt, spawnListening, type SpawnedServer } from '../test/support/process.js';
import { TEST_API_KEY, TEST_ORIGIN } from '../test/support/server.js';
import type { SandboxEvent } from '../test/support/sandbox.js';
import {
  arbBody, expectForBytes, expectForValue, mismatch, type Endpoint,
} from '../test/reliability/bad-input.js';
import {
  openBackend, peakRssMb, rng, ServerSlot, sleep, sandboxStats, startLoad, startOn, type BackendName,
} from '../test/reliability/harness.js';

function setting(name: string, fallback: string): string {
  const flag = process.argv.find((a) => a.startsWith(`--${name.toLowerCase().replace(/^soak_/, '').replace(/_/g, '-')}=`));
  return flag ? flag.split('=')[1]! : process.env[name] ?? fallback;
}

const DURATION_S = Number(setting('SOAK_DURATION_S', '60'));
const KILLS = Number(setting('SOAK_KILLS', '8'));
const BACKENDS = setting('SOAK_BACKENDS', 'sqlite,redis').split(',').map((s) => s.trim()) as BackendName[];
const SEED = Number(setting('SOAK_SEED', String(Date.now() % 1_000_000)));
const PAUSE_MS = Number(setting('SOAK_PAUSE_MS', '10'));
const WORKERS = Number(setting('SOAK_WORKERS', '2'));
const DRAIN_S = Number(setting('SOAK_DRAIN_S', '180'));

interface Figures {
  backend: BackendName;
  durationS: number;
  requests: number;
  eventsAcknowledged: number;
  eventsDelivered: number;
  eventsLost: number;
  duplicateDeliveries: number;
  divergentDuplicates: number;
  killsSurvived: number;
  faultsInjected: number;
  graphRequests: number;
  graphRequestsFaulted: number;
  badInputsTried: number;
  badInputMismatches: number;
  peakServerRssMb: number;
  drainSeconds: number;
}

/** Sandbox started with a large store; events are also collected incrementally so nothing is evicted unseen. */
async function startSandbox(): Promise<SpawnedServer> {
  ensureBuilt();
  return spawnListening(join(REPO_ROOT, 'packages/meta-sandbox/bin/meta-sandbox.js'), ['--port', '0', '--host', '127.0.0.1', '--max-events', '1000000']);
}

class DeliveryLedger {
  seq = 0;
  readonly first = new Map<string, string>();
  duplicates = 0;
  readonly divergent = new Set<string>();
  async poll(url: string): Promise<void> {
    const res = await fetch(`${url}/_sandbox/events?source=server&since=${this.seq}&limit=100000000`);
    const evs = ((await res.json()) as { events: SandboxEvent[] }).events;
    for (const e of evs) {
      this.seq = Math.max(this.seq, e.seq);
      if (e.status === 'rejected' || !e.eventId) continue;
      const p = JSON.stringify(e.payload);
      const prev = this.first.get(e.eventId);
      if (prev === undefined) this.first.set(e.eventId, p);
      else {
        this.duplicates++;
        if (prev !== p) this.divergent.add(e.eventId);
      }
    }
  }
}

async function soakBackend(name: BackendName, seed: number): Promise<Figures> {
  const random = rng(seed);
  const backend = await openBackend(name);
  const sandbox = await startSandbox();
  const slot = new ServerSlot();
  const env = { COLLECT_RATE_PER_SEC: '0', BATCH_SIZE: '200', DELIVERY_CONCURRENCY: '2', REQUEST_TIMEOUT_MS: '1500' };
  const fault = async (spec: Record<string, unknown>): Promise<void> => {
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  };
  await startOn(backend, slot, sandbox.url, env);
  const ledger = new DeliveryLedger();
  const load = startLoad(slot, { batchSize: 20, workers: WORKERS, pauseMs: PAUSE_MS });
  const started = Date.now();
  const endAt = started + DURATION_S * 1000;
  let peakRss = 0;
  let kills = 0;
  let faults = 0;
  let badTried = 0;
  const badMismatches: string[] = [];
  const samplePeak = (): void => {
    const pid = slot.current?.proc.pid;
    if (pid === undefined) return;
    try {
      peakRss = Math.max(peakRss, peakRssMb(pid));
    } catch {
      // process just died
    }
  };

  const killer = (async () => {
    const gap = (DURATION_S * 1000) / (KILLS + 1);
    for (let i = 0; i < KILLS && Date.now() < endAt; i++) {
      await sleep(gap * (0.5 + random()));
      if (Date.now() >= endAt) break;
      samplePeak();
      await slot.current!.kill();
      kills++;
      await startOn(backend, slot, sandbox.url, env);
    }
  })();

  const injector = (async () => {
    while (Date.now() < endAt - 3000) {
      await sleep(1500 + random() * 3000);
      const r = random();
      if (r < 0.25) await fault({ kind: 'status', status: [500, 502, 503][Math.floor(random() * 3)], count: 1 + Math.floor(random() * 3) });
      else if (r < 0.45) await fault({ kind: 'throttle', status: 429, code: [4, 17, 80003][Math.floor(random() * 3)], retryAfterSeconds: 1 + Math.floor(random() * 2), count: 1 });
      else if (r < 0.6) await fault({ kind: 'timeout', count: 1 + Math.floor(random() * 2) });
      else if (r < 0.8) await fault({ kind: 'outage', durationMs: 1000 + Math.floor(random() * 3000) });
      else await fault({ kind: 'latency', latencyMs: 200 + Math.floor(random() * 600), durationMs: 2000 });
      faults++;
    }
  })();

  const fuzzer = (async () => {
    const endpoints: Endpoint[] = ['/v1/events', '/collect'];
    while (Date.now() < endAt) {
      const s = slot.current;
      if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null) {
        await sleep(50);
        continue;
      }
      const endpoint = endpoints[Math.floor(random() * 2)]!;
      const asBytes = random() < 0.4;
      const value = fc.sample(arbBody(), { numRuns: 1, seed: Math.floor(random() * 2 ** 31) })[0];
      let bytes = new TextEncoder().encode(JSON.stringify(value) ?? 'null');
      if (asBytes) {
        bytes = bytes.slice(0, Math.floor(random() * (bytes.length + 1)));
        if (random() < 0.5 && bytes.length > 0) bytes[Math.floor(random() * bytes.length)] = 0x80 + Math.floor(random() * 0x7f);
      }
      const headers: Record<string, string> = endpoint === '/collect'
        ? { origin: TEST_ORIGIN, 'content-type': 'text/plain', 'user-agent': 'soak-fuzz' }
        : { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
      try {
        const res = await fetch(`${s.url}${endpoint}`, { method: 'POST', headers, body: bytes });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // mismatch() reports it
        }
        badTried++;
        const expected = asBytes ? expectForBytes(bytes, endpoint) : expectForValue(value, endpoint);
        // A 503 while the outbox is momentarily unavailable (restart) is not a bad-input failure.
        if (res.status === 503) continue;
        const bad = mismatch(expected, { status: res.status, body }, endpoint);
        if (bad && badMismatches.length < 20) badMismatches.push(`${endpoint}: ${bad}`);
      } catch {
        // server killed mid-request
      }
      await sleep(20);
    }
  })();

  const poller = (async () => {
    while (Date.now() < endAt) {
      await sleep(1000);
      samplePeak();
      await ledger.poll(sandbox.url).catch(() => undefined);
    }
  })();

  await Promise.all([killer, injector, fuzzer, poller]);
  await load.stop();
  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });

  const drainStart = Date.now();
  let missing = [...load.acked].filter((id) => !ledger.first.has(id));
  while (missing.length > 0 && Date.now() - drainStart < DRAIN_S * 1000) {
    await sleep(1000);
    samplePeak();
    await ledger.poll(sandbox.url);
    missing = missing.filter((id) => !ledger.first.has(id));
  }
  const drainSeconds = (Date.now() - drainStart) / 1000;
  samplePeak();
  const stats = await sandboxStats(sandbox);
  for (const s of slot.all) await s.kill();
  await sandbox.stop();
  await backend.close();
  if (badMismatches.length) console.error(`[soak ${name}] bad-input oracle mismatches:\n${badMismatches.join('\n')}`);
  if (missing.length) console.error(`[soak ${name}] lost event ids (first 20): ${missing.slice(0, 20).join(', ')}`);
  return {
    backend: name,
    durationS: DURATION_S,
    requests: load.stats.requests,
    eventsAcknowledged: load.acked.size,
    eventsDelivered: ledger.first.size,
    eventsLost: missing.length,
    duplicateDeliveries: ledger.duplicates,
    divergentDuplicates: ledger.divergent.size,
    killsSurvived: kills,
    faultsInjected: faults,
    graphRequests: stats.graphRequests,
    graphRequestsFaulted: stats.faulted,
    badInputsTried: badTried,
    badInputMismatches: badMismatches.length,
    peakServerRssMb: Math.round(peakRss),
    drainSeconds: Math.round(drainSeconds * 10) / 10,
  };
}

function markdown(rows: Figures[]): string {
  const cols: Array<[keyof Figures, string]> = [
    ['backend', 'Backend'], ['durationS', 'Load (s)'], ['eventsAcknowledged', 'Events acknowledged'], ['eventsDelivered', 'Distinct delivered'],
    ['eventsLost', 'Lost'], ['duplicateDeliveries', 'Duplicate deliveries'], ['divergentDuplicates', 'Divergent duplicates'],
    ['killsSurvived', 'SIGKILLs survived'], ['faultsInjected', 'Graph faults injected'], ['graphRequestsFaulted', 'Graph requests faulted'],
    ['graphRequests', 'Graph requests'], ['badInputsTried', 'Bad inputs tried'], ['badInputMismatches', 'Bad-input oracle mismatches'],
    ['peakServerRssMb', 'Peak server RSS (MB)'], ['drainSeconds', 'Drain after faults (s)'],
  ];
  return [
    `| ${cols.map((c) => c[1]).join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cols.map(([k]) => (typeof r[k] === 'number' ? (r[k] as number).toLocaleString('en-US') : String(r[k]))).join(' | ')} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const rows: Figures[] = [];
  for (const [i, b] of BACKENDS.entries()) {
    console.error(`[soak] ${b}: ${DURATION_S} s, ${KILLS} kills, seed ${SEED + i}`);
    rows.push(await soakBackend(b, SEED + i));
    console.error(`[soak] ${b} done: ${JSON.stringify(rows[rows.length - 1])}`);
  }
  const result = { seed: SEED, finishedAt: new Date().toISOString(), node: process.version, figures: rows };
  const md = markdown(rows);
  console.log(JSON.stringify(result, null, 2));
  console.log(`\n${md}`);
  const dir = join(REPO_ROOT, 'packages/server/soak/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.md'), `${md}\n`);
  const failed = rows.some((r) => r.eventsLost > 0 || r.divergentDuplicates > 0 || r.badInputMismatches > 0);
  process.exit(failed ? 1 : 0);
}

await main();
