import { existsSync, mkdtempSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapiServerEvent } from '../mapping/types.js';
import { SqliteOutbox } from './sqlite.js';

const ev = (id: string): CapiServerEvent => ({
  event_name: 'Purchase', event_time: 1_700_000_000, event_id: id, action_source: 'website',
  user_data: { em: ['a'.repeat(64)], client_ip_address: '203.0.113.7', fbp: 'fb.1.1700000000000.123' },
});
const mode = (f: string): number => statSync(f).mode & 0o777;

describe('SQLite outbox data files are owner-only', () => {
  it('creates the database, -wal and -shm with mode 0600 (whatever the umask lets SQLite default to)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'outbox-perm-')), 'sub', 'outbox.db');
    const o = new SqliteOutbox(path);
    await o.enqueue([{ destinationId: 'd', event: ev('a') }]);
    expect(existsSync(`${path}-wal`)).toBe(true);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(mode(f), f).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o077).toBe(0);
    await o.close();
  });

  it('tightens files an older version left 0644', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-perm-'));
    const path = join(dir, 'outbox.db');
    const first = new SqliteOutbox(path);
    await first.enqueue([{ destinationId: 'd', event: ev('a') }]);
    await first.close();
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o644);
    const o = new SqliteOutbox(path);
    await o.enqueue([{ destinationId: 'd', event: ev('b') }]);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(mode(f), f).toBe(0o600);
    await o.close();
  });
});
