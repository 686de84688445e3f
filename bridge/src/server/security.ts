/**
 * Who may talk to the bridge. Every request (WebSocket upgrades included) passes here before routing:
 * 1. Host: the name the client used must be ours — a loopback name with the port the request arrived on (or, for a
 *    bridge bound to another interface with --host, that address; to a wildcard, any IP literal or this machine's
 *    name). A page on a DNS name that was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
 * 2. Origin: none (the panel's Node side, curl), `null` (CEP's file:// panel in Chromium ≥ 92), exactly `file://`
 *    (older CEP), or an http(s) page on localhost / 127.0.0.1 / [::1] spelled exactly so; any other web page —
 *    `file://host/…`, `http://127.1`, `http://localhost.evil.example` — is refused with 403.
 * 3. CORS: allowed origins get the headers a browser needs (the panel's fetch with an Authorization header is
 *    cross-origin and preflighted); preflights are answered without a token, as browsers send none.
 * 4. Token: `Authorization: Bearer <token>`; `?token=` only on the WebSocket route (browsers cannot set a
 *    WebSocket's headers), so a token never has to appear in any other URL. Compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import os from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './http-errors.js';

/** http(s) origins a local page has: the scheme, a loopback name exactly as browsers serialise it, a port. */
const LOCAL_ORIGIN = /^https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** True for no Origin, `null`, exactly `file://`, and http(s) origins on localhost / 127.0.0.1 / [::1]. */
export function isAllowedOrigin(origin: string | undefined): boolean {
  if (origin === undefined || origin === '' || origin === 'null' || origin === 'file://') return true;
  return LOCAL_ORIGIN.test(origin);
}

/** `name[:port]` of a Host header, the name lower-cased (IPv6 keeps its brackets); undefined when malformed. */
function splitHost(host: string): { name: string; port?: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/i.exec(host);
  if (!match) return undefined;
  return { name: match[1].toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * True when a Host header names this bridge: the port the request arrived on (no port only for port 80), and a
 * loopback name — or, when the bridge listens on `listenHost` beyond loopback, that address, and for a wildcard any
 * IP literal or this machine's host name. (An IP literal cannot be re-pointed; DNS rebinding needs a name.)
 */
export function isAllowedHost(host: string | undefined, port: number, listenHost: string): boolean {
  const parsed = host ? splitHost(host) : undefined;
  if (!parsed) return false;
  if ((parsed.port ?? 80) !== port) return false;
  if (LOOPBACK_NAMES.has(parsed.name)) return true;
  const listen = listenHost.toLowerCase();
  if (WILDCARDS.has(listen)) {
    return isIP(parsed.name.replace(/^\[|\]$/g, '')) !== 0 || parsed.name === os.hostname().toLowerCase();
  }
  return parsed.name === listen || parsed.name === `[${listen}]`;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time token comparison. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: the bearer header, or `?token=` on a WebSocket upgrade (and nowhere else). */
export function requestToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match ? match[1] : undefined;
  }
  if (!isWebSocketUpgrade(req)) return undefined;
  const query = req.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === 'string' ? token : undefined;
}

/** A GET upgrading to a WebSocket on a route that takes its token from the query (`config: { tokenInQuery }`). */
function isWebSocketUpgrade(req: FastifyRequest): boolean {
  const config = req.routeOptions.config as { tokenInQuery?: boolean } | undefined;
  return req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket' && config?.tokenInQuery === true;
}

/** The onRequest hook enforcing host, origin, CORS and token; `listenHost` is the interface the bridge bound. */
export function securityHook(token: string, listenHost: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const port = req.raw.socket?.localPort ?? 0;
    if (!isAllowedHost(req.headers.host, port, listenHost)) {
      throw new ApiError(
        403,
        'FORBIDDEN_HOST',
        `Expected the bridge's own address (127.0.0.1:${port}, localhost:${port} or [::1]:${port}) in the Host header but received ${JSON.stringify(req.headers.host ?? '')}. Connect to the bridge by its address, not through another name.`,
      );
    }
    const origin = req.headers.origin;
    if (!isAllowedOrigin(origin)) {
      throw new ApiError(
        403,
        'FORBIDDEN_ORIGIN',
        `Expected a request from the reenact panel (no Origin, file://, null or localhost) but received Origin ${origin}. Web pages may not use the bridge.`,
      );
    }
    if (origin) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      reply
        .header('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS')
        .header('Access-Control-Allow-Headers', 'Authorization, Content-Type')
        .header('Access-Control-Max-Age', '600')
        .status(204)
        .send();
      return reply;
    }
    const given = requestToken(req);
    if (!given && typeof (req.query as Record<string, unknown> | undefined)?.token === 'string') {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'Expected the bridge token in an Authorization: Bearer header but received it in the URL (?token= is accepted only on the events WebSocket, where browsers cannot set headers).',
      );
    }
    if (!given) {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'Expected the bridge token in an Authorization: Bearer header (or ?token= for the events WebSocket) but received none.',
      );
    }
    if (!tokenMatches(given, token)) {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'Expected the bridge token but received a different one. Read the token printed by `reenact serve` (or its lock file).',
      );
    }
  };
}
