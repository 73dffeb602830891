import type { StatusSnapshot } from './snapshot.js';

const esc = (s: string | number): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const pct = (share: number): string => `${Math.round(share * 100)}%`;

/** Coverage cell shade: green from 80 %, amber from 30 %, else red (Events Manager-like reading aid). */
const shade = (share: number): string => (share >= 0.8 ? 'hi' : share >= 0.3 ? 'mid' : 'lo');

/** Short column heads for the long key names (the full name stays in the tooltip). */
const HEAD: Readonly<Record<string, string>> = { client_ip_address: 'IP', client_user_agent: 'UA', external_id: 'ext. id' };

/** The operator's status page: one self-contained HTML document (inline CSS, no script, no external asset). */
export function renderStatusHtml(s: StatusSnapshot): string {
  const dests = s.destinations.map((d) => `
  <section class="card">
    <h2>${esc(d.id)} <small>pixel ${esc(d.pixel_id)}</small> ${d.paused ? '<span class="badge bad">paused</span>' : d.backing_off_until ? '<span class="badge warn">backing off</span>' : '<span class="badge ok">delivering</span>'}</h2>
    ${d.paused ? `<p class="why">Paused${d.paused_since ? ` since ${esc(d.paused_since)}` : ''}: ${esc(d.pause_reason ?? '')}. Events are kept; one batch is tried every AUTH_PROBE_INTERVAL_MS and delivery resumes when Meta accepts it.</p>` : ''}
    ${d.backing_off_until ? `<p class="why">Graph requests failing or throttled: next try after ${esc(d.backing_off_until)}.</p>` : ''}
    <dl>
      <div><dt>Delivered/s</dt><dd>${esc(d.delivered_per_s)} <small>(last ${esc(d.rate_window_s)} s)</small></dd></div>
      <div><dt>Delivered</dt><dd>${esc(d.delivered_total)}</dd></div>
      <div><dt>Queue depth</dt><dd>${d.queue_depth === null ? 'unknown' : esc(d.queue_depth)}</dd></div>
      <div><dt>Oldest queued</dt><dd>${d.oldest_age_s === null ? '—' : `${esc(d.oldest_age_s)} s`}</dd></div>
      <div><dt>Retries</dt><dd>${esc(d.retries_total)}</dd></div>
      <div><dt>Dead letters</dt><dd>${esc(d.dead_letters_total)}${Object.keys(d.dead_letters_by_reason).length ? ` <small>(${Object.entries(d.dead_letters_by_reason).map(([r, n]) => `${esc(r)} ${esc(n)}`).join(', ')})</small>` : ''}</dd></div>
    </dl>
    ${d.recent_dead_letters.length ? `<h3>Latest dead letters</h3>
    <div class="scroll"><table><thead><tr><th>When</th><th>Event</th><th>Reason</th><th>Meta's message</th></tr></thead><tbody>
    ${d.recent_dead_letters.map((l) => `<tr><td>${esc(l.dead_lettered_at)}</td><td>${esc(l.event_name)}<br><small>${esc(l.event_id)}</small></td><td>${esc(l.reason)}${l.code !== undefined ? ` <small>(${esc(l.code)}${l.error_subcode !== undefined ? `/${esc(l.error_subcode)}` : ''})</small>` : ''}</td><td>${esc(l.message ?? '')}</td></tr>`).join('\n    ')}
    </tbody></table></div>` : ''}
  </section>`).join('\n');

  const drops = Object.entries(s.drops).sort((a, b) => b[1] - a[1]);
  const dropsHtml = drops.length === 0 ? '<p>No event dropped since start.</p>'
    : `<table><thead><tr><th>Reason</th><th>Events</th></tr></thead><tbody>${drops.map(([r, n]) => `<tr><td>${esc(r)}</td><td>${esc(n)}</td></tr>`).join('')}</tbody></table>`;

  const keys = s.coverage_keys;
  const cov = s.coverage.length === 0 ? '<p>No event queued since start.</p>'
    : `<div class="scroll"><table class="cov"><thead><tr><th>Destination</th><th>Event</th><th>Events</th>${keys.map((k) => `<th title="${esc(k)}">${esc(HEAD[k] ?? k)}</th>`).join('')}</tr></thead><tbody>
${s.coverage.map((r) => `<tr><td>${esc(r.destination)}</td><td>${esc(r.event_name)}</td><td>${esc(r.events)}</td>${keys.map((k) => `<td class="${shade(r.share[k])}">${pct(r.share[k])}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>capi-bridge status</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:72rem;color:#1c1e21;background:#f5f6f7}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin:.2rem 0}h3{font-size:1rem}small{color:#606770;font-weight:normal}
.card{background:#fff;border:1px solid #dddfe2;border-radius:8px;padding:.8rem 1rem;margin:.8rem 0}
dl{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.5rem;margin:.5rem 0}dt{color:#606770;font-size:.85rem}dd{margin:0;font-size:1.1rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #e4e6eb;padding:.3rem .4rem;text-align:left;vertical-align:top}
.scroll{overflow-x:auto}.cov td,.cov th{text-align:right;white-space:nowrap}.cov td:nth-child(-n+2),.cov th:nth-child(-n+2){text-align:left}
.hi{background:#e3f4e6}.mid{background:#fff4d6}.lo{background:#fde2e1}
.badge{font-size:.8rem;padding:.1rem .5rem;border-radius:1rem;vertical-align:middle}.ok{background:#e3f4e6}.warn{background:#fff4d6}.bad{background:#fde2e1}
.why{background:#fff8e1;padding:.4rem .6rem;border-radius:4px}
</style></head><body>
<h1>capi-bridge status</h1>
<p><small>Generated ${esc(s.generated_at)} · up ${esc(s.uptime_s)} s · counts since this process started · JSON: <a href="status.json">status.json</a></small></p>
<h2>Destinations</h2>
${dests}
<section class="card"><h2>Drops by reason</h2>${dropsHtml}</section>
<section class="card"><h2>Match-key coverage</h2>
<p><small>Share of queued events carrying each customer information parameter, per event name (as Events Manager shows it). More keys, better matching.</small></p>
${cov}</section>
</body></html>
`;
}
