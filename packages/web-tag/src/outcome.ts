import type { Obj, Outcome } from './types.js';

/**
 * With `debug`: a forward's outcome from the server's answer `r`, logged with `say` and handed to `done`. The outcome
 * is the server's JSON reply with its HTTP `status`: `/collect` answers 202 (accepted), 200 with per-destination drop
 * reasons, or `{error:{code,message}}` (429, 503…). The console line: `202 accepted`, `200` with each destination's
 * drop (reason, and the rule with the keys present), or the refusal's status and the server's message.
 * dist/tag.js imports it when an answer comes, as dist/tag-debug.js from the server that gave it (see create-tag,
 * which also reports a forward that got no answer).
 */
export const reportAnswer = async (r: Response, say: (...a: unknown[]) => void, done: (o: Outcome) => void) => {
  const o: Outcome = { status: r.status, ...((await r.json().catch(() => 0)) as Obj) };
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
