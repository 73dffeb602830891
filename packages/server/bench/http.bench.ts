/**
 * HTTP benchmark, one run, side by side (autocannon on loopback, every server a separate process):
 *  1. a bare Express route answering 204 (the baseline);
 *  2. POST /collect with single browser events (target ≥ 0.5× the baseline's requests/s);
 *  3. POST /v1/events with 500-event batches (target ≥ 50,000 events/s accepted);
 *  4. outbox → sandbox delivery: N events pre-loaded into the SQLite outbox, time until Meta's stand-in
 *     accepted them all (target ≥ 20,000 events/s).
 * Reports requests/s, events/s, p50/p99 latency and the server's peak RSS (VmHWM).
 * Run: `node --import tsx packages/server/bench/http.bench.ts` (builds server + sandbox first).
 * BENCH_DURATION_S (default 8), BENCH_CONNECTIONS (default 32), BENCH_DELIVERY_EVENTS (default 100000),
 * OUTBOX_THREAD=false (inline SQLite outbox instead of the default worker thread).
 * `collect` and `events` each run twice: with the delivery loop sending to the sandbox on the same cores (as in
 * production, where Meta's servers are elsewhere but delivery still runs), and ingestion alone
 * (`DELIVERY_ENABLED=false`: an ingest-only instance; the sandbox idles). BENCH_INGEST_ONLY=0 skips the latter.
 * BENCH_BASELINE=<dir>: another checkout of this repo (built, e.g. a `git worktree` of an older commit with
 * node_modules linked): every scenario runs for it and for this checkout, alternately, and the table gets a
 * `current / baseline` ratio per scenario — before/after figures from one run on the same machine state.
 * The table's last column is the CPU each process used during the measured run (1.00 = one core).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { buildCapiEvent } from '../src/mapping/build.js';
import type { DestinationConfig } from '../src/mapping/types.js';
import type { EnqueueItem, Outbox } from '../src/outbox/types.js';
import { browserPurchase, purchase } from '../test/support/events.js';
import { REPO_ROOT, ensureBuilt, spawnListening, type SpawnedServer } from '../test/support/process.js';
import { spawnSandbox } from '../test/support/sandbox.js';
import { spawnServer, TEST_API_KEY, TEST_ORIGIN, TEST_PIXEL } from '../test/support/server.js';

const DURATION = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DELIVERY_EVENTS = Number(process.env.BENCH_DELIVERY_EVENTS ?? 100_000);
/**
 * BENCH_ROUNDS: runs per variant and scenario (default 2 with BENCH_BASELINE, else 1). The order of the two
 * builds alternates from round to round: the second server run of a scenario measured up to ~9 % slower than
 * the first with the same build (a fixed baseline-then-current order biased every ratio against `current`).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (process.env.BENCH_BASELINE ? 2 : 1));
/** BENCH_ONLY=collect,events,delivery runs a subset (the bare baseline always runs with collect). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'collect,events,delivery').split(',').map((x) => x.trim()));
/** BENCH_CPU_PROF=<dir>: the capi-bridge processes write V8 CPU profiles there (node --cpu-prof). */
const PROF_DIR = process.env.BENCH_CPU_PROF;
const INGEST_ONLY = process.env.BENCH_INGEST_ONLY !== '0';

interface Row {
  name: string;
  reqPerSec: number;
  eventsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  peakRssMb: number;
  /** CPU cores each process used during the measured run. */
  cores: string;
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Share of the run's wall time each process spent on a CPU (1.00 = one core). */
async function measured<T>(pids: Record<string, number | undefined>, run: () => Promise<T>): Promise<{ result: T; cores: string }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await run();
  const wall = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  const parts = Object.entries(pids).map(([k, pid]) => `${k} ${((cpuSeconds(pid) - before[k]!) / wall).toFixed(2)}`);
  parts.push(`autocannon ${((self.user + self.system) / 1e6 / wall).toFixed(2)}`);
  return { result, cores: parts.join(' · ') };
}

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function bareExpress(): Promise<SpawnedServer> {
  const script = join(REPO_ROOT, 'packages/server/bench/bare-express.mjs');
  return spawnListening(script, [], { cwd: join(REPO_ROOT, 'packages/server') });
}

/** A server build under test: this checkout, or BENCH_BASELINE's. */
interface Variant {
  label: string;
  root: string;
  bin: string;
}

function variants(): Variant[] {
  const rev = (dir: string): string => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  const v = (root: string, role: string): Variant => ({ label: `${role} ${rev(root)}`, root, bin: join(root, 'packages/server/bin/capi-bridge.js') });
  const base = process.env.BENCH_BASELINE;
  return base ? [v(base, 'baseline'), v(REPO_ROOT, 'current')] : [v(REPO_ROOT, 'current')];
}

async function main(): Promise<void> {
  ensureBuilt();
  const vs = variants();
  const labelled = vs.length > 1;
  const rows: Row[] = [];
  // With BENCH_CPU_PROF the sandbox is profiled too (it is the Graph stand-in delivery waits on).
  const sandbox = await spawnSandbox(PROF_DIR
    ? { env: { NODE_OPTIONS: `--import ${join(REPO_ROOT, 'packages/server/bench/cpu-prof.mjs')}`, CPU_PROF_DIR: PROF_DIR } }
    : {});
  const commonEnv: Record<string, string> = { COLLECT_RATE_PER_SEC: '0', LOG_LEVEL: 'warn', FLUSH_INTERVAL_MS: '250', OUTBOX_MAX_DEPTH: '50000000' };
  // OUTBOX_THREAD=false benches the inline SQLite outbox (default: on a worker thread).
  if (process.env.OUTBOX_THREAD !== undefined) commonEnv.OUTBOX_THREAD = process.env.OUTBOX_THREAD;
  // MAP_WORKERS=0 benches /v1/events with mapping on the main thread (default: mapping workers for large bodies).
  if (process.env.MAP_WORKERS !== undefined) commonEnv.MAP_WORKERS = process.env.MAP_WORKERS;
  if (PROF_DIR) {
    commonEnv.NODE_OPTIONS = `--import ${join(REPO_ROOT, 'packages/server/bench/cpu-prof.mjs')}`;
    commonEnv.CPU_PROF_DIR = PROF_DIR;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'capi-bridge-bench-'));
  const step = (m: string): void => console.error(`[bench] ${m}`);
  const name = (base: string, v: Variant): string => (labelled ? `${base} — ${v.label}` : base);
  /** Scenario name → rows per variant label (one per round), for the ratio lines. */
  const byScenario = new Map<string, Map<string, Row[]>>();
  let round = 0;
  const add = (scenario: string, v: Variant, row: Row): void => {
    if (ROUNDS > 1) row.name += ` (round ${round + 1})`;
    rows.push(row);
    let m = byScenario.get(scenario);
    if (!m) byScenario.set(scenario, (m = new Map()));
    m.set(v.label, [...(m.get(v.label) ?? []), row]);
  };
  /** Every variant once per round, the order reversed every other round. */
  const eachRound = async (run: (v: Variant) => Promise<void>): Promise<void> => {
    for (round = 0; round < ROUNDS; round++) for (const v of round % 2 === 0 ? vs : [...vs].reverse()) await run(v);
  };

  let bareRow: Row | undefined;
  if (ONLY.has('collect')) {
    // 1. baseline: a bare Express route answering 204
    step('bare express');
    const bare = await bareExpress();
    await cannon({ url: `${bare.url}/collect`, method: 'POST', duration: 2 }); // warm-up
    const { result: b, cores } = await measured({ server: bare.proc.pid }, () => cannon({ url: `${bare.url}/collect`, method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(browserPurchase()) }));
    bareRow = ({ name: 'bare Express 204', reqPerSec: b.requests.average, eventsPerSec: NaN, p50: b.latency.p50, p99: b.latency.p99, errors: b.non2xx + b.errors, peakRssMb: peakRssMb(bare.proc.pid), cores });
    rows.push(bareRow);
    await bare.stop();

    // 2. /collect single events (delivery to the sandbox runs at the same time, as in production, unless ingestOnly)
    const runCollect = async (ingestOnly: boolean, v: Variant): Promise<void> => {
      const scenario = `/collect single events${ingestOnly ? ', ingest only' : ', delivery running'}`;
      step(name(scenario, v));
      await sandbox.clear(); // each build starts with an empty Meta stand-in (its stores grow with every event)
      const s1 = await spawnServer({ bin: v.bin, graphUrl: sandbox.url, env: ingestOnly ? { ...commonEnv, DELIVERY_ENABLED: 'false' } : commonEnv });
      const collectOpts = { url: `${s1.url}/collect`, method: 'POST' as const, headers: { origin: TEST_ORIGIN, 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 bench' }, body: JSON.stringify(browserPurchase()) };
      await cannon({ ...collectOpts, duration: 2 });
      const { result: c, cores } = await measured({ server: s1.proc.pid, sandbox: sandbox.proc.pid }, () => cannon(collectOpts));
      add(scenario, v, { name: name(scenario, v), reqPerSec: c.requests.average, eventsPerSec: c.requests.average, p50: c.latency.p50, p99: c.latency.p99, errors: c.non2xx + c.errors, peakRssMb: peakRssMb(s1.proc.pid), cores });
      await s1.stop(60_000);
    };
    for (const ingestOnly of INGEST_ONLY ? [false, true] : [false]) await eachRound((v) => runCollect(ingestOnly, v));
  }

  if (ONLY.has('events')) {
    // 3. /v1/events, 500-event batches
    const batch = JSON.stringify({ batch: Array.from({ length: 500 }, () => purchase()) });
    const runEvents = async (ingestOnly: boolean, v: Variant): Promise<void> => {
      const scenario = `/v1/events 500-event batches${ingestOnly ? ', ingest only' : ', delivery running'}`;
      step(name(scenario, v));
      await sandbox.clear();
      const s2 = await spawnServer({ bin: v.bin, graphUrl: sandbox.url, env: ingestOnly ? { ...commonEnv, DELIVERY_ENABLED: 'false' } : commonEnv });
      const apiOpts = { url: `${s2.url}/v1/events`, method: 'POST' as const, headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' }, body: batch, connections: 8 };
      await cannon({ ...apiOpts, duration: 2 });
      const { result: a, cores } = await measured({ server: s2.proc.pid, sandbox: sandbox.proc.pid }, () => cannon(apiOpts));
      add(scenario, v, { name: name(scenario, v), reqPerSec: a.requests.average, eventsPerSec: a.requests.average * 500, p50: a.latency.p50, p99: a.latency.p99, errors: a.non2xx + a.errors, peakRssMb: peakRssMb(s2.proc.pid), cores });
      await s2.stop(PROF_DIR ? 60_000 : 1000); // a killed process writes no profile
    };
    for (const ingestOnly of INGEST_ONLY ? [false, true] : [false]) await eachRound((v) => runEvents(ingestOnly, v));
  }

  if (ONLY.has('delivery')) {
    // 4. outbox → sandbox delivery: the outbox file is filled by the variant's own outbox class (its layout).
    const dest: DestinationConfig = { id: TEST_PIXEL, pixelId: TEST_PIXEL, matchPolicy: 'commanders-act', contentType: 'product', defaultActionSource: 'website', sendAllProperties: false };
    const scenario = `outbox → sandbox delivery (${DELIVERY_EVENTS.toLocaleString('en-US')} events)`;
    await eachRound(async (v) => {
      step(`${name('delivery', v)}: filling the outbox`);
      const mod = (await import(pathToFileURL(join(v.root, 'packages/server/dist/outbox/sqlite.js')).href)) as { SqliteOutbox: new (path: string, o: { maxDepth: number }) => Outbox };
      const outboxPath = join(dataDir, `delivery-${rows.length}.db`);
      const ob = new mod.SqliteOutbox(outboxPath, { maxDepth: 100_000_000 });
      for (let i = 0; i < DELIVERY_EVENTS; i += 1000) {
        const items: EnqueueItem[] = [];
        for (let j = i; j < Math.min(DELIVERY_EVENTS, i + 1000); j++) {
          const r = buildCapiEvent(purchase(), dest);
          if (!r.ok) throw new Error(`bench event does not map: ${r.detail}`);
          items.push({ destinationId: TEST_PIXEL, event: r.event });
        }
        const res = await ob.enqueue(items);
        if (!res.ok) throw new Error(res.detail);
      }
      await ob.close();
      await sandbox.clear();
      step(`${name('delivery', v)}: running`);
      const t0 = performance.now();
      const sandboxCpu0 = cpuSeconds(sandbox.proc.pid);
      const s3 = await spawnServer({ bin: v.bin, graphUrl: sandbox.url, outboxPath, dataDir, env: { ...commonEnv, DELIVERY_CONCURRENCY: '4', BATCH_SIZE: '1000' } });
      let sent = 0;
      for (;;) {
        const m = await s3.metrics();
        sent = m.get(`capi_bridge_events_sent_total{destination="${TEST_PIXEL}"}`) ?? 0;
        if (sent >= DELIVERY_EVENTS) break;
        if (performance.now() - t0 > 300_000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const secs = (performance.now() - t0) / 1000;
      const cores = `server ${(cpuSeconds(s3.proc.pid) / secs).toFixed(2)} · sandbox ${((cpuSeconds(sandbox.proc.pid) - sandboxCpu0) / secs).toFixed(2)}`;
      const m = await s3.metrics();
      const p = (q: number): number => {
        // Graph latency quantile from the histogram buckets (upper bound of the bucket).
        const prefix = `capi_bridge_graph_request_duration_seconds_bucket{le="`;
        const buckets = [...m.entries()].filter(([k]) => k.startsWith(prefix) && k.includes('outcome="ok"'))
          .map(([k, val]) => [Number(/le="([^"]+)"/.exec(k)![1]), val] as const).sort((x, y) => x[0] - y[0]);
        const total = buckets.at(-1)?.[1] ?? 0;
        return (buckets.find(([, val]) => val >= total * q)?.[0] ?? NaN) * 1000;
      };
      add(scenario, v, { name: name(scenario, v), reqPerSec: NaN, eventsPerSec: sent / secs, p50: p(0.5), p99: p(0.99), errors: DELIVERY_EVENTS - sent, peakRssMb: peakRssMb(s3.proc.pid), cores });
      await s3.stop(1000);
    });
  }
  await sandbox.stop();

  const f = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
  console.log(`# HTTP bench — autocannon ${CONNECTIONS} connections (8 for batches), ${DURATION} s per run, loopback, node ${process.version}`);
  console.log('| scenario | requests/s | events/s | p50 ms | p99 ms | errors | peak RSS MB | CPU cores used |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.name} | ${f(r.reqPerSec)} | ${f(r.eventsPerSec)} | ${f(r.p50)} | ${f(r.p99)} | ${r.errors} | ${f(r.peakRssMb)} | ${r.cores} |`);
  console.log('');
  /** Geometric mean (of rates or ratios). */
  const gmean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  for (const [scenario, perVariant] of byScenario) {
    for (const v of vs) {
      const runs = perVariant.get(v.label);
      if (!runs) continue;
      const row = { ...runs[0]!, reqPerSec: gmean(runs.map((r) => r.reqPerSec)), eventsPerSec: gmean(runs.map((r) => r.eventsPerSec)) };
      const who = labelled ? ` (${v.label})` : '';
      if (scenario.startsWith('/collect') && bareRow) {
        const ratio = row.reqPerSec / bareRow.reqPerSec;
        console.log(`${scenario}${who} vs bare Express: ${ratio.toFixed(2)}× (target ≥ 0.5×) ${ratio >= 0.5 ? 'PASS' : 'MISS'}`);
      } else if (scenario.startsWith('/v1/events')) {
        console.log(`${scenario}${who}: ${f(row.eventsPerSec)} events/s (target ≥ 50,000) ${row.eventsPerSec >= 50_000 ? 'PASS' : 'MISS'}`);
      } else {
        console.log(`delivery${who}: ${f(row.eventsPerSec)} events/s (target ≥ 20,000) ${row.eventsPerSec >= 20_000 ? 'PASS' : 'MISS'}  (p50/p99 = Graph request latency per 1000-event batch, histogram bucket bounds)`);
      }
    }
    if (labelled) {
      const [base, cur] = vs.map((v) => perVariant.get(v.label));
      if (base && cur) {
        const ratios = cur.map((c, i) => c.eventsPerSec / base[i]!.eventsPerSec);
        const each = ratios.length > 1 ? ` (per round, order alternating: ${ratios.map((r) => r.toFixed(2)).join(', ')})` : '';
        console.log(`  → ${scenario}: current / baseline = ${gmean(ratios).toFixed(2)}×${each}`);
      }
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
