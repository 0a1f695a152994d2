/**
 * Runs `work` one call at a time: a request while it runs asks for exactly one more run
 * after it, however many requests came meanwhile (wake-ups, polls, a turn that found more).
 * With `spacingMs`, a run starts at least that long after the last one ended: a request
 * sooner waits for the rest of the gap, and every request meanwhile joins that one run.
 */
export class Coalesced {
  private running: Promise<void> | null = null;
  private again = false;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private waiting: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
    private readonly spacingMs = 0,
  ) {}

  request(): void {
    if (this.stopped || this.waiting) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.lastEnd + this.spacingMs - Date.now();
    if (wait > 0) {
      this.waiting = setTimeout(() => {
        this.waiting = null;
        this.request();
      }, wait);
      return;
    }
    this.running = this.work()
      .catch(this.failed)
      .finally(() => {
        this.running = null;
        this.lastEnd = Date.now();
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  /** Runs nothing more; resolves once the run in progress, if any, has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.waiting) clearTimeout(this.waiting);
    this.waiting = null;
    await this.running;
  }
}
