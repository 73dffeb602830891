export type * from "./mapping/types.js";
export type * from "./outbox/types.js";
export * from "./mapping/index.js";
