import { resolveActionSource } from './action-source.js';
import { checkConsent } from './consent.js';
import { buildCustomData } from './custom-data.js';
import { resolveEventId } from './event-id.js';
import { resolveEventName } from './event-name.js';
import { eventTimeViolation, resolveEventTime } from './event-time.js';
import { checkMatchKeys } from './match-keys.js';
import { applyPrivacy } from './privacy.js';
import type { BuildResult, CapiServerEvent, DestinationConfig, MappingContext, Refusal } from './types.js';
import { resolveEventSourceUrl, resolveReferrerUrl } from './urls.js';
import { buildUserData, readFbCookies } from './user-data.js';
import { describe, isObj, own, type Obj } from './util.js';

/** Warnings listed per event (a reply lists them per event: an array of junk must not grow it without bound). */
export const MAX_WARNINGS = 20;

const EMPTY_CTX: MappingContext = {};

/**
 * Maps one Commanders Act–style event to a Meta CAPI server event. Pure apart from the clock default and
 * a generated uuid when the event has no id (and the caller derived none, `ctx.eventId`). Never throws: bad input is `{ ok: false, reason, detail }`
 * with the offending field named in `detail`.
 */
export function buildCapiEvent(input: unknown, destination: DestinationConfig, ctx: MappingContext = EMPTY_CTX): BuildResult {
  let r: BuildResult;
  try {
    r = build(input, destination, ctx ?? EMPTY_CTX);
  } catch (err) {
    // Defensive only: build() handles every known bad input explicitly.
    r = { ok: false, reason: 'invalid_input', detail: `input: unexpected mapping failure (${err instanceof Error ? err.message.slice(0, 200) : 'unknown'})` };
  }
  if (!r.ok && isObj(input)) describeRefused(r, input, ctx ?? EMPTY_CTX);
  return r;
}

/** Adds to a refusal the event's own id and its fbp/fbc (unless consent was refused) as build() reads them, and its name as sent. */
function describeRefused(r: Refusal, input: Obj, ctx: MappingContext): void {
  const fb = own(own(input, 'integrations'), 'facebook');
  const context = own(input, 'context');
  const id = resolveEventId(input, fb, context, ctx);
  if (id.ok && !id.generated) r.eventId = id.value;
  // The name as the caller sent it (the one they search their own logs for), not the Meta name.
  const name = own(input, 'event_name');
  if (typeof name === 'string') r.eventName = name.slice(0, 200);
  if (r.reason === 'no_consent') return;
  const { fbp, fbc } = readFbCookies(input, fb, context);
  if (fbp !== undefined) r.fbp = fbp;
  if (fbc !== undefined) r.fbc = fbc;
}

/** UTC year of `ms`, remembered for the current year's range (one Date per year boundary, not per event). */
let yearFrom = 0;
let yearTo = -1;
let year = 0;
function utcYear(ms: number): number {
  if (ms >= yearFrom && ms < yearTo) return year;
  year = new Date(ms).getUTCFullYear();
  yearFrom = Date.UTC(year, 0, 1);
  yearTo = Date.UTC(year + 1, 0, 1);
  return year;
}

function build(input: unknown, dest: DestinationConfig, ctx: MappingContext): BuildResult {
  if (!isObj(input)) return { ok: false, reason: 'invalid_input', detail: `input: not an object (${describe(input)})` };
  const nowMs = typeof ctx.now === 'number' && Number.isFinite(ctx.now) ? ctx.now : Date.now();
  const warnings: string[] = [];
  // Looked up once; every resolver below reads its fields from these (whatever type they are).
  const fb = own(own(input, 'integrations'), 'facebook');
  const context = own(input, 'context');

  const consent = checkConsent(input, dest.consentCategory);
  if (!consent.ok) return { ok: false, reason: 'no_consent', detail: consent.detail };

  const name = resolveEventName(input, fb);
  if (!name.ok) return name;

  const id = resolveEventId(input, fb, context, ctx);
  if (!id.ok) return { ok: false, reason: 'invalid_event_id', detail: id.detail };

  const time = resolveEventTime(input, context, nowMs);
  if (!time.ok) return time;

  const as = resolveActionSource(input, fb, dest);
  if (!as.ok) return { ok: false, reason: 'invalid_action_source', detail: as.detail };
  const actionSource = as.value;

  const window = eventTimeViolation(time.seconds, actionSource, nowMs);
  if (window) return { ok: false, reason: window.reason, detail: window.detail };

  const contextPage = own(context, 'page');
  const page = own(input, 'page');
  const eventSourceUrl = resolveEventSourceUrl(input, contextPage, page, warnings);
  const referrerUrl = resolveReferrerUrl(input, contextPage, page, warnings);

  const matchKeys: string[] = [];
  const userData = buildUserData(input, fb, context, dest, ctx, utcYear(nowMs), warnings, matchKeys, eventSourceUrl, time.seconds);

  const cd = buildCustomData(input, fb, dest, name.name, warnings);
  if (!cd.ok) return cd;

  if (actionSource === 'website') {
    if (eventSourceUrl === undefined) {
      return { ok: false, reason: 'missing_event_source_url', detail: 'context.page.url: missing (event_source_url is required for website events; also read from page.url, url)' };
    }
    if (userData.client_user_agent === undefined) {
      return { ok: false, reason: 'missing_client_user_agent', detail: 'context.device.user_agent: missing (client_user_agent is required for website events; also read from browser.user_agent, the request)' };
    }
  }

  const mk = checkMatchKeys(matchKeys, dest.matchPolicy, actionSource);
  if (!mk.ok) return { ok: false, reason: mk.reason, detail: mk.detail, matchKeys };

  const event: CapiServerEvent = {
    event_name: name.name,
    event_time: time.seconds,
    event_id: id.value,
    action_source: actionSource,
    user_data: userData,
  };
  if (eventSourceUrl !== undefined) event.event_source_url = eventSourceUrl;
  if (referrerUrl !== undefined) event.referrer_url = referrerUrl;
  if (cd.customData !== undefined) event.custom_data = cd.customData;
  applyPrivacy(fb, event, warnings);
  if (warnings.length > MAX_WARNINGS) warnings.splice(MAX_WARNINGS, warnings.length, `… ${warnings.length - MAX_WARNINGS} more warnings`);
  return { ok: true, event, matchKeys, warnings };
}
