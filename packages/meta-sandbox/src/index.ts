export { startSandbox, createContext, DEFAULT_TOKEN, type SandboxOptions, type SandboxHandle } from './start.js';
export { createApp } from './app.js';
export { validateEvent, ACTION_SOURCES, HASHED_USER_DATA_KEYS, FBP_PATTERN, FBC_PATTERN } from './validate-event.js';
export { validateGraphRequest, MAX_EVENTS_PER_REQUEST } from './validate-request.js';
export { decideDedup, DEDUP_WINDOW_MS, BROWSER_PREFERENCE_MS } from './dedup.js';
export { EventStore, type EventFilter } from './store.js';
export { FaultController, parseFaultSpec, type FaultSpec, type FaultKind } from './faults.js';
export { SUBCODES, type GraphError, type GraphErrorBody } from './errors.js';
export type { RecordedEvent, EventSource, EventStatus, DedupMethod, RecordedError } from './types.js';
