/**
 * A task's abort signal, made on first read: most tasks never read theirs,
 * so most never pay for an `AbortController`. Aborting before the first
 * read is remembered, and the signal is born aborted.
 */
export class LazyAbort {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;

  /** The signal, made now if this is its first read. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Whether {@link abort} has been called. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Aborts the signal with `reason`, now or when first read; a second call does nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
