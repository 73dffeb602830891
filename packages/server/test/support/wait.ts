/**
 * Polls `fn` until it returns a value other than undefined/false, or throws after `timeoutMs` with the
 * last value seen (so a failing test says what it was waiting for).
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<Exclude<T, undefined | false>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await fn();
      lastError = undefined;
      if (last !== undefined && last !== false) return last as Exclude<T, undefined | false>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError ? `last error: ${(lastError as Error).message}` : `last value: ${JSON.stringify(last)?.slice(0, 500)}`;
      throw new Error(`waitFor timed out after ${timeoutMs} ms${options.message ? ` (${options.message})` : ''}; ${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
