/**
 * SqliteOutbox microbench: CPU µs per event (process.cpuUsage, user + system) for
 *   enqueue (batches of 500, each awaited = one FULL commit), claim(1000), ack(1000),
 * over N events (default 100,000), current class vs the class as it was at commit eb6ea91 (a queue row per
 * event, claim = UPDATE … RETURNING), interleaved (base, new, base, new …) on fresh files so machine-load swings hit both.
 * Run: `node --import tsx bench/outbox-sqlite.bench.ts` (from packages/server). BENCH_EVENTS, BENCH_ROUNDS.
 * BENCH_BASELINE=<other checkout, built> compares with that checkout's `dist/outbox/sqlite.js` instead, and the
 * current class is then read from this checkout's `dist` too (built: the same compiler output on both sides).
 * BENCH_JSON=1 passes each event's JSON text along (`EnqueueItem.json`) to the current class.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CapiServerEvent } from '../src/mapping/types.js';
import type { EnqueueItem, Outbox } from '../src/outbox/types.js';
import { SqliteOutbox } from '../src/outbox/sqlite.js';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PASS_JSON = process.env.BENCH_JSON === '1';
const BATCH = 500;
const BASELINE_COMMIT = 'eb6ea91';

type OpenOutbox = (path: string) => Outbox;

/**
 * The baseline is the class read from git history (its imports are type-only, so it runs as is), written
 * under node_modules/.cache so that `better-sqlite3` resolves. No git history (e.g. a tarball): no baseline.
 */
async function loadBaseline(): Promise<OpenOutbox | undefined> {
  const other = process.env.BENCH_BASELINE;
  if (other) {
    const mod = (await import(pathToFileURL(join(other, 'packages/server/dist/outbox/sqlite.js')).href)) as { SqliteOutbox: new (path: string) => Outbox };
    return (p) => new mod.SqliteOutbox(p);
  }
  const here = fileURLToPath(new URL('.', import.meta.url));
  try {
    const src = execFileSync('git', ['show', `${BASELINE_COMMIT}:packages/server/src/outbox/sqlite.ts`], { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const dir = join(here, '../node_modules/.cache/capi-bench');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `sqlite-${BASELINE_COMMIT}.ts`);
    writeFileSync(file, src);
    const mod = (await import(pathToFileURL(file).href)) as { SqliteOutbox: new (path: string) => Outbox };
    return (p) => new mod.SqliteOutbox(p);
  } catch {
    return undefined;
  }
}
const DEST = 'pixel-1';

function event(i: number): CapiServerEvent {
  return {
    event_name: 'Purchase',
    event_time: 1_700_000_000 + (i % 1000),
    event_id: `bench-${i}`,
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout?step=3&utm_source=newsletter&utm_medium=email',
    user_data: {
      em: ['7b17fb0bd173f625b58636fb796407c22b3d16fc78302d79f0fd30c2fc2fc068'],
      ph: ['254aa248acb47dd654ca3ea53f48c2c26d641d23d7e2e93a1ec56258df7674c4'],
      external_id: ['6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b'],
      client_ip_address: '203.0.113.7',
      client_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      fbp: 'fb.1.1700000000000.1234567890',
      fbc: 'fb.1.1700000000000.IwAR2xYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
    },
    custom_data: {
      value: 149.9, currency: 'EUR', order_id: `order-${i}`, num_items: 3, content_type: 'product',
      contents: [{ id: 'sku-1', quantity: 1, item_price: 49.9 }, { id: 'sku-2', quantity: 2, item_price: 50 }],
      content_ids: ['sku-1', 'sku-2'],
    },
  };
}

interface Result { enqueue: number; claim: number; ack: number; all: number; wallS: number }

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function run(open: (path: string) => Outbox, withJson: boolean): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-sqlite-bench-'));
  const o = open(join(dir, 'o.db'));
  // Events are built outside the measured sections (the server has them from mapping already).
  const batches: EnqueueItem[][] = [];
  for (let b = 0; b < N / BATCH; b++) {
    const items: EnqueueItem[] = [];
    for (let i = 0; i < BATCH; i++) {
      const ev = event(b * BATCH + i);
      items.push(withJson ? { destinationId: DEST, event: ev, json: JSON.stringify(ev) } : { destinationId: DEST, event: ev });
    }
    batches.push(items);
  }
  const t0 = performance.now();
  const cpu0 = cpuUs();
  let enq = 0;
  for (const items of batches) {
    const c = cpuUs();
    const r = await o.enqueue(items);
    enq += cpuUs() - c;
    if (!r.ok) throw new Error(`enqueue failed: ${r.detail}`);
  }
  let claim = 0;
  let ack = 0;
  let done = 0;
  for (;;) {
    let c = cpuUs();
    const got = await o.claim(DEST, 1000, 60_000);
    claim += cpuUs() - c;
    if (got.length === 0) break;
    const ids = got.map((e) => e.id);
    c = cpuUs();
    await o.ack(DEST, ids);
    ack += cpuUs() - c;
    done += got.length;
  }
  const wallS = (performance.now() - t0) / 1000;
  const all = cpuUs() - cpu0;
  if (done !== N) throw new Error(`drained ${done} of ${N}`);
  if ((await o.depth()) !== 0) throw new Error('outbox not empty after drain');
  await o.close();
  rmSync(dir, { recursive: true, force: true });
  return { enqueue: enq / N, claim: claim / N, ack: ack / N, all: all / N, wallS };
}

const f = (n: number): string => n.toFixed(1);

async function main(): Promise<void> {
  console.log(`# SqliteOutbox microbench — ${N.toLocaleString('en-US')} events, enqueue batches of ${BATCH}, claim/ack 1000; CPU µs/event`);
  console.log(`(current class ${PASS_JSON ? 'gets EnqueueItem.json' : 'serialises the events itself'}; ${ROUNDS} interleaved rounds)`);
  console.log('| variant | round | enqueue | claim | ack | claim+ack | sum | process CPU | wall s |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const baseline = await loadBaseline();
  const baseLabel = process.env.BENCH_BASELINE ? `baseline ${process.env.BENCH_BASELINE}` : `baseline ${BASELINE_COMMIT}`;
  if (!baseline) console.log(`(no git history: baseline ${BASELINE_COMMIT} skipped)`);
  let Current: new (path: string) => Outbox = SqliteOutbox;
  if (process.env.BENCH_BASELINE) {
    Current = ((await import(new URL('../dist/outbox/sqlite.js', import.meta.url).href)) as { SqliteOutbox: typeof Current }).SqliteOutbox;
  }
  const variants: Array<[string, OpenOutbox, boolean]> = [['current', (p) => new Current(p), PASS_JSON]];
  if (baseline) variants.unshift([baseLabel, baseline, false]);
  for (let r = 1; r <= ROUNDS; r++) {
    for (const [label, open, json] of variants) {
      const x = await run(open, json);
      console.log(`| ${label} | ${r} | ${f(x.enqueue)} | ${f(x.claim)} | ${f(x.ack)} | ${f(x.claim + x.ack)} | ${f(x.enqueue + x.claim + x.ack)} | ${f(x.all)} | ${x.wallS.toFixed(1)} |`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
