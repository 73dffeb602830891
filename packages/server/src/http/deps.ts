import type { ResolvedConfig } from '../config/schema.js';
import type { DropLog } from '../drop-log.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { DestinationPause } from '../delivery/dispatcher.js';
import type { Outbox } from '../outbox/types.js';
import type { SentLog } from '../sent-log.js';
import type { Coverage } from '../status/coverage.js';
import type { StatusSource } from '../status/snapshot.js';
import type { BuildFn } from '../ingest/types.js';
import type { MapPool } from '../ingest/map-pool.js';

/** Everything the HTTP layer needs, injected (tests pass fakes). */
export interface AppDeps {
  config: ResolvedConfig;
  outbox: Outbox;
  metrics: Metrics;
  logger: Logger;
  sentLog: SentLog;
  build: BuildFn;
  now: () => number;
  /** Wakes the delivery loop after an enqueue. */
  notify?: (destinationId: string, count: number) => void;
  /** Paused destinations with cause and Meta's message (/readyz, /v1/sent). */
  pauses?: () => DestinationPause[];
  isShuttingDown: () => boolean;
  /** Mapping worker threads for large `POST /v1/events` bodies (absent: everything is mapped inline). */
  mapPool?: MapPool;
  /** Bodies of at least this many bytes go to `mapPool` (default 16 KiB ≈ 50 typical events). */
  mapMinBytes?: number;
  /** Drops and refusals in the server log (rate-limited per reason). */
  dropLog?: DropLog;
  /** Match-key coverage counters, filled at commit. */
  coverage?: Coverage;
  /** What /status and /status.json show (absent: those routes answer 404). */
  status?: StatusSource;
}
