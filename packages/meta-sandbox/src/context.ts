import type { CompanionConfig } from './companion.js';
import type { FaultController } from './faults.js';
import type { SandboxStats } from './stats.js';
import type { EventStore } from './store.js';
import type { GraphAuthConfig } from './validate-request.js';
import type { ServerResponse } from 'node:http';

/** Everything the routes share; built once by createApp. */
export interface SandboxContext {
  store: EventStore;
  faults: FaultController;
  auth: GraphAuthConfig;
  stats: SandboxStats;
  now: () => number;
  /** Responses held open by `timeout` faults, released on close. */
  held: Set<ServerResponse>;
  bodyLimit: string;
  /** The capi-bridge server to ask about events seen only from the browser (events page), if any. */
  companion?: CompanionConfig;
}
