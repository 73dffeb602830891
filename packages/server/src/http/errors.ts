import type { ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

/** Every error body: `{error:{code,message,field?}}`. Messages name the problem, never a secret. */
export function errorJson(code: string, message: string, field?: string): string {
  return JSON.stringify({ error: field === undefined ? { code, message } : { code, message, field } });
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  replyJson(res, status, [], errorJson(code, message, field));
}

/**
 * A JSON answer written with one writeHead: `headers` is the request's flat `[name, value, …]` list
 * (helmet's and the route's headers; content type and length are appended). Under Express, headers set
 * earlier with setHeader are replaced by same-named ones here.
 */
export function replyJson(res: ServerResponse, status: number, headers: string[], body: string): void {
  headers.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)));
  res.writeHead(status, headers);
  res.end(body);
}

/** The 503 every ingest route answers once shutdown has begun. */
export function shuttingDownError(): HttpError {
  return new HttpError(503, 'shutting_down', 'server is shutting down; retry');
}

/** HTTP status of an outbox refusal: the caller's own bad event is 400, the rest are worth a retry (503). */
export function refusalStatus(code: string): number {
  return code === 'invalid_event' ? 400 : 503;
}

/**
 * Any error as the HttpError it answers: ours as is; body-parser's (Content-Encoding bodies) and other
 * 4xx errors by their type or status; anything else undefined (a 500, logged by the caller).
 */
export function asHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number } | null | undefined;
  switch (e?.type) {
    case 'entity.too.large':
      return new HttpError(413, 'body_too_large', `request body exceeds ${e.limit ?? 'the'} bytes limit`);
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', e.message ?? 'unsupported encoding');
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpError(400, 'request_aborted', 'request body ended early');
    default:
      break;
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, 'bad_request', (e?.message ?? 'bad request').slice(0, 200));
  return undefined;
}
