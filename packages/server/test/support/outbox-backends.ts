/**
 * The three outbox backends for tests outside the contract suite: SQLite inline, SQLite on its worker
 * thread, Redis Streams (a real redis-server). Each `fresh()` gives new, empty storage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { createRedisOutbox, type RedisOutboxOptions } from '../../src/outbox/redis.js';
import { SqliteOutbox, type SqliteOutboxOptions } from '../../src/outbox/sqlite.js';
import { ThreadedSqliteOutbox } from '../../src/outbox/sqlite-thread.js';
import type { Outbox } from '../../src/outbox/types.js';

export type TestOutboxOptions = Pick<SqliteOutboxOptions, 'maxDepth' | 'deadLetterMaxCount' | 'deadLetterMaxBytes' | 'maxBytes'>;

export interface TestBackend {
  name: 'sqlite-inline' | 'sqlite-thread' | 'redis';
  start(): Promise<void>;
  stop(): Promise<void>;
  fresh(): void;
  open(options?: TestOutboxOptions): Promise<Outbox>;
  /** The Redis server (redis backend only). */
  redis?: () => RedisServer;
}

export function testBackends(): TestBackend[] {
  let dir = '';
  let seq = 0;
  let path = '';
  const sqlite = (name: 'sqlite-inline' | 'sqlite-thread'): TestBackend => ({
    name,
    async start() {
      dir = dir || mkdtempSync(join(tmpdir(), 'capi-outbox-test-'));
    },
    async stop() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = '';
    },
    fresh() {
      path = join(dir, `outbox-${++seq}.db`);
    },
    async open(options = {}) {
      return name === 'sqlite-inline' ? new SqliteOutbox(path, options) : ThreadedSqliteOutbox.open(path, options);
    },
  });
  let server: RedisServer | undefined;
  let prefix = '';
  const redis: TestBackend = {
    name: 'redis',
    async start() {
      server = await startRedisServer();
    },
    async stop() {
      await server?.stop();
    },
    fresh() {
      prefix = `t${++seq}:`;
    },
    async open(options = {}) {
      if (!server) throw new Error('redis-server not started');
      const o: RedisOutboxOptions = { keyPrefix: prefix };
      if (options.maxDepth !== undefined) o.maxDepth = options.maxDepth;
      if (options.deadLetterMaxCount !== undefined) o.deadLetterMaxCount = options.deadLetterMaxCount;
      if (options.deadLetterMaxBytes !== undefined) o.deadLetterMaxBytes = options.deadLetterMaxBytes;
      return createRedisOutbox(server.url, o);
    },
    redis: () => {
      if (!server) throw new Error('redis-server not started');
      return server;
    },
  };
  return [sqlite('sqlite-inline'), sqlite('sqlite-thread'), redis];
}
