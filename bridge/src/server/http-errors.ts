/**
 * HTTP errors of the bridge: every refusal is `{error: {code, message}}` with a status that says what kind of
 * refusal it is, and a message that says what was expected and what to do. ReenactErrors from the library map
 * onto statuses here, in one place.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType, z } from 'zod';
import { type ApiErrorBody, type ApiErrorCode, MAX_BODY_BYTES } from '../api/schema.js';
import { type ErrorCode, ReenactError } from '../errors.js';
import { formatZodError } from '../util/zod-errors.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const STATUS: Record<ErrorCode, number> = {
  USAGE: 400,
  BAD_INPUT: 400,
  OUTPUT_EXISTS: 409,
  OUTPUT_UNWRITABLE: 507,
  MISSING_DEPENDENCY: 503,
  MISSING_MODEL: 503,
  FFMPEG_FAILED: 500,
  ENGINE_FAILED: 500,
  CANCELLED: 409,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
};

/** Parses `value` with `schema` or throws a 400 naming every bad field. */
export function parseOr400<T extends ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'BAD_REQUEST', formatZodError(result.error, value, where));
  return result.data;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ReenactError) return new ApiError(STATUS[err.code], err.code, err.message, err.details);
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(
        413,
        'PAYLOAD_TOO_LARGE',
        `Expected a request body of at most ${MAX_BODY_BYTES} bytes but received more. Send paths, not file contents.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Expected Content-Type application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'BAD_REQUEST', 'Expected a JSON body but the request had none.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'BAD_REQUEST', `Expected a valid JSON body: ${fe.message}`);
  }
  if (err instanceof SyntaxError || fe.statusCode === 400) {
    return new ApiError(400, 'BAD_REQUEST', `Expected a valid JSON body: ${fe.message}`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(fe.statusCode, 'BAD_REQUEST', fe.message);
  }
  return new ApiError(500, 'INTERNAL', `Internal error: ${(err as Error)?.message ?? String(err)}`);
}

export function errorBody(err: ApiError): ApiErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}

/** Fastify error handler: one JSON shape for every failure; 5xx are logged with their stack. */
export function handleError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const api = toApiError(err);
  if (api.status >= 500) req.log.error({ err }, api.message);
  else req.log.info({ code: api.code, status: api.status }, api.message);
  return reply.status(api.status).send(errorBody(api));
}
