import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import {
  startInspectorWith,
  type InspectorInternals,
  type InspectorOptions,
} from '../../src/inspector/start-inspector.js';
import type { StateMessage } from '../../src/inspector/protocol.js';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One HTTP request to the inspector on 127.0.0.1 (node:http, so that the Host header can be anything). */
export function request(port: number, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Starts an inspector whose stream may send every millisecond (tests wait for events, not for time). */
export function startTestInspector(options: InspectorOptions = {}, internals: InspectorInternals = {}) {
  return startInspectorWith(options, { streamIntervalMs: 1, ...internals });
}

/** An in-process page: reads the event stream and hands each state to `onState`. */
export function streamClient(
  port: number,
  token: string,
  onState: (state: StateMessage) => void,
): Promise<IncomingMessage> {
  return rawStreamClient(port, token, (data) => {
    onState(JSON.parse(data) as StateMessage);
  });
}

/** An in-process page that hands over each frame's data unparsed. */
export function rawStreamClient(port: number, token: string, onData: (data: string) => void): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: `/api/stream?token=${token}` }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data !== undefined) onData(data.slice(6));
        }
      });
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}
