/**
 * Runs `work` one call at a time: a request while it runs asks for exactly one more run
 * after it, however many requests came meanwhile (wake-ups, polls, a turn that found more).
 */
export class Coalesced {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work()
      .catch(this.failed)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  /** Resolves once the run in progress, if any, has ended. */
  async settled(): Promise<void> {
    await this.running;
  }
}
