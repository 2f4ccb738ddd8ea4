import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ControlRefused, applyControl } from './control.js';
import { EventStream, STREAM_HEADERS, type StreamLimits } from './event-stream.js';
import type { InspectionHub } from './hub.js';
import { machinesView } from './machine-diagrams.js';
import { ROUTES, TOKEN_HEADER } from './protocol.js';
import { SECURITY_HEADERS, allowedHosts, sendError, sendJson, tokenMatches, tokenOf } from './security.js';
import { PAGE_DEFAULT, PAGE_MAX, stateMessage, taskDetail, tasksPage, type TaskFilter } from './views.js';

/** Where the built page lives: `<package>/dist/inspector/page/`, from `src/inspector/` and from `dist/inspector/` alike. */
export const PAGE_FOLDER = new URL('../../dist/inspector/page/', import.meta.url);

/** What the server needs. */
export interface ServerOptions extends StreamLimits {
  readonly hub: InspectionHub;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly controls: boolean;
  /** The folder of the page's files. */
  readonly pageFolder: URL;
}

/** The largest control request body read. */
const MAX_BODY = 4096;
const ASSET_NAME = /^[a-z0-9][a-z0-9._-]*\.(js|css|svg|png|map)$/;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  map: 'application/json; charset=utf-8',
};
const STATES = new Set<string>(['blocked', 'queued', 'running', 'retrying', 'done', 'failed', 'stopped']);

/** A listening inspector server. */
export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly stream: EventStream;
  close(): Promise<void>;
}

/**
 * Starts the HTTP server (node:http): the page, its assets, the JSON routes
 * of `protocol.ts` and the event stream. Every request must name an
 * allowed Host and carry the token; changes need `controls`, a POST with a
 * JSON body and the page's own Origin.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { hub, controls } = options;
  const stream = new EventStream(
    options,
    () => hub.revision,
    () => JSON.stringify(stateMessage(hub, controls)),
  );
  let hosts = new Set<string>();
  const server = createServer((request, response) => {
    handle(request, response, { ...options, hosts, stream }).catch(() => {
      if (!response.headersSent) sendError(response, 500, 'internal error');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  hosts = allowedHosts(options.host, port, address);
  return {
    server,
    port,
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        stream.close();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

interface Context extends ServerOptions {
  readonly hosts: Set<string>;
  readonly stream: EventStream;
}

async function handle(request: IncomingMessage, response: ServerResponse, context: Context): Promise<void> {
  const host = (request.headers.host ?? '').toLowerCase();
  if (!context.hosts.has(host)) {
    sendError(response, 403, 'unexpected Host header');
    return;
  }
  const url = new URL(request.url ?? '/', `http://${host}`);
  if (!tokenMatches(tokenOf(url, request, TOKEN_HEADER), context.token)) {
    sendError(response, 401, 'a valid token is required');
    return;
  }
  if (url.pathname === ROUTES.control) return control(request, response, context, host);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendError(response, 405, 'method not allowed');
    return;
  }
  switch (url.pathname) {
    case ROUTES.page:
      return page(response, context);
    case ROUTES.state: {
      sendJson(response, 200, stateMessage(context.hub, context.controls));
      return;
    }
    case ROUTES.stream:
      // A HEAD response is only sent once it ends, and the stream never does: its headers alone.
      if (request.method === 'HEAD') response.writeHead(200, STREAM_HEADERS).end();
      else context.stream.add(response);
      return;
    case ROUTES.machines: {
      sendJson(response, 200, machinesView());
      return;
    }
    case ROUTES.tasks: {
      tasks(url, response, context);
      return;
    }
    case ROUTES.task: {
      task(url, response, context);
      return;
    }
    default:
      if (url.pathname.startsWith(ROUTES.assets))
        return asset(url.pathname.slice(ROUTES.assets.length), response, context);
      {
        sendError(response, 404, 'not found');
        return;
      }
  }
}

async function page(response: ServerResponse, context: Context): Promise<void> {
  const html = await readPageFile('index.html', context);
  if (html === undefined) {
    sendError(response, 503, 'the inspector page is not built: run `npm run build`');
    return;
  }
  const text = html.toString('utf8').replaceAll('__TOKEN__', context.token);
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
  response.end(text);
}

async function asset(name: string, response: ServerResponse, context: Context): Promise<void> {
  const type = ASSET_NAME.exec(name)?.[1];
  const body = type === undefined ? undefined : await readPageFile(name, context);
  if (body === undefined) {
    sendError(response, 404, 'not found');
    return;
  }
  response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': CONTENT_TYPES[type as string] as string });
  response.end(body);
}

function readPageFile(name: string, context: Context): Promise<Buffer | undefined> {
  return readFile(new URL(name, context.pageFolder)).catch(() => undefined);
}

function tasks(url: URL, response: ServerResponse, context: Context): void {
  const model = context.hub.manager(url.searchParams.get('manager') ?? '');
  if (model === undefined) {
    sendError(response, 404, 'unknown manager');
    return;
  }
  const params = url.searchParams;
  const state = params.get('state') ?? undefined;
  if (state !== undefined && state !== '' && !STATES.has(state)) {
    sendError(response, 400, 'unknown state');
    return;
  }
  const offset = integerParam(params.get('offset'), 0);
  const limit = integerParam(params.get('limit'), PAGE_DEFAULT);
  if (offset === undefined || limit === undefined || limit < 1) {
    sendError(response, 400, 'bad offset or limit');
    return;
  }
  const filter: TaskFilter = {
    state: state === '' ? undefined : state,
    group: params.get('group') ?? undefined,
    q: params.get('q') ?? undefined,
    offset,
    limit: Math.min(limit, PAGE_MAX),
  };
  sendJson(response, 200, tasksPage(model, filter));
}

function task(url: URL, response: ServerResponse, context: Context): void {
  const model = context.hub.manager(url.searchParams.get('manager') ?? '');
  const uid = integerParam(url.searchParams.get('uid'), -1);
  if (model === undefined || uid === undefined || uid < 0) {
    sendError(response, 404, 'unknown manager or task');
    return;
  }
  const detail = taskDetail(model, uid);
  if (detail === undefined) {
    sendError(response, 404, 'the inspector no longer holds this task');
    return;
  }
  sendJson(response, 200, detail);
}

function integerParam(value: string | null, fallback: number): number | undefined {
  if (value === null || value === '') return fallback;
  if (!/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

async function control(
  request: IncomingMessage,
  response: ServerResponse,
  context: Context,
  host: string,
): Promise<void> {
  if (!context.controls) {
    sendError(response, 403, 'controls are off (start the inspector with `controls: true`)');
    return;
  }
  if (request.method !== 'POST') {
    sendError(response, 405, 'method not allowed');
    return;
  }
  if (request.headers.origin !== `http://${host}`) {
    sendError(response, 403, 'unexpected Origin');
    return;
  }
  const type = request.headers['content-type'] ?? '';
  if (type.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    sendError(response, 415, 'expected Content-Type: application/json');
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    sendError(response, 413, 'body too large');
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    sendError(response, 400, 'the body is not JSON');
    return;
  }
  try {
    applyControl(context.hub, parsed);
  } catch (error) {
    if (!(error instanceof ControlRefused)) throw error;
    sendError(response, error.status, error.message);
    return;
  }
  sendJson(response, 200, { ok: true });
}

/** The request body as text, or `undefined` when it passes {@link MAX_BODY} bytes. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
