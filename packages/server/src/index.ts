export type * from "./mapping/types.js";
export type * from "./outbox/types.js";
export * from "./mapping/index.js";
// Companion server
export { startServer, type ServerDeps, type RunningServer } from "./server.js";
export { resolveConfig, ConfigError, type ResolveInput } from "./config/resolve.js";
export { loadConfig, readConfigFile } from "./config/load.js";
export { readEnv, type EnvInput } from "./config/env.js";
export { Secret } from "./config/secret.js";
export type * from "./config/schema.js";
export { createOutbox, type CreateOutboxOptions } from "./outbox/index.js";
export { SqliteOutbox, type SqliteOutboxOptions } from "./outbox/sqlite.js";
export { classify, type Classification, type GraphOutcome, type GraphErrorInfo } from "./delivery/classify.js";
export { createGraphClient, graphBody, PARTNER_AGENT, type FetchLike, type GraphClient } from "./delivery/graph-client.js";
