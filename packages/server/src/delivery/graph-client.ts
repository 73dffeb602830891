import { createHmac } from 'node:crypto';
import type { ResolvedDestination } from '../config/schema.js';
import type { CapiServerEvent } from '../mapping/types.js';
import { parseRetryAfter } from './backoff.js';
import type { GraphOutcome } from './classify.js';
import { nodeHttpFetch } from './node-http-transport.js';
import { redactUrlsInText } from '../redact-url.js';

export const PARTNER_AGENT = 'capi-bridge';

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface GraphClientOptions {
  graphUrl: string;
  timeoutMs: number;
  fetch?: FetchLike;
  now?: () => number;
}

export interface GraphRequestBody {
  data: CapiServerEvent[];
  partner_agent: string;
  test_event_code?: string;
}

/** An event to send: `json`, when known, is its serialised form (an outbox entry satisfies this). */
export interface OutgoingEvent {
  readonly event: CapiServerEvent;
  readonly json?: string;
}

export interface GraphClient {
  send(destination: ResolvedDestination, events: readonly OutgoingEvent[]): Promise<GraphOutcome & { latencyMs: number }>;
}

/** The request body's fields after `data`, without credentials: the one definition of what else Meta receives. */
function bodyFields(destination: ResolvedDestination): Omit<GraphRequestBody, 'data'> {
  return destination.testEventCode === undefined
    ? { partner_agent: PARTNER_AGENT }
    : { partner_agent: PARTNER_AGENT, test_event_code: destination.testEventCode };
}

/** The request body Meta receives (also what /v1/preview shows), without credentials. */
export function graphBody(destination: ResolvedDestination, events: CapiServerEvent[]): GraphRequestBody {
  return { data: events, ...bodyFields(destination) };
}

/** Public URL of the events edge, without credentials (safe to log). */
export function graphEventsUrl(graphUrl: string, d: ResolvedDestination): string {
  return `${graphUrl}/${d.apiVersion}/${encodeURIComponent(d.pixelId)}/events`;
}

/**
 * POSTs JSON to `{graphUrl}/{version}/{pixel}/events`. The access token and `appsecret_proof` travel in the
 * JSON body (never in a URL that could end up in a proxy log). Never throws: network errors and timeouts
 * come back as `status: 0`.
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  // Default: node:http(s) with a pre-encoded Buffer body and keep-alive agents (fetch copies ~1 MB bodies again).
  const doFetch: FetchLike = options.fetch ?? nodeHttpFetch;
  const now = options.now ?? Date.now;
  return {
    async send(destination, events) {
      const token = destination.accessToken.reveal();
      // graphBody() + credentials, with the events spliced in as stored (no re-serialising).
      const tail: Record<string, unknown> = { ...bodyFields(destination), access_token: token };
      if (destination.appSecret !== undefined) {
        tail.appsecret_proof = createHmac('sha256', destination.appSecret.reveal()).update(token).digest('hex');
      }
      const rows = new Array<string>(events.length);
      for (let i = 0; i < events.length; i++) rows[i] = events[i]!.json ?? JSON.stringify(events[i]!.event);
      const requestBody = `{"data":[${rows.join(',')}],${JSON.stringify(tail).slice(1)}`;
      const started = performance.now();
      try {
        const res = await doFetch(graphEventsUrl(options.graphUrl, destination), {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: requestBody,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // HTML error pages from proxies: keep the text, classification goes by status.
        }
        const out: GraphOutcome & { latencyMs: number } = { status: res.status, body, latencyMs: performance.now() - started };
        const ra = parseRetryAfter(res.headers.get('retry-after'), now());
        if (ra !== undefined) out.retryAfterMs = ra;
        return out;
      } catch (e) {
        const err = e as Error;
        const msg = err.name === 'TimeoutError' || err.name === 'AbortError' ? `timeout after ${options.timeoutMs} ms` : `network error: ${err.message}`;
        // Error messages from fetch never contain the body (scrub the token defensively), but they may quote
        // the URL with its user:password ("Request cannot be constructed from a URL that includes credentials").
        return { status: 0, body: undefined, networkError: redactUrlsInText(msg.split(token).join('[redacted]')), latencyMs: performance.now() - started };
      }
    },
  };
}
