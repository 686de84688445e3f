/**
 * Request bodies are JSON nested at most MAX_JSON_DEPTH levels. A job spec is about six deep; a body nested tens of
 * thousands deep parses fine but overflows the stack wherever it is later copied or printed (a job record, GET /jobs),
 * so it is refused before parsing, whatever field it hides in, naming where.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './http-errors.js';

export const MAX_JSON_DEPTH = 32;

/**
 * Where JSON `text` first nests deeper than `limit` objects and arrays ("engine.options.deep.a.a…"), or undefined.
 * A single pass over the text: strings are skipped, object keys and array indices are tracked for the message.
 */
export function tooDeep(text: string, limit: number): string | undefined {
  const path: (string | number)[] = [];
  const isArray: boolean[] = [];
  let inString = false;
  let stringStart = 0;
  let lastString = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\')
        i++; // skip the escaped character
      else if (c === '"') {
        inString = false;
        lastString = text.slice(stringStart, i);
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      stringStart = i + 1;
    } else if (c === ':') path[path.length - 1] = lastString;
    else if (c === ',' && isArray.at(-1)) path[path.length - 1] = (path.at(-1) as number) + 1;
    else if (c === '{' || c === '[') {
      if (path.length >= limit) return `${path.join('.')}…`;
      path.push(c === '[' ? 0 : '');
      isArray.push(c === '[');
    } else if (c === '}' || c === ']') {
      path.pop();
      isArray.pop();
    }
  }
  return undefined;
}

/** Replaces the JSON body parser with one that refuses deep nesting, then parses as fastify does (prototype checks). */
export function limitJsonDepth(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const where = tooDeep(body as string, MAX_JSON_DEPTH);
    if (where !== undefined) {
      done(
        new ApiError(
          400,
          'BAD_REQUEST',
          `Expected a JSON body nested at most ${MAX_JSON_DEPTH} levels deep but received deeper nesting at ${where.slice(0, 200)}. Send the request as documented (docs/bridge-api.md).`,
        ),
        undefined,
      );
      return;
    }
    parse(req, body as string, done);
  });
}
