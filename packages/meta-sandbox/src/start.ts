import type { AddressInfo } from 'node:net';
import type { CompanionConfig } from './companion.js';
import type { SandboxContext } from './context.js';
import { createApp } from './app.js';
import { FaultController } from './faults.js';
import { newStats } from './stats.js';
import { DEFAULT_MAX_EVENTS, EventStore } from './store.js';

export const DEFAULT_TOKEN = 'sandbox-token';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Accepted access tokens; default ['sandbox-token']. */
  tokens?: string[];
  /** Accepted pixel ids; default: any all-digit id. */
  pixels?: string[];
  /** token → app secret: requests with that token must carry a valid appsecret_proof. */
  appSecrets?: Record<string, string>;
  /** Events kept in memory (oldest evicted first); default 100 000. */
  maxEvents?: number;
  /** Graph request body limit (body-parser syntax); default '5mb'. */
  bodyLimit?: string;
  /** A capi-bridge server (base URL + one of its API keys) the events page asks why a browser event has no server copy. */
  companion?: CompanionConfig;
  /** Clock in ms, injectable so tests can move time. */
  now?: () => number;
}

export interface SandboxHandle {
  url: string;
  port: number;
  close(): Promise<void>;
  /** The shared state, for in-process tests. */
  context: SandboxContext;
}

export function createContext(opts: SandboxOptions = {}): SandboxContext {
  const now = opts.now ?? Date.now;
  return {
    store: new EventStore(opts.maxEvents ?? DEFAULT_MAX_EVENTS),
    faults: new FaultController(now),
    auth: {
      tokens: new Set(opts.tokens && opts.tokens.length > 0 ? opts.tokens : [DEFAULT_TOKEN]),
      pixels: opts.pixels && opts.pixels.length > 0 ? new Set(opts.pixels) : null,
      appSecrets: new Map(Object.entries(opts.appSecrets ?? {})),
    },
    stats: newStats(),
    now,
    held: new Set(),
    bodyLimit: opts.bodyLimit ?? '5mb',
    ...(opts.companion ? { companion: opts.companion } : {}),
  };
}

export function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const ctx = createContext(opts);
  const app = createApp(ctx);
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = app.listen(opts.port ?? 0, host);
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}`,
        port,
        context: ctx,
        close: () => {
          closing ??= new Promise<void>((done) => {
            for (const res of ctx.held) res.destroy();
            ctx.held.clear();
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
