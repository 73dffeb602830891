import type { ResolvedConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Outbox } from '../outbox/types.js';
import type { SentLog } from '../sent-log.js';
import type { BuildFn } from './ingest.js';

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
  pausedDestinations?: () => string[];
  isShuttingDown: () => boolean;
}
