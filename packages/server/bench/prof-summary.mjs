// Summarises a .cpuprofile: self time by function (top N), and "inclusive" by our source files.
// node bench/prof-summary.mjs <file.cpuprofile> [top=30]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const total = p.samples.length;
const self = new Map();
for (const [id, c] of counts) {
  const n = byId.get(id);
  const f = n.callFrame;
  const url = f.url.replace(/^.*\/node_modules\//, 'nm/').replace(/^.*\/packages\//, '').replace(/^node:/, '');
  const key = `${f.functionName || '(anon)'} ${url}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + c);
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`samples ${total}`);
for (const [k, c] of rows) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`);
