/** Types of `capi-bridge verify`: pixel hits seen in the browser, server records, and the verdict. */

/** One Meta Pixel hit (`/tr` request) recorded in the browser. */
export interface PixelHit {
  /** Pixel id (`id`). */
  pixelId: string;
  /** Event name (`ev`). */
  eventName: string;
  /** Event id (`eid`); absent on the pixel's automatic hits (e.g. Microdata). */
  eventId?: string;
  fbp?: string;
  fbc?: string;
  url: string;
  /** The page URL the hit reports (`dl`). */
  pageUrl?: string;
  /** Which document of the visit sent it (main-frame navigations counted from 1); in-page route changes keep it. */
  document?: number;
}

/** One event the companion server reports for an event id (`GET /v1/sent?event_id=`). */
export interface SentRecord {
  eventId: string;
  eventName?: string;
  fbp?: string;
  fbc?: string;
  destination?: string;
  status: string;
  reason?: string;
  /** Dropped for its match keys: the user_data keys it had (names only). */
  matchKeys?: string[];
}

export type Verdict =
  | 'paired'
  | 'browser-only'
  | 'server-only'
  | 'event_name mismatch'
  | 'fbp mismatch'
  | 'no event id';

export interface VerifyRow {
  verdict: Verdict;
  eventId: string;
  pixelId?: string;
  browserEventName?: string;
  serverEventName?: string;
  browserFbp?: string;
  serverFbp?: string;
  serverStatus?: string;
  note?: string;
}

export interface VerifyReport {
  rows: VerifyRow[];
  /**
   * Pixel hits without an event id for names the server never sent (the pixel's automatic events such as
   * Microdata): counted, never a failure. One whose name the server also sent is a `no event id` row.
   */
  unkeyedHits: number;
  counts: Record<Verdict, number>;
  ok: boolean;
  /** When no row could be checked: what most likely blocked the run, and what to try. */
  hints?: string[];
}
