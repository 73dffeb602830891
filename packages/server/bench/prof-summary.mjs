// Summarises a .cpuprofile written by bench/cpu-prof.mjs (or node --cpu-prof):
//  - self time by function (top N);
//  - total (inclusive) time by function: a sample counts once for every distinct function on its stack;
//  - self time grouped by the nearest caller in our own sources (packages/*/src, not node_modules/node:),
//    so per-request costs spent inside libraries (express router, body reader, helmet, prom-client,
//    JSON, GC…) show under the middleware / function of ours that triggered them.
// node bench/prof-summary.mjs <file.cpuprofile> [top=30]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const counts = new Map();
for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const total = p.samples.length;

const short = (url) => url.replace(/^.*\/node_modules\//, 'nm/').replace(/^.*\/packages\//, '').replace(/^node:/, '');
const keyOf = (n) => `${n.callFrame.functionName || '(anon)'} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
const ours = (n) => /\/packages\/[^/]+\/(src|dist)\//.test(n.callFrame.url) && !n.callFrame.url.includes('/node_modules/');

const self = new Map();
const incl = new Map();
const byOwner = new Map();
let idle = 0;
for (const [id, c] of counts) {
  const n = byId.get(id);
  const k = keyOf(n);
  if (n.callFrame.functionName === '(idle)') idle += c;
  self.set(k, (self.get(k) ?? 0) + c);
  const seen = new Set();
  let owner;
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const node = byId.get(cur);
    const kk = keyOf(node);
    if (!seen.has(kk)) {
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + c);
    }
    if (owner === undefined && ours(node)) owner = kk;
  }
  const o = owner ?? `(no caller of ours) ${k}`;
  byOwner.set(o, (byOwner.get(o) ?? 0) + c);
}
const pct = (c) => `${((100 * c) / total).toFixed(1).padStart(5)}%`;
const show = (title, m, skipRoot) => {
  console.log(`\n## ${title}`);
  const rows = [...m].filter(([k]) => !skipRoot || !/^\((root|program|idle|garbage collector)\)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, c] of rows) console.log(`${pct(c)}  ${k}`);
};
console.log(`samples ${total} (idle ${pct(idle).trim()})`);
show('self time by function', self, false);
show('total (inclusive) time by function', incl, true);
show('self time by nearest caller in our sources', byOwner, false);
