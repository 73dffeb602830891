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
 * Subcodes used for code-100 "Invalid parameter" rejections. 2804003 is Meta's real one
 * ("Event Timestamp Too Old"); the 28049xx ones are the sandbox's own, chosen outside every subcode seen
 * from Meta so nobody mistakes them for Meta's. Their titles are the sandbox's wording.
 */
export const SUBCODES = {
  TIMESTAMP_TOO_OLD: 2804003,
  MALFORMED_BODY: 2804900,
  DATA_NOT_ARRAY: 2804901,
  MISSING_PARAMETER: 2804902,
  EVENT_TIME_NOT_SECONDS: 2804903,
  EVENT_TIME_IN_FUTURE: 2804904,
  INVALID_ACTION_SOURCE: 2804905,
  WEBSITE_FIELDS_MISSING: 2804906,
  UNHASHED_USER_DATA: 2804907,
  MALFORMED_FBC_FBP: 2804908,
  PURCHASE_VALUE_CURRENCY: 2804909,
  CONTENTS_ITEM_ID: 2804910,
  INVALID_TYPE: 2804911,
  INSUFFICIENT_USER_DATA: 2804912,
  BODY_TOO_LARGE: 2804913,
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
