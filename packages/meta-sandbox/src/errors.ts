import { randomBytes } from 'node:crypto';

/** Meta's Graph error body. Optional members are omitted when Meta would not send them. */
export interface GraphErrorBody {
  message: string;
  type: 'OAuthException' | 'GraphMethodException';
  code: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient: boolean;
  fbtrace_id: string;
}

export interface GraphError {
  httpStatus: number;
  body: { error: GraphErrorBody };
}

/** Meta's fbtrace_id looks like 11-27 url-safe base64 characters. */
export function fbtraceId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/**
 * Subcodes used for code-100 "Invalid parameter" rejections. 2804001 ("Click ID Incorrectly Formatted"),
 * 2804003 ("Event Timestamp Too Old") and 2804050 ("Insufficient Customer Information") are Meta's real
 * ones, answered with Meta's wording and, as in Meta's captured bodies, without naming the event. The
 * 28049xx ones are the sandbox's own, chosen outside every subcode seen from Meta so nobody mistakes them
 * for Meta's; their titles are the sandbox's wording and their messages name the event (`$['data'][N]`) as
 * Meta's parameter errors do.
 */
export const SUBCODES = {
  CLICK_ID_FORMAT: 2804001,
  TIMESTAMP_TOO_OLD: 2804003,
  INSUFFICIENT_CUSTOMER_INFORMATION: 2804050,
  MALFORMED_BODY: 2804900,
  DATA_NOT_ARRAY: 2804901,
  MISSING_PARAMETER: 2804902,
  EVENT_TIME_NOT_SECONDS: 2804903,
  EVENT_TIME_IN_FUTURE: 2804904,
  INVALID_ACTION_SOURCE: 2804905,
  WEBSITE_FIELDS_MISSING: 2804906,
  UNHASHED_USER_DATA: 2804907,
  MALFORMED_FBP: 2804908,
  PURCHASE_VALUE_CURRENCY: 2804909,
  CONTENTS_ITEM_ID: 2804910,
  INVALID_TYPE: 2804911,
  BODY_TOO_LARGE: 2804913,
  /** The sandbox's test rule (validate-event.ts REFUSED_EVENT_ID_PREFIX): stands in for a rule the sender cannot check. */
  REFUSED_BY_TEST_RULE: 2804914,
} as const;

export function invalidParameter(subcode: number, title: string, userMsg: string): GraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: subcode,
        error_user_title: title, error_user_msg: userMsg, is_transient: false, fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** Graph answers a bad token with HTTP 400, code 190, OAuthException (never 401). Missing token: same here. */
export function invalidToken(missing: boolean): GraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message: missing
          ? 'An access token is required to request this resource.'
          : 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException', code: 190, is_transient: false, fbtrace_id: fbtraceId(),
      },
    },
  };
}

export function invalidAppsecretProof(): GraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message: 'Invalid appsecret_proof provided in the API argument',
        type: 'GraphMethodException', code: 100, is_transient: false, fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** Meta's answer for a pixel the token cannot reach: code 100, subcode 33. */
export function unknownObject(id: string): GraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message: `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
        type: 'GraphMethodException', code: 100, error_subcode: 33, is_transient: false, fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** Any Graph request that is not POST /:version/:pixelId/events. */
export function unknownPath(path: string): GraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message: `Unknown path components: ${path.slice(0, 200)}`,
        type: 'OAuthException', code: 2500, is_transient: false, fbtrace_id: fbtraceId(),
      },
    },
  };
}

const TRANSIENT_MESSAGES: Record<number, string> = {
  1: 'An unknown error occurred',
  2: 'An unexpected error has occurred. Please retry your request later.',
  4: 'Application request limit reached',
  17: 'User request limit reached',
  80003: 'There have been too many calls to this ad-account. Wait a bit and try again.',
  190: 'Invalid OAuth access token - Cannot parse access token',
};

/** Error used by injected faults. */
export function faultError(httpStatus: number, code: number): GraphError {
  const transient = code !== 190 && (httpStatus >= 500 || httpStatus === 429 || [1, 2, 4, 17, 341, 80003].includes(code));
  return {
    httpStatus,
    body: {
      error: {
        message: TRANSIENT_MESSAGES[code] ?? 'An unexpected error has occurred. Please retry your request later.',
        type: 'OAuthException', code, is_transient: transient, fbtrace_id: fbtraceId(),
      },
    },
  };
}

interface KnownError {
  httpStatus: number;
  type: GraphErrorBody['type'];
  message: string;
  title?: string;
  userMsg?: string;
  transient: boolean;
}

/**
 * Graph errors as Meta words them (docs/graph-api/guides/error-handling, marketing-api/error-reference,
 * and captured bodies quoted in public repositories: see /docs/reliability.md in capi-bridge). Keyed
 * by `code` or `code/subcode`. The HTTP status Meta uses is not documented per code: 400, or 500 for the
 * "retry later" codes, as captured. `{pixel}` and `{version}` are filled in.
 */
export const KNOWN_ERRORS: Readonly<Record<string, KnownError>> = {
  '1': { httpStatus: 500, type: 'OAuthException', message: 'An unknown error occurred', transient: true },
  '2': { httpStatus: 500, type: 'OAuthException', message: 'An unexpected error has occurred. Please retry your request later.', transient: true },
  '3': { httpStatus: 400, type: 'OAuthException', message: '(#3) Application does not have the capability to make this API call.', transient: false },
  '4': { httpStatus: 400, type: 'OAuthException', message: '(#4) Application request limit reached', transient: true },
  '10': { httpStatus: 400, type: 'OAuthException', message: '(#10) Application does not have permission for this action', transient: false },
  '17': { httpStatus: 400, type: 'OAuthException', message: '(#17) User request limit reached', transient: true },
  '32': { httpStatus: 400, type: 'OAuthException', message: '(#32) Page request limit reached', transient: true },
  // Code 100 with a subcode the sandbox does not word: Graph's generic "Invalid parameter", with its (#100) prefix.
  '100': { httpStatus: 400, type: 'OAuthException', message: '(#100) Invalid parameter', transient: false },
  '100/33': { httpStatus: 400, type: 'GraphMethodException', message: "Unsupported post request. Object with ID '{pixel}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", transient: false },
  '100/2804001': { httpStatus: 400, type: 'OAuthException', message: 'Invalid parameter', title: 'Click ID Incorrectly Formatted', userMsg: 'The click ID (_fbc) parameter is not formatted correctly.', transient: false },
  '100/2804003': { httpStatus: 400, type: 'OAuthException', message: 'Invalid parameter', title: 'Event Timestamp Too Old', userMsg: 'The timestamp for this event is too far in the past. Events need to be sent from your server within 7 days of when they occurred. Enter a timestamp that has occurred within the last 7 days.', transient: false },
  '100/2804050': { httpStatus: 400, type: 'OAuthException', message: 'Invalid parameter', title: 'Insufficient Customer Information', userMsg: "You haven't added sufficient customer information parameter data for this event.", transient: false },
  '102': { httpStatus: 400, type: 'OAuthException', message: 'Session key invalid or no longer valid', transient: false },
  '190': { httpStatus: 400, type: 'OAuthException', message: 'Invalid OAuth access token - Cannot parse access token', transient: false },
  '190/463': { httpStatus: 400, type: 'OAuthException', message: 'Error validating access token: Session has expired on Friday, 01-Jan-27 00:00:00 PST. The current time is Saturday, 02-Jan-27 00:00:00 PST.', transient: false },
  '190/460': { httpStatus: 400, type: 'OAuthException', message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', transient: false },
  '200': { httpStatus: 400, type: 'OAuthException', message: '(#200) Permissions error', transient: false },
  '341': { httpStatus: 400, type: 'OAuthException', message: '(#341) Application limit reached', transient: true },
  '368': { httpStatus: 400, type: 'OAuthException', message: '(#368) The action attempted has been deemed abusive or is otherwise disallowed', transient: true },
  '613': { httpStatus: 400, type: 'OAuthException', message: '(#613) Calls to this api have exceeded the rate limit.', transient: true },
  '803': { httpStatus: 400, type: 'OAuthException', message: '(#803) Some of the aliases you requested do not exist: {pixel}', transient: false },
  '2500': { httpStatus: 400, type: 'OAuthException', message: 'Unknown path components: /{pixel}/events', transient: false },
  '2635': { httpStatus: 400, type: 'OAuthException', message: '(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v24.0.', transient: false },
  '80004': { httpStatus: 400, type: 'OAuthException', message: '(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.', transient: true },
};

/**
 * The error Meta answers for `code`[/`subcode`], worded as Meta does when the sandbox knows the code
 * (KNOWN_ERRORS), else a generic body with that code. `httpStatus` overrides Meta's status.
 */
export function graphErrorFor(code: number, subcode: number | undefined, pixelId: string, version: string, httpStatus?: number): GraphError {
  const known = (subcode !== undefined ? KNOWN_ERRORS[`${code}/${subcode}`] : undefined) ?? KNOWN_ERRORS[String(code)];
  const fill = (t: string): string => t.replaceAll('{pixel}', pixelId).replaceAll('{version}', version);
  const body: GraphErrorBody = {
    message: known ? fill(known.message) : `(#${code}) An error occurred`,
    type: known?.type ?? 'OAuthException', code,
    ...(subcode !== undefined ? { error_subcode: subcode } : {}),
    ...(known?.title !== undefined ? { error_user_title: known.title } : {}),
    ...(known?.userMsg !== undefined ? { error_user_msg: known.userMsg } : {}),
    is_transient: known?.transient ?? false, fbtrace_id: fbtraceId(),
  };
  return { httpStatus: httpStatus ?? known?.httpStatus ?? 400, body: { error: body } };
}

/** What a reverse proxy or load balancer in front of Graph answers: HTML, not Graph's envelope. */
export function proxyPage(status: number): string {
  return `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>\n`;
}
