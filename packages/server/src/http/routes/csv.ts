import { Transform, type TransformCallback } from 'node:stream';
import type { Request, Response, Router } from 'express';
import express from 'express';
import { parse } from 'csv-parse';
import { requireApiKey } from '../auth.js';
import { commit } from '../../ingest/commit.js';
import { checkHeader, ConversionGrouper, rowToParts, type Conversion } from '../../ingest/csv-rows.js';
import { EventIdDeriver } from '../../ingest/derived-event-id.js';
import { prepare } from '../../ingest/prepare.js';
import type { Drop } from '../../ingest/types.js';
import type { AppDeps } from '../deps.js';
import { HttpError, refusalStatus, sendError, shuttingDownError } from '../errors.js';

/** `row` is the file line number where the record ends (the header is line 1). */
interface BadRow {
  row?: number;
  field?: string;
  reason: string;
  detail: string;
}

/** Counts bytes (413 past the limit) and decodes strict UTF-8, streaming. */
class Utf8Limit extends Transform {
  #bytes = 0;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  constructor(private readonly limit: number) {
    super({ readableObjectMode: false });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.limit) {
      cb(new HttpError(413, 'body_too_large', `CSV larger than ${this.limit} bytes`));
      return;
    }
    try {
      cb(null, this.#decoder.decode(chunk, { stream: true }));
    } catch {
      cb(new HttpError(400, 'invalid_utf8', `CSV is not valid UTF-8 (near byte ${this.#bytes})`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      cb(null, this.#decoder.decode());
    } catch {
      cb(new HttpError(400, 'invalid_utf8', 'CSV ends inside a UTF-8 sequence'));
    }
  }
}

/**
 * POST /v1/events/csv (text/csv). Streams: records are parsed, grouped into conversions and queued in chunks
 * of `csvChunk`, with backpressure (parsing waits while a chunk is being made durable). The reply counts
 * accepted conversions/rows and lists bad rows (bounded). A fatal error mid-file (broken quoting at EOF,
 * size limit, outbox full) answers 4xx/503 and still reports what was accepted before it.
 */
export function csvRouter(deps: AppDeps): Router {
  const { config, metrics } = deps;
  const router = express.Router();
  router.post('/v1/events/csv', requireApiKey(config.apiKeys, () => metrics.dropped.inc({ reason: 'unauthorized', source: 'csv' })),
    async (req: Request, res: Response) => {
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (ct !== 'text/csv' && ct !== 'application/csv') {
        throw new HttpError(415, 'unsupported_media_type', `Content-Type must be text/csv, got ${ct === '' ? 'none' : JSON.stringify(ct)}`);
      }
      if (deps.isShuttingDown()) throw shuttingDownError();
      const max = config.limits.csvMaxBadRows;
      const badRows: BadRow[] = [];
      let badRowCount = 0;
      const bad = (b: BadRow): void => {
        badRowCount++;
        if (badRows.length < max) badRows.push(b);
      };
      let rows = 0;
      let conversions = 0;
      let acceptedConversions = 0;
      let acceptedRows = 0;
      let pending: Conversion[] = [];
      // One for the whole file: identical id-less rows are numbered across chunks (replay gives the same ids).
      const eventIds = new EventIdDeriver('csv');

      const flush = async (): Promise<void> => {
        if (pending.length === 0) return;
        const chunk = pending;
        pending = [];
        const p = prepare(deps, chunk.map((c) => c.event), 'csv', {}, { eventIds });
        const r = await commit(deps, p);
        if (!r.ok) throw new HttpError(refusalStatus(r.reason), r.reason, `stopped at a chunk the outbox refused: ${r.detail}`);
        // A conversion is dropped when every destination refused it; its bad rows name each refusal.
        const refused = new Map<number, Drop[]>();
        for (const d of p.drops) refused.set(d.index, [...(refused.get(d.index) ?? []), d]);
        const destinations = config.destinations.length;
        chunk.forEach((conv, i) => {
          const drops = refused.get(i) ?? [];
          if (drops.length < destinations) {
            acceptedConversions++;
            acceptedRows += conv.rows.length;
          } else {
            const reason = drops[0]?.refusal.reason ?? 'dropped';
            const detail = drops.map((d) => `${d.destination}: ${d.refusal.detail}`).join('; ');
            for (const row of conv.rows) bad({ row, reason, detail });
          }
        });
      };

      const parser = parse({ bom: true, skip_empty_lines: true, skip_records_with_error: true, max_record_size: 256 * 1024, info: true, relax_column_count: false });
      let fatal: { message: string; lines?: number } | undefined;
      parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
        // A quote still open at the end of the file is not one bad row: the file is broken from there on.
        if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
          fatal = { message: err.message, ...(err.lines !== undefined ? { lines: err.lines } : {}) };
          return;
        }
        rows++;
        bad({ ...(err.lines !== undefined ? { row: err.lines } : {}), reason: 'invalid_csv_row', detail: err.message.slice(0, 300) });
      });
      const input = new Utf8Limit(config.limits.csvBodyBytes);
      req.on('error', (e) => input.destroy(e));
      input.on('error', (e) => parser.destroy(e));
      req.pipe(input).pipe(parser);

      /** The counts every answer carries, success or failure. */
      const summary = () => ({
        rows, conversions, accepted_conversions: acceptedConversions, accepted_rows: acceptedRows,
        bad_row_count: badRowCount, bad_rows: badRows, bad_rows_truncated: badRowCount > badRows.length,
      });
      const grouper = new ConversionGrouper();
      let paths: string[] | undefined;
      const fail = (status: number, code: string, message: string, field?: string): void => {
        if (code === 'invalid_csv' || code === 'body_too_large' || code === 'invalid_utf8') metrics.dropped.inc({ reason: code, source: 'csv' });
        req.unpipe(input);
        req.resume();
        res.status(status).json({ error: field === undefined ? { code, message } : { code, message, field }, ...summary() });
      };
      try {
        for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
          if (paths === undefined) {
            const h = checkHeader(rec.record);
            if (!h.ok) {
              fail(400, 'invalid_csv', h.detail, h.field);
              return;
            }
            paths = h.paths;
            continue;
          }
          rows++;
          const line = rec.info.lines;
          const parts = rowToParts(paths, rec.record);
          if (!parts.ok) {
            bad({ row: line, field: parts.field, reason: 'invalid_value', detail: parts.detail });
            continue;
          }
          const done = grouper.push(line, parts);
          if (done) {
            conversions++;
            pending.push(done);
            if (pending.length >= config.limits.csvChunk) await flush();
          }
        }
        const last = grouper.flush();
        if (last) {
          conversions++;
          pending.push(last);
        }
        await flush();
      } catch (e) {
        if (e instanceof HttpError) {
          fail(e.status, e.code, e.message, e.field);
          return;
        }
        const err = e as Error & { code?: string; lines?: number };
        fail(400, 'invalid_csv', `CSV could not be parsed${err.lines !== undefined ? ` at line ${err.lines}` : ''}: ${err.message.slice(0, 300)}`);
        return;
      }
      if (fatal) {
        fail(400, 'invalid_csv', `CSV quoting is broken${fatal.lines !== undefined ? ` (line ${fatal.lines})` : ''}: ${fatal.message.slice(0, 300)}`);
        return;
      }
      if (paths === undefined) {
        sendError(res, 400, 'invalid_csv', 'CSV is empty: expected a header line of dotted paths (e.g. id,user.email,items.product.id)');
        return;
      }
      res.json(summary());
    });
  return router;
}
