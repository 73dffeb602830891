import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { jsonFromBuffer } from '../ingest/events-input.js';
import { HttpError } from './errors.js';

/** Why the request's Content-Type is refused (415: not one of `types`, or a charset other than UTF-8), or undefined. */
export function mediaTypeError(req: IncomingMessage, types: readonly string[]): HttpError | undefined {
  const header = req.headers['content-type'] ?? '';
  const semi = header.indexOf(';');
  const ct = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  if (!types.includes(ct)) {
    return new HttpError(415, 'unsupported_media_type', `Content-Type must be one of ${types.join(', ')}, got ${ct === '' ? 'none' : JSON.stringify(ct)}`);
  }
  if (semi >= 0) {
    const charset = /charset=([^;]+)/i.exec(header)?.[1]?.trim().toLowerCase().replace(/"/g, '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return new HttpError(415, 'unsupported_media_type', `charset must be utf-8, got ${JSON.stringify(charset)}`);
    }
  }
  return undefined;
}

/** Inflating readers for Content-Encoding bodies, one per size limit. */
const inflaters = new Map<number, ReturnType<typeof express.raw>>();

/**
 * Reads the raw body, at most `limit` bytes: `done(error)` (413 body_too_large, 400 request_aborted, or
 * body-parser's error for an encoded body) or `done(undefined, body)`; an empty body is an empty Buffer.
 *
 * Identity bodies (every browser and most clients) are read with plain stream listeners; body-parser's
 * reader costs several times more per request (async-resource wrapping, iconv and mime lookups). Bodies
 * with a Content-Encoding go through express.raw, which inflates gzip/deflate/br with the same limit.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number, done: (err: unknown, body?: Buffer) => void): void {
  const enc = req.headers['content-encoding'];
  if (enc !== undefined && enc.toLowerCase() !== 'identity') {
    let inflate = inflaters.get(limit);
    if (inflate === undefined) inflaters.set(limit, (inflate = express.raw({ type: () => true, limit })));
    const r = req as IncomingMessage & { body?: unknown };
    inflate(r as never, res as never, (err?: unknown) => {
      if (err) done(err);
      else done(undefined, Buffer.isBuffer(r.body) ? r.body : Buffer.alloc(0));
    });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  // Like body-parser: a refused body is still read off (and thrown away) before answering, so the
  // keep-alive connection stays usable for the client's next request.
  let refused: HttpError | undefined;
  const finish = (err?: HttpError): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', aborted);
    req.off('error', aborted);
    req.off('close', onClose);
    if (err) done(err);
    else done(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  };
  const onData = (c: Buffer): void => {
    if (refused) return;
    size += c.length;
    if (size > limit) {
      refused = tooLarge(limit);
      chunks.length = 0;
      return;
    }
    chunks.push(c);
  };
  const onEnd = (): void => finish(refused);
  const aborted = (): void => finish(refused ?? new HttpError(400, 'request_aborted', 'request body ended early'));
  const onClose = (): void => {
    if (!req.complete) aborted();
  };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) refused = tooLarge(limit);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', aborted);
  req.on('error', aborted);
  req.on('close', onClose);
}

/** A read body → its JSON value (strict UTF-8); 400 invalid_json when empty, invalid_utf8 / invalid_json otherwise. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, 'invalid_json', 'request body is empty; expected a JSON object');
  return jsonFromBuffer(body);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes limit`);
}
