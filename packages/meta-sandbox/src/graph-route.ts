import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { faultError, fbtraceId, graphErrorFor, invalidParameter, proxyPage, SUBCODES, unknownPath, type GraphError } from './errors.js';
import type { SandboxContext } from './context.js';
import type { ActiveFault } from './faults.js';
import type { IncomingEvent, RecordedError } from './types.js';
import { presentUserDataKeys } from './validate-event.js';
import { validateGraphRequest } from './validate-request.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const VERSION = /^v\d+\.\d+$/;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The request's connection closed before its body was read. */
function clientGone(req: Request): boolean {
  return req.destroyed || req.socket.destroyed || !req.socket.readable;
}

function send(res: Response, e: GraphError): void {
  res.status(e.httpStatus).json(e.body);
}

function toRecordedError(e: GraphError): RecordedError {
  const { message, code, error_subcode, error_user_title, error_user_msg } = e.body.error;
  return {
    message, code,
    ...(error_subcode !== undefined ? { error_subcode } : {}),
    ...(error_user_title !== undefined ? { error_user_title } : {}),
    ...(error_user_msg !== undefined ? { error_user_msg } : {}),
  };
}

const EMPTY: Record<string, unknown> = Object.freeze({});

function externalIds(ud: Record<string, unknown>): string[] | undefined {
  const v = ud.external_id;
  if (v === undefined) return undefined;
  const list: string[] = [];
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'string' && x !== '') list.push(x);
  } else if (typeof v === 'string' && v !== '') list.push(v);
  return list.length > 0 ? list : undefined;
}

/** Records the request's events (one placeholder when a rejected request had none); the parsed objects are stored as received. */
function recordEvents(ctx: SandboxContext, pixelId: string, events: unknown[], testEventCode: string | undefined, rejected?: RecordedError): void {
  const receivedAt = ctx.now();
  const list = events.length > 0 || !rejected ? events : [undefined];
  for (const event of list) {
    const ev = isObject(event) ? event : EMPTY;
    const ud = isObject(ev.user_data) ? ev.user_data : EMPTY;
    const incoming: IncomingEvent = { source: 'server', pixelId, eventName: str(ev.event_name) ?? '', receivedAt, payload: event ?? null };
    const eventId = str(ev.event_id);
    if (eventId !== undefined) incoming.eventId = eventId;
    const fbp = str(ud.fbp);
    if (fbp !== undefined) incoming.fbp = fbp;
    const fbc = str(ud.fbc);
    if (fbc !== undefined) incoming.fbc = fbc;
    const ids = externalIds(ud);
    if (ids !== undefined) incoming.externalIds = ids;
    if (testEventCode !== undefined) incoming.testEventCode = testEventCode;
    incoming.matchKeys = presentUserDataKeys(ud);
    if (rejected) incoming.rejected = rejected;
    ctx.store.add(incoming);
  }
}

/** Applies an injected fault. Returns true when the request was answered (or deliberately left hanging). */
async function applyFault(ctx: SandboxContext, fault: ActiveFault, req: Request, res: Response): Promise<boolean> {
  switch (fault.kind) {
    case 'graph_error': {
      const e = graphErrorFor(fault.code ?? 1, fault.subcode, String(req.params.pixelId), String(req.params.version), fault.status);
      if (fault.retryAfterSeconds !== undefined) res.set('Retry-After', String(fault.retryAfterSeconds));
      send(res, e);
      return true;
    }
    case 'proxy':
      res.status(fault.status ?? 502).type('text/html').send(proxyPage(fault.status ?? 502));
      return true;
    case 'latency':
      await sleep(fault.latencyMs ?? 0);
      return false;
    case 'timeout':
      ctx.held.add(res);
      res.on('close', () => ctx.held.delete(res));
      return true;
    case 'throttle': {
      const e = faultError(fault.status ?? 429, fault.code ?? 4);
      res.set('Retry-After', String(fault.retryAfterSeconds ?? 1));
      send(res, e);
      return true;
    }
    case 'outage':
    case 'status': {
      const status = fault.status ?? (fault.kind === 'outage' ? 503 : 500);
      const e = faultError(status, fault.code ?? (status >= 500 ? 2 : 1));
      if (fault.retryAfterSeconds !== undefined) res.set('Retry-After', String(fault.retryAfterSeconds));
      send(res, e);
      return true;
    }
  }
}

export function graphRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  const parsers = [
    express.json({ limit: ctx.bodyLimit, type: ['application/json', 'application/*+json'] }),
    express.urlencoded({ extended: false, limit: ctx.bodyLimit, parameterLimit: 100 }),
  ];

  router.post('/:version/:pixelId/events', async (req: Request, res: Response, next: NextFunction) => {
    ctx.stats.graphRequests++;
    const pixelId = String(req.params.pixelId);
    const fault = ctx.faults.take(pixelId);
    if (fault) {
      ctx.stats.faulted++;
      if (await applyFault(ctx, fault, req, res)) return;
      // The client may have given up during an injected latency (timeout, killed process). Its body is then
      // unreadable: body-parser sees a finished request and skips it, which used to be answered (to nobody)
      // and recorded as a 190 "access token is required" rejection with an empty payload. Nobody is
      // listening any more: record nothing.
      if (clientGone(req)) {
        res.destroy();
        return;
      }
    }
    next();
  }, ...parsers, (req: Request, res: Response) => {
    const pixelId = String(req.params.pixelId);
    if (!VERSION.test(String(req.params.version))) {
      ctx.stats.rejected++;
      send(res, unknownPath(String(req.params.version)));
      return;
    }
    const result = validateGraphRequest({ pixelId, query: req.query as Record<string, unknown>, body: req.body, nowMs: ctx.now() }, ctx.auth);
    if (!result.ok) {
      ctx.stats.rejected++;
      recordEvents(ctx, pixelId, result.events, undefined, toRecordedError(result.error));
      send(res, result.error);
      return;
    }
    ctx.stats.accepted++;
    ctx.stats.eventsReceived += result.events.length;
    ctx.stats.eventsByPixel[pixelId] = (ctx.stats.eventsByPixel[pixelId] ?? 0) + result.events.length;
    recordEvents(ctx, pixelId, result.events, result.testEventCode);
    res.json({ events_received: result.events.length, messages: [], fbtrace_id: fbtraceId() });
  }, (err: unknown, req: Request, res: Response, next: NextFunction) => {
    // Body-parser failures on the Graph route answer like Graph, never an HTML stack page.
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number };
    ctx.stats.rejected++;
    const pixelId = String(req.params.pixelId ?? '');
    let ge: GraphError;
    if (e.type === 'entity.too.large') {
      ge = invalidParameter(SUBCODES.BODY_TOO_LARGE, 'Request Too Large', `the request body exceeds ${ctx.bodyLimit}`);
      ge.httpStatus = 413;
    } else {
      ge = invalidParameter(SUBCODES.MALFORMED_BODY, 'Malformed Request Body', 'the request body could not be parsed (invalid JSON or encoding)');
    }
    if (pixelId !== '') recordEvents(ctx, pixelId, [], undefined, toRecordedError(ge));
    send(res, ge);
  });
  return router;
}
