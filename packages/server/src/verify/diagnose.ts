/** Why a `verify` run saw what it saw: the rule behind a server drop, and what likely blocked an empty run. Pure. */

/** What the browser did besides pixel hits, recorded to explain an empty or partial run. */
export interface VisitFacts {
  /** Requests for fbevents.js (Meta's or a stand-in) and how they ended. */
  fbevents: { requested: number; failed: number; blockedUrls: string[] };
  /** The capi-bridge tag script (`…/tag.js`): requested, and whether it failed to load. */
  tag: { requested: number; failed: number };
  /** `POST …/collect` forwards: sent, and the HTTP statuses answered (0: no answer, e.g. refused by CORS). */
  collect: { sent: number; statuses: number[] };
  /** Visible buttons that look like a consent banner's (text, at most a few). */
  consentButtons: string[];
  /** A journey file was given. */
  journey: boolean;
}

export const emptyFacts = (): VisitFacts => ({
  fbevents: { requested: 0, failed: 0, blockedUrls: [] },
  tag: { requested: 0, failed: 0 },
  collect: { sent: 0, statuses: [] },
  consentButtons: [],
  journey: false,
});

/** The rule behind each server drop reason (mapping core), in words a site owner can act on. */
const RULES: Record<string, string> = {
  insufficient_match_keys:
    "the destination's match-key rule (FB_MATCH_POLICY; commanders-act: 1 of em, ph, external_id, fbp, fbc and 3 other keys; meta-baseline: not only weak keys) — add user.email / user.phone or more user fields",
  missing_personal_info: 'physical_store events need em or ph',
  no_consent: "the consent category the server requires (FB_CONSENT_CATEGORY) is not in the event's consent_categories",
  missing_value_or_currency: 'Purchase needs value and currency (amount/value/revenue and currency)',
  missing_event_source_url: 'website events need the page URL (context.page.url)',
  missing_client_user_agent: 'website events need the browser user agent',
  too_old: 'Meta accepts events up to 7 days old',
  in_future: 'event_time is in the future',
  invalid_event_id: 'event_id must be a string or number of reasonable length',
  missing_event_name: 'the event has no name',
  invalid_event_name: 'the event name is not a valid string',
  invalid_event_time: 'event_time could not be read',
  invalid_action_source: "action_source is not one of Meta's values",
  invalid_input: 'the event is not a JSON object',
};

/** `reason (rule; keys present: …)` for a record the server did not send. */
export function explainDrop(status: string, reason: string | undefined, matchKeys: string[] | undefined): string {
  if (!reason) return `the server did not send it: ${status}`;
  const rule = RULES[reason];
  const keys = matchKeys ? `; keys present: ${matchKeys.length ? matchKeys.join(', ') : 'none'}` : '';
  return `the server ${status === 'dropped' ? 'dropped' : status} it: ${reason}${rule ? ` — rule: ${rule}` : ''}${keys}`;
}

/**
 * What most likely kept a run from recording any pixel event with an id, most specific first, then what to
 * try (`--journey`). Never empty.
 */
export function explainEmptyRun(f: VisitFacts): string[] {
  const out: string[] = [];
  if (f.tag.requested === 0) {
    out.push('the page never requested the capi-bridge tag (…/tag.js): is the embed snippet on this page?');
  } else if (f.tag.failed > 0 && f.tag.failed >= f.tag.requested) {
    out.push('the capi-bridge tag (…/tag.js) failed to load: is the companion server up and reachable from the browser?');
  }
  if (f.fbevents.failed > 0) {
    out.push(`fbevents.js was blocked or failed to load (${f.fbevents.blockedUrls.slice(0, 2).join(', ')}): no pixel hit can leave without it (content blocker, CSP, data-fbevents-url wrong?)`);
  }
  const refused = f.collect.statuses.filter((s) => s === 0 || s >= 400);
  if (refused.length > 0) {
    out.push(`${refused.length} of ${f.collect.sent} forwards to /collect were refused or unanswered (HTTP ${[...new Set(refused)].join(', ')}): is this page's origin in the server's ALLOWED_ORIGINS?`);
  }
  if (f.tag.requested > 0 && f.fbevents.requested === 0 && f.collect.sent === 0) {
    if (f.consentButtons.length > 0) {
      out.push(`a consent banner seems to hold the events (buttons: ${f.consentButtons.map((b) => JSON.stringify(b)).join(', ')}): with data-consent-category the tag waits for consent.update`);
    } else {
      out.push('the tag loaded but nothing fired: no cact(\'trigger\', …) ran, or it waits for consent (data-consent-category) that the page never granted');
    }
  }
  out.push(
    f.journey
      ? 'check the journey: it should accept the consent banner and do what fires the events (the demo: e2e/demo/journeys/accept-and-browse.mjs)'
      : 'run again with --journey <file.mjs> that accepts the consent banner and clicks through (example: e2e/demo/journeys/accept-and-browse.mjs)',
  );
  return out;
}
