import http from 'node:http';
import https from 'node:https';
import type { FetchLike } from './graph-client.js';

/** Bounded keep-alive pools, one per protocol (delivery concurrency stays far below this). */
const MAX_SOCKETS = 64;
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: 16 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: 16 });

/**
 * The default Graph transport: `node:http(s).request` with the body encoded once into a Buffer and written as is
 * (fetch/undici copies a string body again into its own stream), on keep-alive agents. Same contract as fetch
 * for what the Graph client reads: status, `headers.get`, `text()`; an aborted `signal` rejects with its reason
 * (a TimeoutError for AbortSignal.timeout), network failures reject with the socket error.
 */
export const nodeHttpFetch: FetchLike = (url, init) =>
  new Promise((resolve, reject) => {
    const body = Buffer.from(init.body, 'utf8');
    const target = new URL(url);
    const mod = target.protocol === 'https:' ? https : http;
    const { signal } = init;
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const req = mod.request(target, {
      method: init.method,
      headers: { ...init.headers, 'content-length': String(body.length) },
      agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
    });
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(e);
    };
    const onAbort = (): void => {
      const reason = signal.reason as Error;
      fail(reason);
      req.destroy(reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('response aborted')));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (name) => { const v = res.headers[name.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; } },
          text: () => Promise.resolve(text),
        });
      });
    });
    req.end(body);
  });
