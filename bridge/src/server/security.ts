/**
 * Who may talk to the bridge. Every request (WebSocket upgrades included) passes here before routing:
 * 1. Origin: none (the panel's Node side, curl), `null` or `file://` (CEP panels), or a localhost page; any other
 *    web page is refused with 403 — a site the artist visits must not drive their bridge.
 * 2. CORS: allowed origins get the headers a browser needs (the panel's fetch with an Authorization header is
 *    cross-origin and preflighted); preflights are answered without a token, as browsers send none.
 * 3. Token: `Authorization: Bearer <token>` or, for WebSockets (browsers cannot set their headers), `?token=`.
 *    Compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './http-errors.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for no Origin, `null`, `file://…`, and http(s) origins on localhost / 127.0.0.1 / [::1]. */
export function isAllowedOrigin(origin: string | undefined): boolean {
  if (origin === undefined || origin === '' || origin === 'null') return true;
  if (origin.startsWith('file://')) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time token comparison. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: bearer header first, then the `token` query parameter. */
export function requestToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match ? match[1] : undefined;
  }
  const query = req.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === 'string' ? token : undefined;
}

/** The onRequest hook enforcing origin, CORS and token. */
export function securityHook(token: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
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
    if (!given) {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'Expected the bridge token in an Authorization: Bearer header (or ?token= for WebSockets) but received none.',
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
