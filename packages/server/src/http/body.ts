import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { HttpError } from './errors.js';
import { jsonFromBuffer } from './events-input.js';

export interface JsonBodyOptions {
  limit: number;
  /** Accepted media types, e.g. ['application/json', 'text/plain'] (sendBeacon sends text/plain). */
  types: readonly string[];
}

/**
 * Reads the raw body (size-limited), then strict UTF-8 decode and JSON.parse, so every failure has its own
 * error code: unsupported_media_type (415), body_too_large (413), invalid_utf8 and invalid_json (400),
 * request_aborted (400). The parsed value lands in `req.body`.
 *
 * Identity bodies (every browser and most clients) are read with plain stream listeners; body-parser's
 * reader costs several times more per request (async-resource wrapping, iconv and mime lookups). Bodies
 * with a Content-Encoding go through express.raw, which inflates gzip/deflate/br with the same limit.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler[] {
  const { limit } = options;
  const inflating = express.raw({ type: () => true, limit });
  const check: RequestHandler = (req, _res, next) => {
    const header = req.headers['content-type'] ?? '';
    const semi = header.indexOf(';');
    const ct = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
    if (!options.types.includes(ct)) {
      next(new HttpError(415, 'unsupported_media_type', `Content-Type must be one of ${options.types.join(', ')}, got ${ct === '' ? 'none' : JSON.stringify(ct)}`));
      return;
    }
    if (semi >= 0) {
      const charset = /charset=([^;]+)/i.exec(header)?.[1]?.trim().toLowerCase().replace(/"/g, '');
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        next(new HttpError(415, 'unsupported_media_type', `charset must be utf-8, got ${JSON.stringify(charset)}`));
        return;
      }
    }
    next();
  };
  const read = (req: Request, res: Response, next: NextFunction): void => {
    const enc = req.headers['content-encoding'];
    if (enc !== undefined && enc.toLowerCase() !== 'identity') {
      inflating(req, res, next);
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
      req.off('aborted', onAborted);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) {
        next(err);
        return;
      }
      req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      next();
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
    const onAborted = aborted;
    const onError = aborted;
    const onClose = (): void => {
      if (!req.complete) aborted();
    };
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) refused = tooLarge(limit);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
    req.on('close', onClose);
  };
  const parse = (req: Request, _res: Response, next: NextFunction): void => {
    const buf = req.body as unknown;
    if (!Buffer.isBuffer(buf) || buf.length === 0) {
      next(new HttpError(400, 'invalid_json', 'request body is empty; expected a JSON object'));
      return;
    }
    try {
      req.body = jsonFromBuffer(buf);
    } catch (e) {
      next(e);
      return;
    }
    next();
  };
  return [check, read, parse];
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes limit`);
}
