import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { HttpError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

export interface JsonBodyOptions {
  limit: number;
  /** Accepted media types, e.g. ['application/json', 'text/plain'] (sendBeacon sends text/plain). */
  types: readonly string[];
}

/**
 * Reads the raw body (size-limited by express.raw), then strict UTF-8 decode and JSON.parse, so every
 * failure has its own error code: unsupported_media_type (415), body_too_large (413), invalid_utf8 and
 * invalid_json (400). The parsed value lands in `req.body`.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler[] {
  const raw = express.raw({ type: () => true, limit: options.limit });
  const check: RequestHandler = (req, _res, next) => {
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!options.types.includes(ct)) {
      next(new HttpError(415, 'unsupported_media_type', `Content-Type must be one of ${options.types.join(', ')}, got ${ct === '' ? 'none' : JSON.stringify(ct)}`));
      return;
    }
    const charset = /charset=([^;]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.trim().toLowerCase().replace(/"/g, '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      next(new HttpError(415, 'unsupported_media_type', `charset must be utf-8, got ${JSON.stringify(charset)}`));
      return;
    }
    next();
  };
  const parse = (req: Request, _res: Response, next: NextFunction): void => {
    const buf = req.body as unknown;
    if (!Buffer.isBuffer(buf) || buf.length === 0) {
      next(new HttpError(400, 'invalid_json', 'request body is empty; expected a JSON object'));
      return;
    }
    let text: string;
    try {
      text = decoder.decode(buf);
    } catch {
      next(new HttpError(400, 'invalid_utf8', 'request body is not valid UTF-8'));
      return;
    }
    try {
      req.body = JSON.parse(text) as unknown;
    } catch (e) {
      next(new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(e as Error).message.slice(0, 200)}`));
      return;
    }
    next();
  };
  return [check, raw, parse];
}
