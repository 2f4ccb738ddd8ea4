import {
  ROUTES,
  STREAM_EVENT,
  TOKEN_HEADER,
  type ControlRequest,
  type ErrorResponse,
  type StateMessage,
} from '../protocol.js';

/** Query parameters of a GET route; `undefined` and empty values are left out. */
export type Query = Readonly<Record<string, string | number | undefined>>;

/** A request the server refused, with its status and its `{ error }` text. */
export class InspectorRequestError extends Error {
  override readonly name = 'InspectorRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Talks to the inspector that served the page: every request carries the page's token. */
export class InspectorClient {
  constructor(private readonly token: string) {}

  /** Reads the token from the page's own address (`?token=`). */
  static fromLocation(location: Location): InspectorClient {
    return new InspectorClient(new URLSearchParams(location.search).get('token') ?? '');
  }

  /** `GET route?query`, parsed as JSON. */
  async get<T>(route: string, query: Query = {}): Promise<T> {
    return this.send<T>(this.url(route, query), { method: 'GET' });
  }

  /** `POST /api/control` with a JSON body (same origin, so the browser sends the page's `Origin`). */
  async control(request: ControlRequest): Promise<void> {
    await this.send(this.url(ROUTES.control, {}), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  /**
   * Opens the event stream. An `EventSource` cannot send headers, so the
   * token goes in the query; the browser reconnects by itself after an error.
   */
  stream(onState: (message: StateMessage) => void, onStatus: (live: boolean) => void): EventSource {
    const source = new EventSource(this.url(ROUTES.stream, { token: this.token }));
    source.addEventListener(STREAM_EVENT, (event) => {
      onState(JSON.parse((event as MessageEvent<string>).data) as StateMessage);
    });
    source.addEventListener('open', () => {
      onStatus(true);
    });
    source.addEventListener('error', () => {
      onStatus(false);
    });
    return source;
  }

  private url(route: string, query: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return search === '' ? route : `${route}?${search}`;
  }

  private async send<T>(url: string, init: RequestInit): Promise<T> {
    const response = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), [TOKEN_HEADER]: this.token },
      cache: 'no-store',
      credentials: 'same-origin',
    });
    const body = (await response.json()) as T | ErrorResponse;
    if (!response.ok) {
      const message = (body as Partial<ErrorResponse>).error ?? response.statusText;
      throw new InspectorRequestError(response.status, message);
    }
    return body as T;
  }
}
