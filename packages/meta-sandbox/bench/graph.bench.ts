/**
 * Graph ingest cost of the sandbox: CPU µs per event on `POST /:version/:pixelId/events` for batches of 1000
 * realistic events (~1 KB each, the shape the companion server sends), and events/s.
 *
 * The sandbox runs as its own process (`bin/meta-sandbox.js`, built `dist/`); its CPU is read from
 * /proc/<pid>/stat (utime+stime) around the measured part, so the client's own work is not counted.
 *
 * Run: `npx tsc -b packages/meta-sandbox && node --import tsx packages/meta-sandbox/bench/graph.bench.ts`
 * Env: BATCHES (measured, default 150), WARMUP (default 20), CONCURRENCY (requests in flight, default 2),
 *      SANDBOX_ARGS (extra node args for the sandbox, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`),
 *      SANDBOX_BIN (another build's bin/meta-sandbox.js, to compare builds on the same machine state).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.SANDBOX_BIN ?? join(HERE, '..', 'bin', 'meta-sandbox.js');
const BATCH = 1000;
const BATCHES = Number(process.env.BATCHES ?? 150);
const WARMUP = Number(process.env.WARMUP ?? 20);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 2);
const PIXEL = '1234567890';
const CLK_TCK = 100;

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime), counted from 1 with pid at 1; after the comm field they are 11 and 12.
  return ((Number(f[11]) + Number(f[12])) * 1_000_000) / CLK_TCK;
}

let serial = 0;
function event(nowS: number): Record<string, unknown> {
  const n = serial++;
  const shopper = n % 20_000;
  const price = 10 + (n % 90);
  return {
    event_name: n % 3 === 0 ? 'Purchase' : 'AddToCart',
    event_time: nowS - (n % 60),
    event_id: `evt-${process.pid}-${n}-${shopper.toString(36)}`,
    action_source: 'website',
    event_source_url: `https://shop.example.test/products/item-${n % 500}?utm_source=newsletter&utm_medium=email`,
    user_data: {
      em: [sha(`shopper${shopper}@example.com`)],
      ph: [sha(`3361234${String(shopper).padStart(5, '0')}`)],
      fn: [sha(`first${shopper}`)],
      ln: [sha(`last${shopper}`)],
      ct: [sha('paris')],
      country: [sha('fr')],
      client_ip_address: `203.0.113.${shopper % 250}`,
      client_user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      fbp: `fb.1.1596403881668.${1_000_000_000 + shopper}`,
    },
    custom_data: {
      value: price * 2 + 0.5,
      currency: 'EUR',
      contents: [{ id: `sku-${n % 500}`, quantity: 2, item_price: price + 0.25 }],
      content_ids: [`sku-${n % 500}`],
      content_type: 'product',
      order_id: `order-${n}`,
    },
  };
}

function body(): Buffer {
  const nowS = Math.floor(Date.now() / 1000);
  const data = Array.from({ length: BATCH }, () => event(nowS));
  return Buffer.from(JSON.stringify({ data, partner_agent: 'capi-bridge-bench', access_token: 'sandbox-token' }));
}

async function startSandbox(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const extra = (process.env.SANDBOX_ARGS ?? '').split(' ').filter((x) => x !== '');
  const proc = spawn(process.execPath, [...extra, BIN, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      if (line.includes('"msg":"listening"')) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url,
    pid: proc.pid!,
    stop: () => new Promise((done) => {
      proc.once('exit', () => done());
      proc.kill('SIGTERM');
    }),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(url: string, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v24.0/${PIXEL}/events`, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': payload.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        else resolve((JSON.parse(Buffer.concat(chunks).toString()) as { events_received: number }).events_received);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function run(url: string, bodies: Buffer[]): Promise<number> {
  let next = 0;
  let received = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const n = await post(url, bodies[next++]!);
      received += n;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return received;
}

const warm = Array.from({ length: WARMUP }, body);
const measured = Array.from({ length: BATCHES }, body);
const avgBytes = measured.reduce((s, b) => s + b.length, 0) / measured.length / BATCH;

const sb = await startSandbox();
try {
  await run(sb.url, warm);
  const cpu0 = cpuMicros(sb.pid);
  const t0 = performance.now();
  const received = await run(sb.url, measured);
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuMicros(sb.pid) - cpu0;
  if (received !== BATCHES * BATCH) throw new Error(`sandbox received ${received} events, expected ${BATCHES * BATCH}`);
  const stats = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { store: { counted: number; rejected: number } };
  if (stats.store.rejected !== 0) throw new Error(`${stats.store.rejected} events rejected`);
  console.log(JSON.stringify({
    bench: 'meta-sandbox graph ingest',
    batches: BATCHES, batchSize: BATCH, concurrency: CONCURRENCY, bytesPerEvent: Math.round(avgBytes),
    cpuUsPerEvent: Number((cpu / received).toFixed(2)),
    eventsPerSec: Math.round(received / secs),
    sandboxCores: Number((cpu / 1e6 / secs).toFixed(2)),
  }));
} finally {
  await sb.stop();
  agent.destroy();
}
