import { describe, expect, it } from 'vitest';
import { DropLog } from './drop-log.js';

function recorder() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, logger: { warn: (obj: Record<string, unknown>, msg: string) => { lines.push({ obj, msg }); } } };
}

describe('DropLog', () => {
  it('logs the first occurrence of a reason at once, then one summary line per interval with the count', () => {
    let t = 0;
    const { lines, logger } = recorder();
    const log = new DropLog({ logger: logger as never, now: () => t, intervalMs: 60_000 });
    log.note('mapping:no_consent', 'event dropped', () => ({ event_name: 'Purchase' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.obj).toMatchObject({ reason: 'mapping:no_consent', event_name: 'Purchase' });
    t = 1000;
    log.note('mapping:no_consent', 'event dropped', () => ({ event_name: 'Lead' }), 3);
    t = 30_000;
    log.note('mapping:no_consent', 'event dropped', () => ({ event_name: 'Other' }));
    expect(lines).toHaveLength(1);
    // another reason is not held back by the first one's interval
    log.note('http:origin_refused', 'refused', () => ({ origin: 'https://a.example' }));
    expect(lines).toHaveLength(2);
    t = 61_000;
    log.note('mapping:no_consent', 'event dropped', () => ({ event_name: 'Late' }));
    expect(lines).toHaveLength(3);
    expect(lines[2]!.obj).toMatchObject({ reason: 'mapping:no_consent', count: 5, example: { event_name: 'Lead' } });
    expect(lines[2]!.msg).toContain('5 in the last 61 s');
  });

  it('builds the fields only when it writes a line or keeps an example', () => {
    const { logger } = recorder();
    const log = new DropLog({ logger: logger as never, now: () => 0 });
    let built = 0;
    for (let i = 0; i < 100; i++) log.note('r', 'm', () => { built++; return {}; });
    expect(built).toBe(2); // the first line, then the example of the pending summary
  });

  it('flush writes pending counts once their interval has passed, or all of them at shutdown', () => {
    let t = 0;
    const { lines, logger } = recorder();
    const log = new DropLog({ logger: logger as never, now: () => t, intervalMs: 60_000 });
    log.note('a', 'm', () => ({}));
    log.note('a', 'm', () => ({}), 2);
    log.note('b', 'm', () => ({}));
    log.note('b', 'm', () => ({}));
    log.flush();
    expect(lines).toHaveLength(2);
    t = 60_000;
    log.flush();
    expect(lines.slice(2).map((l) => [l.obj.reason, l.obj.count])).toEqual([['a', 2], ['b', 1]]);
    log.note('a', 'm', () => ({}));
    log.flush(true);
    expect(lines.at(-1)!.obj).toMatchObject({ reason: 'a', count: 1 });
    log.flush(true);
    expect(lines).toHaveLength(5);
  });
});
