import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { startInspector } from '../../src/inspector.js';
import { allowedHosts, tokenMatches } from '../../src/inspector/security.js';
import type { InspectorParts } from '../../src/inspector/start-inspector.js';
import { controlled, settle } from '../helpers.js';
import { request, startTestInspector, type Reply } from './server-helpers.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function inspectorWith(
  controls: boolean,
): Promise<{ inspector: InspectorParts; manager: BackgroundTaskManager }> {
  const inspector = await startTestInspector({ controls });
  const manager = new BackgroundTaskManager({ inspect: inspector.inspect });
  open.push(inspector, { close: () => manager.shutDown() });
  return { inspector, manager };
}

const ROUTES = [
  '/',
  '/assets/app.js',
  '/api/state',
  '/api/tasks?manager=m1',
  '/api/task?manager=m1&uid=0',
  '/api/machines',
  '/api/stream',
  '/api/control',
];

function expectSafeHeaders(reply: Reply): void {
  expect(reply.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['cache-control']).toBe('no-store');
  expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
}

describe('inspector server: safety', () => {
  it('binds 127.0.0.1 by default and puts a token of 64 hex characters in its URL', async () => {
    const inspector = await startInspector();
    open.push(inspector);
    const url = new URL(inspector.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toMatch(/^[0-9a-f]{64}$/);
    const parts = inspector as InspectorParts;
    expect(parts.server.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('warns when told to listen on an address other machines may reach, not on localhost or a loopback one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    open.push(await startInspector({ host: '0.0.0.0' }));
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('listening on 0.0.0.0, not a loopback address: other machines may reach it'),
    );
    warn.mockRestore();
    const quiet: string[] = [];
    // Named or written as the system resolves them: what counts is the address it binds.
    for (const host of [
      'localhost',
      'LOCALHOST',
      '127.0.0.1',
      '127.0.0.2',
      '127.1',
      '::1',
      '0:0:0:0:0:0:0:1',
      undefined,
    ]) {
      const options = host === undefined ? {} : { host };
      open.push(await startTestInspector(options, { warn: (message) => quiet.push(message) }));
    }
    expect(quiet).toEqual([]);
  });

  it('refuses every route, the stream included, without the right token (401), with the safety headers', async () => {
    const { inspector } = await inspectorWith(false);
    const port = inspector.server.port;
    const wrong = inspector.token.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    for (const route of ROUTES) {
      const join = route.includes('?') ? '&' : '?';
      for (const path of [route, `${route}${join}token=${wrong}`, `${route}${join}token=${inspector.token.slice(1)}`]) {
        const reply = await request(port, path);
        expect(reply.status, path).toBe(401);
        expect(reply.body).not.toContain(inspector.token);
        expectSafeHeaders(reply);
      }
      const wrongHeader = await request(port, route, { headers: { 'X-Inspector-Token': wrong } });
      expect(wrongHeader.status).toBe(401);
    }
  });

  it('answers with the token, in the query or the X-Inspector-Token header, with the safety headers', async () => {
    const { inspector } = await inspectorWith(false);
    const port = inspector.server.port;
    const byQuery = await request(port, `/api/state?token=${inspector.token}`);
    expect(byQuery.status).toBe(200);
    expectSafeHeaders(byQuery);
    const byHeader = await request(port, '/api/machines', { headers: { 'X-Inspector-Token': inspector.token } });
    expect(byHeader.status).toBe(200);
    expectSafeHeaders(byHeader);
    const missing = await request(port, `/nothing?token=${inspector.token}`);
    expect(missing.status).toBe(404);
    expectSafeHeaders(missing);
    const preflight = await request(port, `/api/state?token=${inspector.token}`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(405);
    expectSafeHeaders(preflight);
  });

  it('compares tokens whatever their length, and only an exact match passes', () => {
    const token = 'ab'.repeat(32);
    expect(tokenMatches(token, token)).toBe(true);
    for (const given of [
      undefined,
      '',
      token.slice(1),
      `${token}0`,
      'AB'.repeat(32),
      'ac'.repeat(32),
      'é'.repeat(32),
    ]) {
      expect(tokenMatches(given, token)).toBe(false);
    }
  });

  it('answers 403 to a Host that is not the bound address, localhost or [::1] with the port (DNS rebinding)', async () => {
    const { inspector } = await inspectorWith(false);
    const port = inspector.server.port;
    const path = `/api/state?token=${inspector.token}`;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await request(port, path, { headers: { Host: host } })).status, host).toBe(200);
    }
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `localhost:${port + 1}`,
      '127.0.0.1',
      `127.0.0.2:${port}`,
    ]) {
      const reply = await request(port, path, { headers: { Host: host } });
      expect(reply.status, host).toBe(403);
      expectSafeHeaders(reply);
    }
    const stream = await request(port, `/api/stream?token=${inspector.token}`, { headers: { Host: 'evil.example' } });
    expect(stream.status).toBe(403);
  });

  it('refuses every change without `controls: true` (403), and nothing changes', async () => {
    const { inspector, manager } = await inspectorWith(false);
    const port = inspector.server.port;
    const reply = await request(port, `/api/control?token=${inspector.token}`, {
      method: 'POST',
      headers: { Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ manager: 'm1', action: 'start' }),
    });
    expect(reply.status).toBe(403);
    expectSafeHeaders(reply);
    await settle();
    expect(manager.phase).toBe('paused');
    const state = JSON.parse((await request(port, `/api/state?token=${inspector.token}`)).body) as {
      controls: boolean;
    };
    expect(state.controls).toBe(false);
  });

  it('with `controls: true`, changes only by a JSON POST from the page’s own Origin', async () => {
    const { inspector, manager } = await inspectorWith(true);
    const port = inspector.server.port;
    const work = controlled();
    const uid = manager.addTask(work.run);
    const path = `/api/control?token=${inspector.token}`;
    const own = { Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/json' };
    const start = JSON.stringify({ manager: 'm1', action: 'start' });
    const refused: Array<[number, Parameters<typeof request>[2]]> = [
      [405, { method: 'GET', headers: own }],
      [403, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: start }],
      [403, { method: 'POST', headers: { ...own, Origin: 'http://evil.example' }, body: start }],
      [403, { method: 'POST', headers: { ...own, Origin: `http://localhost:${port}` }, body: start }],
      [415, { method: 'POST', headers: { ...own, 'Content-Type': 'text/plain' }, body: start }],
      [415, { method: 'POST', headers: { ...own, 'Content-Type': 'application/x-www-form-urlencoded' }, body: start }],
      [400, { method: 'POST', headers: own, body: 'manager=m1&action=start' }],
      [400, { method: 'POST', headers: own, body: JSON.stringify({ manager: 'm1', action: 'constructor' }) }],
      [400, { method: 'POST', headers: own, body: '{"manager":"m1","action":"start","__proto__":{"x":1}}' }],
      [400, { method: 'POST', headers: own, body: JSON.stringify({ manager: 'm1', action: 'stopTask', uid: '0' }) }],
      [400, { method: 'POST', headers: own, body: JSON.stringify([start]) }],
      [400, { method: 'POST', headers: own, body: JSON.stringify({ manager: 1, action: 'start' }) }],
      [
        400,
        { method: 'POST', headers: own, body: JSON.stringify({ manager: 'm1', action: 'stopGroup', group: null }) },
      ],
      [
        400,
        {
          method: 'POST',
          headers: own,
          body: JSON.stringify({ manager: 'm1', action: 'stopTask', uid, stopDownstream: 'no' }),
        },
      ],
      [400, { method: 'POST', headers: own, body: '{"manager": "m1", action: start}' }],
      [404, { method: 'POST', headers: own, body: JSON.stringify({ manager: 'm9', action: 'start' }) }],
      [
        413,
        {
          method: 'POST',
          headers: own,
          body: JSON.stringify({ manager: 'm1', action: 'start', pad: 'x'.repeat(5000) }),
        },
      ],
    ];
    for (const [status, options] of refused) {
      const reply = await request(port, path, options);
      expect(reply.status, JSON.stringify(options)).toBe(status);
      expectSafeHeaders(reply);
    }
    await settle();
    expect(manager.phase).toBe('paused');
    expect(manager.getTaskState(uid)).toBe('queued');

    const started = await request(port, path, { method: 'POST', headers: own, body: start });
    expect([started.status, started.body]).toEqual([200, '{"ok":true}']);
    expectSafeHeaders(started);
    expect(manager.phase).toBe('processing');
    await settle();
    expect(manager.getTaskState(uid)).toBe('running');
    const stop = JSON.stringify({ manager: 'm1', action: 'stopTask', uid, stopUpstream: false });
    expect((await request(port, path, { method: 'POST', headers: own, body: stop })).status).toBe(200);
    expect(manager.getTaskState(uid)).toBe('stopped');
    const pause = JSON.stringify({ manager: 'm1', action: 'pause' });
    expect((await request(port, path, { method: 'POST', headers: own, body: pause })).status).toBe(200);
    expect(manager.phase).toBe('paused');
    const grouped = manager.addTask(work.run, { group: 'g' });
    const numbered = manager.addTask(work.run, { group: 7 });
    const stopGroup = JSON.stringify({ manager: 'm1', action: 'stopGroup', group: 'g' });
    expect((await request(port, path, { method: 'POST', headers: own, body: stopGroup })).status).toBe(200);
    expect(manager.getTaskState(grouped)).toBe('stopped');
    const stopNumbered = JSON.stringify({ manager: 'm1', action: 'stopGroup', group: 7, stopUpstream: false });
    expect((await request(port, path, { method: 'POST', headers: own, body: stopNumbered })).status).toBe(200);
    expect(manager.getTaskState(numbered)).toBe('stopped');
    // From localhost, the page's own Origin is http://localhost:PORT.
    const fromLocalhost = await request(port, path, {
      method: 'POST',
      headers: { ...own, Host: `localhost:${port}`, Origin: `http://localhost:${port}` },
      body: start,
    });
    expect(fromLocalhost.status).toBe(200);
    // After shut-down, start changes nothing (and throws nothing).
    await manager.shutDown();
    expect((await request(port, path, { method: 'POST', headers: own, body: start })).status).toBe(200);
    expect(manager.phase).toBe('shutDown');
  });
});

describe('startInspector: options', () => {
  it('refuses options of the wrong type or range, with a clear error', async () => {
    const bad: Array<[unknown, ErrorConstructor, RegExp]> = [
      [null, TypeError, /options to be an object/],
      ['x', TypeError, /^Expected the inspector options to be an object, got string$/],
      [{ port: -1 }, RangeError, /`port` to be an integer from 0 to 65535, got -1/],
      [{ port: 65_536 }, RangeError, /`port` to be an integer from 0 to 65535, got 65536/],
      [{ port: 1.5 }, RangeError, /`port`/],
      [{ host: '' }, TypeError, /^Expected `host` to be a non-empty string$/],
      [{ host: 1 }, TypeError, /^Expected `host` to be a non-empty string$/],
      [{ controls: 'yes' }, TypeError, /`controls` to be a boolean, got string/],
      [{ historyLimit: -1 }, RangeError, /`historyLimit` to be an integer >= 0/],
      [{ sanitize: 'none' }, TypeError, /`sanitize`/],
    ];
    for (const [options, type, message] of bad) {
      await expect(startInspector(options as never)).rejects.toThrow(type);
      await expect(startInspector(options as never)).rejects.toThrow(message);
    }
  });

  it('takes the edges of each range', async () => {
    const edges = await startInspector({ historyLimit: 0 });
    open.push(edges);
    // The highest port (above the ephemeral range, so free here).
    const highest = await startInspector({ port: 65_535 });
    open.push(highest);
    expect(new URL(highest.url).port).toBe('65535');
  });

  it('allows the Host a browser sends for a host written in a short form (127.1 as 127.0.0.1)', async () => {
    const inspector = await startTestInspector({ host: '127.1' }, { warn: () => undefined });
    open.push(inspector);
    const port = inspector.server.port;
    const reply = await request(port, `/api/state?token=${inspector.token}`, {
      headers: { host: `127.0.0.1:${port}` },
    });
    expect(reply.status).toBe(200);
    expect([...allowedHosts('127.1', 5, '127.0.0.1')]).toEqual(['127.1:5', '127.0.0.1:5', 'localhost:5', '[::1]:5']);
  });

  it('allows the bracketed address of an IPv6 host', () => {
    expect([...allowedHosts('::1', 5)]).toEqual(['[::1]:5', 'localhost:5']);
    expect([...allowedHosts('[::1]', 5)]).toEqual(['[::1]:5', 'localhost:5']);
    expect([...allowedHosts('127.0.0.1', 5)]).toEqual(['127.0.0.1:5', 'localhost:5', '[::1]:5']);
  });

  it('allows the Host a browser sends on port 80, which names no port', () => {
    expect([...allowedHosts('127.0.0.1', 80)]).toEqual([
      '127.0.0.1:80',
      'localhost:80',
      '[::1]:80',
      '127.0.0.1',
      'localhost',
      '[::1]',
    ]);
  });
});
