import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import type { InspectorParts } from '../../src/inspector/start-inspector.js';
import { request, startTestInspector, streamClient, type RequestOptions } from './server-helpers.js';

// What each refusal says (the page shows it), and the edges of what the routes accept. Which
// requests are refused at all is in server-safety.test.ts and server-data.test.ts.

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
  vi.restoreAllMocks();
});

const pageFolder = new URL('../fixtures/inspector-page/', import.meta.url);

async function setUp(controls = false): Promise<InspectorParts> {
  const inspector = await startTestInspector({ controls }, { pageFolder });
  open.push(inspector);
  const manager = new BackgroundTaskManager({ inspect: inspector.inspect });
  open.push({ close: () => manager.shutDown() });
  manager.addTask(() => 1);
  return inspector;
}

/** Status and error message of a request; the token is added unless `token` is false. */
async function reply(
  inspector: InspectorParts,
  path: string,
  options: RequestOptions & { token?: boolean } = {},
): Promise<[number, string | undefined]> {
  const join = path.includes('?') ? '&' : '?';
  const full = options.token === false ? path : `${path}${join}token=${inspector.token}`;
  const { status, body } = await request(inspector.server.port, full, options);
  const error = status === 200 ? undefined : (JSON.parse(body) as { error: string }).error;
  return [status, error];
}

describe('inspector server replies', () => {
  it('says why it refuses a request, route by route', async () => {
    const inspector = await setUp();
    const cases: Array<[string, RequestOptions & { token?: boolean }, number, string]> = [
      ['/api/state', { headers: { Host: 'evil.example' } }, 403, 'unexpected Host header'],
      ['/api/state', { token: false }, 401, 'a valid token is required'],
      ['/api/state', { method: 'POST' }, 405, 'method not allowed'],
      ['/nothing', {}, 404, 'not found'],
      ['/assets/nothing.js', {}, 404, 'not found'],
      ['/assets/index.html', {}, 404, 'not found'], // there, but not of an asset's type
      ['/assets/%2e%2e%2fpackage.json', {}, 404, 'not found'],
      ['/api/control', { method: 'POST' }, 403, 'controls are off (start the inspector with `controls: true`)'],
      ['/api/tasks?manager=m9', {}, 404, 'unknown manager'],
      ['/api/tasks?manager=m1&state=bogus', {}, 400, 'unknown state'],
      ['/api/tasks?manager=m1&limit=0', {}, 400, 'bad offset or limit'],
      ['/api/tasks?manager=m1&offset=-1', {}, 400, 'bad offset or limit'],
      ['/api/tasks?manager=m1&offset=1x', {}, 400, 'bad offset or limit'],
      ['/api/tasks?manager=m1&limit=1234567890123456', {}, 400, 'bad offset or limit'],
      ['/api/task?manager=m1', {}, 404, 'unknown manager or task'],
      ['/api/task?manager=m1&uid=-1', {}, 404, 'unknown manager or task'],
      ['/api/task?manager=m9&uid=0', {}, 404, 'unknown manager or task'],
      ['/api/task?manager=m1&uid=1', {}, 404, 'the inspector no longer holds this task'],
    ];
    for (const [path, options, status, error] of cases) {
      expect(await reply(inspector, path, options), path).toEqual([status, error]);
    }
  });

  it('takes an empty query value as left out, and reads HEAD like GET', async () => {
    const inspector = await setUp();
    const page = async (path: string): Promise<unknown> => {
      const { body } = await request(inspector.server.port, `${path}&token=${inspector.token}`);
      return JSON.parse(body);
    };
    expect(await page('/api/tasks?manager=m1&state=&offset=&limit=')).toMatchObject({ total: 1, offset: 0 });
    expect(await page('/api/tasks?manager=m1&limit=1')).toMatchObject({ total: 1, limit: 1 });
    expect(await page('/api/task?manager=m1&uid=0')).toMatchObject({ uid: 0 });
    for (const state of ['blocked', 'queued', 'running', 'retrying', 'done', 'failed', 'stopped']) {
      expect(await page(`/api/tasks?manager=m1&state=${state}`), state).toMatchObject({ offset: 0 });
    }
    expect(await reply(inspector, '/api/state', { method: 'HEAD' })).toEqual([200, undefined]);
    const state = await request(inspector.server.port, `/api/state?token=${inspector.token}`);
    expect(state.headers['content-type']).toBe('application/json; charset=utf-8');
    // The stream never ends: a HEAD gets its headers alone, and an end.
    const stream = await request(inspector.server.port, `/api/stream?token=${inspector.token}`, { method: 'HEAD' });
    expect([stream.status, stream.headers['content-type'], stream.body]).toEqual([
      200,
      'text/event-stream; charset=utf-8',
      '',
    ]);
  });

  it('says how to build the page when it is not built', async () => {
    const unbuilt = await startTestInspector(
      {},
      { pageFolder: new URL('../fixtures/no-such-folder/', import.meta.url) },
    );
    open.push(unbuilt);
    expect(await reply(unbuilt, '/')).toEqual([503, 'the inspector page is not built: run `npm run build`']);
  });

  it('serves only the assets under /assets/', async () => {
    const inspector = await setUp();
    // '/xxxxxxx' is as long as '/assets/': a path that merely ends with an asset's name is not one.
    expect(await reply(inspector, '/xxxxxxxapp.js')).toEqual([404, 'not found']);
    expect(await reply(inspector, '/assets/app.js')).toEqual([200, undefined]);
  });

  it('says why it refuses a control request, and takes a body of exactly 4,096 bytes', async () => {
    const inspector = await setUp(true);
    const own = { Origin: `http://127.0.0.1:${inspector.server.port}`, 'Content-Type': 'application/json' };
    const post = (headers: Record<string, string>, body: string) => ({ method: 'POST', headers, body });
    const start = JSON.stringify({ manager: 'm1', action: 'start' });
    const padded = (size: number): string => start.padEnd(size, ' ');
    const cases: Array<[RequestOptions, number, string | undefined]> = [
      [{ method: 'GET', headers: own }, 405, 'method not allowed'],
      [post({ ...own, Origin: 'http://evil.example' }, start), 403, 'unexpected Origin'],
      [post({ ...own, 'Content-Type': 'text/plain' }, start), 415, 'expected Content-Type: application/json'],
      [post(own, '{"manager":'), 400, 'the body is not JSON'],
      [post(own, JSON.stringify({ manager: 'm9', action: 'start' })), 404, "no manager 'm9'"],
      [post(own, padded(4097)), 413, 'body too large'],
      [post(own, padded(4096)), 200, undefined],
      [post({ ...own, 'Content-Type': ' Application/JSON ; charset=utf-8' }, start), 200, undefined],
    ];
    for (const [options, status, error] of cases) {
      expect(await reply(inspector, '/api/control', options), JSON.stringify(options.headers)).toEqual([status, error]);
    }
  });

  it('answers 500 when a route throws, and goes on serving', async () => {
    const inspector = await setUp();
    const manager = vi.spyOn(inspector.hub, 'manager').mockImplementationOnce(() => {
      throw new Error('broken');
    });
    expect(await reply(inspector, '/api/tasks?manager=m1')).toEqual([500, 'internal error']);
    expect(manager).toHaveBeenCalledTimes(1);
    expect(await reply(inspector, '/api/tasks?manager=m1')).toEqual([200, undefined]);
  });

  it('forgets a stream client once its connection closes', async () => {
    const inspector = await setUp();
    const sockets: Socket[] = [];
    inspector.server.server.on('connection', (socket: Socket) => sockets.push(socket));
    const stream = await streamClient(inspector.server.port, inspector.token, () => undefined);
    expect(inspector.server.stream.size).toBe(1);
    const closed = once(sockets[0] as Socket, 'close');
    stream.destroy();
    await closed; // the response's own 'close' listener on the socket has run by now
    expect(inspector.server.stream.size).toBe(0);
  });

  it('refuses a port that is taken, and once closed ends its streams and takes no connection', async () => {
    const inspector = await setUp();
    const port = inspector.server.port;
    await expect(startTestInspector({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const stream = await streamClient(port, inspector.token, () => undefined);
    const ended = new Promise((resolve) => stream.on('close', resolve));
    await inspector.close();
    await ended;
    await expect(request(port, `/api/state?token=${inspector.token}`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
