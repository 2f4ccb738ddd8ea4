import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers every response carries: no framing, no sniffing, no caching, no referrer (the URL holds the token). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
});

/** A fresh token: 32 random bytes as 64 hex characters. */
export function createToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Whether `given` is the token, in time that does not depend on where
 * they differ (`timingSafeEqual` on buffers of equal length; a given value
 * of another length is compared with the token itself, then refused).
 */
export function tokenMatches(given: string | undefined, token: string): boolean {
  const expected = Buffer.from(token);
  const candidate = Buffer.from(given ?? '');
  const sameLength = candidate.length === expected.length;
  return timingSafeEqual(sameLength ? candidate : expected, expected) && sameLength;
}

/**
 * The Host values allowed for a server bound to `host` on `port`: that
 * host, the address it resolved to (`address`: a browser sends `127.1` as
 * `127.0.0.1`), `localhost` and `[::1]`, with the port; on port 80, the
 * scheme's default, also without it, as browsers send them there.
 */
export function allowedHosts(host: string, port: number, address: string = host): Set<string> {
  const bracketed = (name: string): string => (name.includes(':') && !name.startsWith('[') ? `[${name}]` : name);
  const names = [bracketed(host), bracketed(address), 'localhost', '[::1]'];
  const hosts = names.map((name) => `${name}:${port}`);
  if (port === 80) hosts.push(...names);
  return new Set(hosts.map((value) => value.toLowerCase()));
}

/** The token a request carries: `?token=` or the `X-Inspector-Token` header. */
export function tokenOf(url: URL, request: IncomingMessage, header: string): string | undefined {
  const fromHeader = request.headers[header];
  if (typeof fromHeader === 'string') return fromHeader;
  return url.searchParams.get('token') ?? undefined;
}

/** Answers with `status` and a JSON body, with the security headers. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Answers with an error status and `{ error }`. */
export function sendError(response: ServerResponse, status: number, error: string): void {
  sendJson(response, status, { error });
}
