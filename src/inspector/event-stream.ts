import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './security.js';

/** How the stream is paced and bounded. */
export interface StreamLimits {
  /** The least time between two updates to a client, in ms. */
  readonly intervalMs: number;
  /** Bytes a client may leave unread in the server's buffer; beyond, it is dropped. */
  readonly maxBufferedBytes: number;
}

/** The headers of the stream, which a HEAD request gets alone. */
export const STREAM_HEADERS = Object.freeze({
  ...SECURITY_HEADERS,
  'Content-Type': 'text/event-stream; charset=utf-8',
  Connection: 'keep-alive',
});

/**
 * The Server-Sent Events clients. While there is one, a timer looks every
 * `intervalMs` whether the revision moved and, if so, sends one message to
 * every client (built once). A client whose unread bytes pass the bound is
 * dropped: its socket is destroyed, nothing more is buffered for it.
 */
export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #limits: StreamLimits;
  readonly #revision: () => number;
  readonly #message: () => string;
  #timer: NodeJS.Timeout | undefined;
  #sentRevision = -1;
  /** Clients dropped for reading too slowly, since the start. */
  dropped = 0;
  /** The most bytes any client has had waiting in the server's buffer after a write. */
  maxBuffered = 0;

  constructor(limits: StreamLimits, revision: () => number, message: () => string) {
    this.#limits = limits;
    this.#revision = revision;
    this.#message = message;
  }

  /** Clients connected now. */
  get size(): number {
    return this.#clients.size;
  }

  /** Takes a client: the headers, the current state at once, then updates. */
  add(response: ServerResponse): void {
    response.writeHead(200, STREAM_HEADERS);
    response.socket?.setNoDelay(true);
    // The others have not seen what changed since the last tick: only the first client's frame counts as sent.
    const frame = this.#clients.size === 0 ? this.#frame() : this.#render();
    this.#clients.add(response);
    response.on('close', () => {
      this.#clients.delete(response);
      if (this.#clients.size === 0) this.#stopTimer();
    });
    this.#write(response, frame);
    this.#timer ??= setInterval(this.#tick, this.#limits.intervalMs);
  }

  /** Ends every client and the timer. */
  close(): void {
    this.#stopTimer();
    for (const client of this.#clients) client.destroy();
    this.#clients.clear();
  }

  readonly #tick = (): void => {
    if (this.#revision() === this.#sentRevision) return;
    const frame = this.#frame();
    for (const client of this.#clients) this.#write(client, frame);
  };

  /** The current state as a frame, now sent to every client. */
  #frame(): string {
    this.#sentRevision = this.#revision();
    return this.#render();
  }

  #render(): string {
    return `event: state\ndata: ${this.#message()}\n\n`;
  }

  #write(client: ServerResponse, frame: string): void {
    if (client.writableLength > this.#limits.maxBufferedBytes) {
      this.#drop(client);
      return;
    }
    client.write(frame);
    this.maxBuffered = Math.max(this.maxBuffered, client.writableLength);
  }

  /** Its 'close' listener, which destroy() runs, takes it out of the set and stops the timer when it was the last. */
  #drop(client: ServerResponse): void {
    this.dropped++;
    this.#clients.delete(client);
    client.destroy();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
