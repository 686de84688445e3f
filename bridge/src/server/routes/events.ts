/**
 * `GET /jobs/:id/events` (WebSocket): the job's state, then its events (history first), closing with 1000 after a
 * final event. Client messages are validated; a bad one gets an error message and a 1008 close. Previews are
 * dropped for a client that reads slower than the job renders, and a client that stops reading altogether (it may
 * still send pings) is closed with 1013 once its unread replies pass a limit: no client can grow the bridge's memory.
 */
import type { FastifyInstance } from 'fastify';
import { ClientMessageSchema, EventsQuerySchema, JobParamsSchema, type ServerMessage } from '../../api/schema.js';
import type { JobManager } from '../../jobs/manager.js';
import { formatZodError } from '../../util/zod-errors.js';
import { parseOr400 } from '../http-errors.js';
import { queryWithoutToken } from './media.js';

/** Bytes queued on a socket above which previews are skipped for that client. */
const PREVIEW_BACKLOG_BYTES = 4 * 1024 * 1024;
/** Bytes queued on a socket above which the client is closed (1013 "try again later") instead of queuing more. */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

export function eventRoutes(app: FastifyInstance, manager: JobManager): void {
  app.get(
    '/jobs/:id/events',
    {
      websocket: true,
      // Browsers cannot set a WebSocket's headers: this route alone takes the token as ?token= (security.ts).
      config: { tokenInQuery: true },
      // Runs before the upgrade: an unknown id is a plain 404, not an opened-then-closed socket.
      preValidation: async (req) => {
        parseOr400(EventsQuerySchema, queryWithoutToken(req.query), 'query');
        manager.get(parseOr400(JobParamsSchema, req.params, 'job id').id);
      },
    },
    (socket, req) => {
      const { id } = req.params as { id: string };
      const send = (message: ServerMessage) => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > MAX_BACKLOG_BYTES) {
          socket.close(1013, 'client is not reading');
          return;
        }
        socket.send(JSON.stringify(message));
      };
      let previews = EventsQuerySchema.parse(queryWithoutToken(req.query)).previews === 'true';
      send({ type: 'job', job: manager.get(id) });
      const subscription = manager.events(id).subscribe({
        next(event) {
          if (event.type === 'preview' && (!previews || socket.bufferedAmount > PREVIEW_BACKLOG_BYTES)) return;
          send({ type: 'event', event });
        },
        complete() {
          socket.close(1000, 'job finished');
        },
      });
      socket.on('message', (data, isBinary) => {
        let value: unknown;
        try {
          value = JSON.parse(isBinary ? '' : data.toString());
        } catch {
          value = undefined;
        }
        const parsed = ClientMessageSchema.safeParse(value);
        if (!parsed.success) {
          send({
            type: 'error',
            error: {
              code: 'BAD_REQUEST',
              message:
                value === undefined
                  ? 'Expected a JSON text message but received something else.'
                  : formatZodError(parsed.error, value, 'message'),
            },
          });
          socket.close(1008, 'invalid message');
          return;
        }
        const message = parsed.data;
        if (message.type === 'ping') send({ type: 'pong', id: message.id });
        else previews = message.enabled;
      });
      socket.on('close', () => subscription.unsubscribe());
    },
  );
}
