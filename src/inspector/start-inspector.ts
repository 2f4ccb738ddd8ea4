import { BlockList, isIP, type AddressInfo } from 'node:net';
import type { InspectionEvent } from 'xstate';
import { InspectionHub } from './hub.js';
import { defaultSanitize, type Sanitizer } from './sanitize.js';
import { createToken } from './security.js';
import { PAGE_FOLDER, startServer, type RunningServer } from './server.js';

/** Options of {@link startInspector}. */
export interface InspectorOptions {
  /**
   * The TCP port; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * The address to listen on. Anything but `localhost` or a loopback
   * address lets other machines reach the page (the token still guards
   * it): a warning says so.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Lets the page pause and start managers and stop tasks and groups.
   * @default false
   */
  controls?: boolean;
  /**
   * Finished tasks kept for the page, per manager (pending ones are always shown).
   * @default 1000
   */
  historyLimit?: number;
  /**
   * Redacts or shortens a task's args, kwargs, result or failure
   * (`{ message, traceback }`) before it leaves the process; the result must
   * be JSON-serialisable. The default caps size and depth.
   * @default defaultSanitize
   */
  sanitize?: Sanitizer;
}

/** A running inspector. */
export interface Inspector {
  /** The page's address, with its token: `http://127.0.0.1:PORT/?token=…`. Treat it as a secret. */
  readonly url: string;
  /** The observer to pass as a manager's `inspect` option; one inspector can watch several managers. */
  readonly inspect: (event: InspectionEvent) => void;
  /** Stops the server and drops every page connection; the managers keep running, no longer watched. */
  close(): Promise<void>;
}

/** Internal knobs, for tests: how often the stream may send, and how much a client may leave unread. */
export interface InspectorInternals {
  readonly streamIntervalMs?: number;
  readonly maxBufferedBytes?: number;
  readonly pageFolder?: URL;
  readonly warn?: (message: string) => void;
}

/** The inspector and its parts, for tests. */
export interface InspectorParts extends Inspector {
  readonly hub: InspectionHub;
  readonly server: RunningServer;
  readonly token: string;
}

const LOOPBACK = '127.0.0.1';

/** Addresses only this machine reaches: 127.0.0.0/8 and ::1. */
const LOOPBACK_ADDRESSES = new BlockList();
LOOPBACK_ADDRESSES.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK_ADDRESSES.addAddress('::1', 'ipv6');

/** Whether `address` (an IP address) is one that only this machine reaches. */
function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK_ADDRESSES.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Starts a live inspector page for managers: an HTTP server on the loopback
 * address that shows counts, tasks, the dependency graph, the task stream,
 * an event log and the machines' diagrams, fed by each manager's XState
 * inspection stream. Every request needs the token in `url`.
 * @example
 * const inspector = await startInspector();
 * const manager = new BackgroundTaskManager({ inspect: inspector.inspect, startProcessing: true });
 * console.log(inspector.url);
 * @throws {TypeError} for an option of the wrong type.
 * @throws {RangeError} for a port outside 0–65535 or a negative `historyLimit`.
 */
export async function startInspector(options?: InspectorOptions): Promise<Inspector> {
  return startInspectorWith(options);
}

/** {@link startInspector} with internal knobs, returning its parts. */
export async function startInspectorWith(
  options: InspectorOptions = {},
  internals: InspectorInternals = {},
): Promise<InspectorParts> {
  const { port, host, controls, historyLimit, sanitize } = validate(options);
  const hub = new InspectionHub(historyLimit, sanitize);
  const token = createToken();
  const server = await startServer({
    hub,
    host,
    port,
    token,
    controls,
    pageFolder: internals.pageFolder ?? PAGE_FOLDER,
    intervalMs: internals.streamIntervalMs ?? 100,
    maxBufferedBytes: internals.maxBufferedBytes ?? 4 * 2 ** 20,
  });
  // The address it is bound to, as the system resolved `host` (`localhost`, `127.1` and the like).
  if (!isLoopback((server.server.address() as AddressInfo).address)) {
    (internals.warn ?? console.warn)(
      `background-task-manager inspector: listening on ${host}, not a loopback address: other machines may reach it`,
    );
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${server.port}/?token=${token}`,
    inspect: hub.inspect,
    hub,
    server,
    token,
    close: async () => {
      hub.close();
      await server.close();
    },
  };
}

function validate(options: unknown): Required<InspectorOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected the inspector options to be an object, got ${typeof options}`);
  }
  const {
    port = 0,
    host = LOOPBACK,
    controls = false,
    historyLimit = 1000,
    sanitize = defaultSanitize,
  } = options as InspectorOptions;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Expected \`port\` to be an integer from 0 to 65535, got ${String(port)}`);
  }
  if (typeof host !== 'string' || host === '') throw new TypeError('Expected `host` to be a non-empty string');
  if (typeof controls !== 'boolean')
    throw new TypeError(`Expected \`controls\` to be a boolean, got ${typeof controls}`);
  if (!Number.isInteger(historyLimit) || historyLimit < 0) {
    throw new RangeError(`Expected \`historyLimit\` to be an integer >= 0, got ${String(historyLimit)}`);
  }
  if (typeof sanitize !== 'function') throw new TypeError('Expected `sanitize` to be a function');
  return { port, host, controls, historyLimit, sanitize };
}
