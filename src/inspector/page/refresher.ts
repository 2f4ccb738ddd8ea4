/**
 * Runs an async refresh at most once at a time, and once more after it if
 * asked meanwhile: however fast the stream ticks, a panel has one request in
 * flight and ends up showing the latest data.
 */
export class Refresher {
  private running = false;
  private requested = 0;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Asks for a refresh. */
  request(): void {
    this.requested++;
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    let done = 0;
    while (done !== this.requested) {
      done = this.requested;
      try {
        await this.refresh();
      } catch (error) {
        this.onError(error);
      }
    }
    this.running = false;
  }
}
