import { resolveActionSource } from './action-source.js';
import { checkConsent } from './consent.js';
import { buildCustomData } from './custom-data.js';
import { resolveEventId } from './event-id.js';
import { resolveEventName } from './event-name.js';
import { eventTimeViolation, resolveEventTime } from './event-time.js';
import { checkMatchKeys, presentMatchKeys } from './match-keys.js';
import { resolvePrivacy } from './privacy.js';
import type { BuildResult, CapiServerEvent, DestinationConfig, MappingContext } from './types.js';
import { resolveEventSourceUrl, resolveReferrerUrl } from './urls.js';
import { buildUserData } from './user-data.js';
import { describe, isObj } from './util.js';

const EMPTY_CTX: MappingContext = {};

/**
 * Maps one Commanders Act–style event to a Meta CAPI server event. Pure apart from the clock default and
 * a generated uuid when the event has no id. Never throws: bad input is `{ ok: false, reason, detail }`
 * with the offending field named in `detail`.
 */
export function buildCapiEvent(input: unknown, destination: DestinationConfig, ctx: MappingContext = EMPTY_CTX): BuildResult {
  try {
    return build(input, destination, ctx ?? EMPTY_CTX);
  } catch (err) {
    // Defensive only: every known bad input is handled explicitly above this line.
    return { ok: false, reason: 'invalid_input', detail: `input: unexpected mapping failure (${err instanceof Error ? err.message.slice(0, 200) : 'unknown'})` };
  }
}

function build(input: unknown, dest: DestinationConfig, ctx: MappingContext): BuildResult {
  if (!isObj(input)) return { ok: false, reason: 'invalid_input', detail: `input: not an object (${describe(input)})` };
  const nowMs = typeof ctx.now === 'number' && Number.isFinite(ctx.now) ? ctx.now : Date.now();
  const warnings: string[] = [];

  const consent = checkConsent(input, dest.consentCategory);
  if (!consent.ok) return { ok: false, reason: 'no_consent', detail: consent.detail };

  const name = resolveEventName(input);
  if (!name.ok) return name;

  const id = resolveEventId(input);
  if (!id.ok) return { ok: false, reason: 'invalid_event_id', detail: id.detail };

  const time = resolveEventTime(input, nowMs);
  if (!time.ok) return time;

  const as = resolveActionSource(input, dest);
  if (!as.ok) return { ok: false, reason: 'invalid_action_source', detail: as.detail };
  const actionSource = as.value;

  const window = eventTimeViolation(time.seconds, actionSource, nowMs);
  if (window) return { ok: false, ...window };

  const eventSourceUrl = resolveEventSourceUrl(input, warnings);
  const referrerUrl = resolveReferrerUrl(input, warnings);

  const userData = buildUserData(input, dest, ctx, new Date(nowMs).getUTCFullYear(), warnings);

  const cd = buildCustomData(input, dest, name.name, warnings);
  if (!cd.ok) return { ok: false, reason: 'missing_value_or_currency', detail: cd.detail };

  if (actionSource === 'website') {
    if (eventSourceUrl === undefined) {
      return { ok: false, reason: 'missing_event_source_url', detail: 'context.page.url: missing (event_source_url is required for website events; also read from page.url, url)' };
    }
    if (userData.client_user_agent === undefined) {
      return { ok: false, reason: 'missing_client_user_agent', detail: 'context.device.user_agent: missing (client_user_agent is required for website events; also read from browser.user_agent, the request)' };
    }
  }

  const matchKeys = presentMatchKeys(userData);
  const mk = checkMatchKeys(matchKeys, dest.matchPolicy, actionSource);
  if (!mk.ok) return mk;

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
  Object.assign(event, resolvePrivacy(input, warnings));
  return { ok: true, event, matchKeys, warnings };
}
