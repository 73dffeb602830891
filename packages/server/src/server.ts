import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { ResolvedConfig } from './config/schema.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { createGraphClient, type FetchLike } from './delivery/graph-client.js';
import { createHttpHandler } from './http/app.js';
import { defaultMapWorkers, MapPool } from './ingest/map-pool.js';
import type { BuildFn } from './ingest/types.js';
import { createLogger, type Logger } from './log.js';
import { buildCapiEvent } from './mapping/build.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createOutbox } from './outbox/index.js';
import { redactUrl } from './redact-url.js';
import type { Outbox } from './outbox/types.js';
import { SentLog } from './sent-log.js';
import { configWarnings } from './config/warnings.js';
import { DropLog } from './drop-log.js';
import { Coverage } from './status/coverage.js';
import { StatusReporter } from './status/snapshot.js';

export interface ServerDeps {
  outbox?: Outbox;
  logger?: Logger;
  fetch?: FetchLike;
  now?: () => number;
  build?: BuildFn;
  /**
   * Mapping worker threads for large /v1/events batches; default `config.mapWorkers` (`MAP_WORKERS`), else
   * min(2, cores - 1). Only used with the default mapping (an injected `build` maps inline).
   */
  mapWorkers?: number;
  /** Module URL exporting the workers' `build` (tests; pair it with the same function as `build`). */
  mapBuildModule?: string;
  /** Bodies of at least this many bytes are mapped on a worker (default 16 KiB). */
  mapMinBytes?: number;
  /** Skip the delivery loop (ingestion only). Default: `config.deliveryEnabled` (`DELIVERY_ENABLED`). */
  delivery?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  outbox: Outbox;
  metrics: Metrics;
  logger: Logger;
  /** The mapping worker pool, when on (tests). */
  mapPool?: MapPool;
  /** Graceful: stop accepting, finish in-flight requests, drain delivery until the deadline, close the outbox. */
  close(): Promise<void>;
}

/** Every secret value of a config (for the logger's last-line guard). */
export function secretValues(config: ResolvedConfig): string[] {
  const out: string[] = [...config.apiKeys, ...(config.statusKeys ?? [])].map((k) => k.reveal());
  for (const d of config.destinations) {
    out.push(d.accessToken.reveal());
    if (d.appSecret) out.push(d.appSecret.reveal());
  }
  return out;
}

export async function startServer(config: ResolvedConfig, deps: ServerDeps = {}): Promise<RunningServer> {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const outbox = deps.outbox ?? await createOutbox(config.outboxUrl, {
    maxDepth: config.limits.outboxMaxDepth, releaseLeasesOnOpen: true, logger,
    deadLetterMaxCount: config.limits.deadLetterMaxCount, deadLetterMaxBytes: config.limits.deadLetterMaxBytes,
    ...(config.limits.outboxMaxBytes > 0 ? { maxBytes: config.limits.outboxMaxBytes } : {}),
    ...(config.outboxThread !== undefined ? { thread: config.outboxThread } : {}),
  });
  const coverage = new Coverage();
  const metrics = createMetrics(config.destinations.map((d) => d.id), {
    depthOf: (d) => outbox.depth(d), statusOf: outbox.status ? (d) => outbox.status!(d) : undefined, coverage: () => coverage.rows(),
  });
  const dropLog = new DropLog({ logger, now });
  dropLog.start();
  const sentLog = new SentLog(config.limits.sentLogSize, now);
  const dispatcher = new Dispatcher({
    outbox, destinations: config.destinations, settings: config.delivery, metrics, logger, sentLog, now,
    client: createGraphClient({ graphUrl: config.graphUrl, timeoutMs: config.delivery.requestTimeoutMs, now, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
  });
  const status = new StatusReporter({
    destinations: config.destinations, metrics, outbox, coverage, now, deliveryState: () => dispatcher.deliveryState(),
  });
  status.start();
  let shuttingDown = false;
  const mapWorkers = deps.mapWorkers ?? config.mapWorkers ?? defaultMapWorkers();
  let mapPool: MapPool | undefined;
  if (mapWorkers > 0 && (deps.build === undefined || deps.mapBuildModule !== undefined)) {
    mapPool = new MapPool({
      size: mapWorkers, destinations: config.destinations, logger,
      ...(deps.mapBuildModule !== undefined ? { buildModule: deps.mapBuildModule } : {}),
      onFallback: (reason) => metrics.mapFallbacks.inc({ reason }),
    });
    await mapPool.start();
  }
  const { listener } = createHttpHandler({
    config, outbox, metrics, logger, sentLog, now,
    build: deps.build ?? buildCapiEvent,
    notify: (d, n) => dispatcher.notify(d, n),
    pauses: () => dispatcher.pauses(),
    isShuttingDown: () => shuttingDown,
    dropLog, coverage, status,
    ...(mapPool ? { mapPool } : {}),
    ...(deps.mapMinBytes !== undefined ? { mapMinBytes: deps.mapMinBytes } : {}),
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer(listener);
    s.once('error', reject);
    s.listen(config.port, config.host, () => resolve(s));
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  if (deps.delivery ?? config.deliveryEnabled ?? true) dispatcher.start();
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  // The listening line is a contract with scripts and tests (one JSON line with msg + url): always printed.
  if (!logger.isLevelEnabled('info')) process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), name: 'capi-bridge', url, msg: 'listening' })}\n`);
  logger.info({
    url, destinations: config.destinations.map((d) => ({ id: d.id, pixelId: d.pixelId, apiVersion: d.apiVersion, testEventCode: d.testEventCode !== undefined })),
    outbox: redactUrl(config.outboxUrl), graphUrl: redactUrl(config.graphUrl),
  }, 'listening');
  for (const w of configWarnings(config)) logger.warn({ field: w.field }, `configuration: ${w.field} ${w.message}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      const deadline = Date.now() + config.shutdownTimeoutMs;
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now())).unref();
      await httpClosed;
      clearTimeout(forced);
      await mapPool?.close();
      await dispatcher.stop(Math.max(0, deadline - Date.now()));
      await outbox.close();
      status.stop();
      dropLog.flush(true);
      dropLog.stop();
      logger.info({}, 'closed');
    })();
    return closing;
  };
  return { url, port, outbox, metrics, logger, close, ...(mapPool ? { mapPool } : {}) };
}
