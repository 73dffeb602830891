/**
 * Ingest core A/B in one process: `prepare` + `commit` (mapping, match-key coverage, sent log, metrics; the
 * outbox is a no-op) + the route's reply string per request, this build's dist vs BENCH_BASELINE's (another built checkout), alternately,
 * measured in CPU time of this process (not wall time: figures stay comparable on a shared machine).
 * Run: `BENCH_BASELINE=<checkout> node --import tsx packages/server/bench/ingest-cpu.ts` after `npm run build`.
 * Not part of `npm run bench` (it needs a baseline).
 */
import { existsSync } from 'node:fs';
import { purchase } from '../test/support/events.js';
const cur = new URL('../dist', import.meta.url).pathname;
if (!process.env.BENCH_BASELINE) throw new Error('BENCH_BASELINE=<another built checkout> is required');
const base = `${process.env.BENCH_BASELINE}/packages/server/dist`;
async function load(dir: string) {
  // Two layouts: src/ingest/{prepare,commit} (one JSON result), or the older src/http/ingest.js (`replyJson` option).
  const split = existsSync(`${dir}/ingest/prepare.js`);
  const ingest = split
    ? { ...(await import(`${dir}/ingest/prepare.js`)), ...(await import(`${dir}/ingest/commit.js`)) }
    : await import(`${dir}/http/ingest.js`);
  const { buildCapiEvent } = await import(`${dir}/mapping/build.js`);
  const { createMetrics } = await import(`${dir}/metrics.js`);
  const { SentLog } = await import(`${dir}/sent-log.js`);
  let coverage: unknown;
  try { const { Coverage } = await import(`${dir}/status/coverage.js`); coverage = new Coverage(); } catch { /* baseline */ }
  const dest = { id: 'main', pixelId: '1234567890', matchPolicy: 'commanders-act', contentType: 'product', defaultActionSource: 'website', sendAllProperties: false };
  const deps = {
    config: { destinations: [dest] }, build: buildCapiEvent, outbox: { enqueue: async () => ({ ok: true }) },
    metrics: createMetrics(['main']), sentLog: new SentLog(10_000), now: Date.now, ...(coverage ? { coverage } : {}),
  };
  // What each route does per request: the /v1/events reply (batch) and the /collect reply (single).
  const batchReply = (p: { accepted: number; count: number; resultsJson: string }) => `{"accepted":${p.accepted},"dropped":${p.count - p.accepted},"results":[${p.resultsJson}]}`;
  const singleReply = split ? (p: { resultsJson: string }) => `{"results":[${p.resultsJson}]}` : (p: { results: unknown[] }) => JSON.stringify({ results: p.results });
  const prepareBatch = split ? (d: unknown, inputs: unknown[]) => ingest.prepare(d, inputs, 'api', {}) : (d: unknown, inputs: unknown[]) => ingest.prepare(d, inputs, 'api', {}, { replyJson: true });
  return { deps, prepareBatch, prepareSingle: (d: unknown, inputs: unknown[]) => ingest.prepare(d, inputs, 'browser', {}), commit: ingest.commit, batchReply, singleReply };
}
const impls = { baseline: await load(base), current: await load(cur) };
console.log('ingest prepare+commit, CPU time, 20,000 events per run, runs alternate');
const batch = Array.from({ length: 500 }, () => purchase());
const single = Array.from({ length: 2000 }, () => [purchase()]);
const results: Record<string, number[]> = {};
let sink = 0;
for (let round = 0; round < 16; round++) {
  for (const [name, impl] of round % 2 ? Object.entries(impls).reverse() : Object.entries(impls)) {
    for (const mode of ['batch', 'single'] as const) {
      // CPU time of this process (not wall time: the machine is shared), fixed work per run.
      const c0 = process.cpuUsage();
      let n = 0;
      while (n < 20_000) {
        if (mode === 'batch') { const p = impl.prepareBatch(impl.deps, batch); await impl.commit(impl.deps, p); sink += impl.batchReply(p).length; n += 500; }
        else { for (let i = 0; i < 100; i++) { const p = impl.prepareSingle(impl.deps, single[(n + i) % 2000]!); await impl.commit(impl.deps, p); sink += impl.singleReply(p).length; } n += 100; }
      }
      const c = process.cpuUsage(c0);
      (results[`${mode} ${name}`] ??= []).push(n / ((c.user + c.system) / 1e6));
    }
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [k, v] of Object.entries(results)) console.log(k.padEnd(18), Math.round(med(v)), 'events/s (median of', v.length, ')');
if (sink === 0) throw new Error('no reply built');
for (const mode of ['batch', 'single']) console.log(mode, 'current/baseline =', (med(results[`${mode} current`]!) / med(results[`${mode} baseline`]!)).toFixed(3));
