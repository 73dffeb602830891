/** Human-readable output of `capi-bridge verify`. Pure. */
import { VERDICTS } from './compare.js';
import type { VerifyReport } from './types.js';

function cell(value: string | undefined, width: number): string {
  const v = value ?? '-';
  return v.length > width ? `${v.slice(0, width - 1)}…` : v.padEnd(width);
}

export function renderTable(report: VerifyReport): string {
  const header = ['VERDICT', 'EVENT ID', 'BROWSER EVENT', 'SERVER EVENT', 'SERVER STATUS', 'FBP'];
  const widths = [19, 38, 18, 18, 13, 8];
  const lines = [header.map((h, i) => cell(h, widths[i]!)).join(' ')];
  for (const r of report.rows) {
    const fbp = !r.browserFbp && !r.serverFbp ? 'none' : r.browserFbp === r.serverFbp ? 'same' : r.serverFbp ? 'differs' : 'missing';
    lines.push(
      [r.verdict, r.eventId, r.browserEventName, r.serverEventName, r.serverStatus, r.serverStatus ? fbp : undefined]
        .map((v, i) => cell(v, widths[i]!))
        .join(' ')
        .trimEnd() + (r.note && r.verdict !== 'paired' ? `\n${' '.repeat(widths[0]! + 1)}↳ ${r.note}` : ''),
    );
  }
  const summary = VERDICTS.map((v) => `${report.counts[v]} ${v}`).join(', ');
  lines.push('');
  lines.push(`Summary: ${summary}${report.unkeyedHits ? ` (${report.unkeyedHits} pixel hits without an event id ignored)` : ''}`);
  if (report.rows.length === 0) {
    lines.push('FAIL: no pixel hit with an event id and no forward to the server was recorded, so nothing could be checked.');
    for (const h of report.hints ?? []) lines.push(`  - ${h}`);
  } else {
    lines.push(report.ok ? 'OK: every browser event has a matching server event.' : 'FAIL: see the rows above.');
  }
  return lines.join('\n');
}
