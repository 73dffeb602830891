import type { Obj, Outcome } from './types.js';

/**
 * With `debug`: the forward's outcome from fetch's answer `r` (a Response, or the error when nothing came back),
 * logged with `say` and handed to `done`. The outcome is the server's JSON reply with its HTTP `status`:
 * `/collect` answers 202 (accepted), 200 with per-destination drop reasons, or `{error:{code,message}}` (429,
 * 503…). Status 0: no readable answer. The server's 403 for an origin not in its ALLOWED_ORIGINS carries no CORS
 * header (refused origins read nothing), so the browser reports it as a network error, like a server that is
 * down: the message names both causes and the page's origin.
 * The console line: `202 accepted`, `200` with each destination's drop (reason, and the rule with the keys
 * present), or the refusal's status and the server's message; `0` and the browser's error when nothing answered.
 */
export const reportOutcome = async (r: Response, origin: string, say: (...a: unknown[]) => void, done: (o: Outcome) => void) => {
  const o: Outcome = r?.status
    ? { status: r.status, ...((await r.json().catch(() => 0)) as Obj) }
    : { status: 0, error: { message: r + ': server down, or ' + origin + ' is not in its ALLOWED_ORIGINS' } };
  say(
    o.status,
    // (the filter drops the parts that do not apply: accepted destinations, no error)
    ...[
      o.status == 202 && 'accepted',
      ...(o.results ?? []).flatMap((r) => r.destinations.map((d) => d.reason && d.destination + ' dropped: ' + d.reason + ' (' + d.detail + ')')),
      o.error?.message,
    ].filter((x) => x),
  );
  done(o);
};
