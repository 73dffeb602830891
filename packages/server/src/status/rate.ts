/**
 * Events per second over a recent window, from a monotonic total sampled every `stepMs` (the counters
 * already exist; nothing is added to the delivery path).
 */
export class RateWindow {
  readonly #samples: Array<{ at: number; total: number }> = [];
  constructor(private readonly windowMs = 60_000) {}

  /** Records the current total (call on a timer and when reading). */
  sample(at: number, total: number): void {
    const s = this.#samples;
    s.push({ at, total });
    while (s.length > 2 && at - s[1]!.at >= this.windowMs) s.shift();
  }

  /** Per second between the oldest kept sample and the newest (0 before two samples). */
  perSecond(): number {
    const s = this.#samples;
    if (s.length < 2) return 0;
    const a = s[0]!;
    const b = s[s.length - 1]!;
    const dt = (b.at - a.at) / 1000;
    return dt <= 0 ? 0 : Math.max(0, b.total - a.total) / dt;
  }

  /** Seconds the rate is computed over. */
  seconds(): number {
    const s = this.#samples;
    return s.length < 2 ? 0 : (s[s.length - 1]!.at - s[0]!.at) / 1000;
  }
}
