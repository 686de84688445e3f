/**
 * Property tests (fast-check) for every parser of outside input: job specs, manifests, fps strings, frame ranges and
 * face choices, the bridge's API messages, and the host scripts' ES3 JSON. Properties: each returns a valid value or
 * throws only its own clear error (never a TypeError or RangeError), round-trips where it has a printed form, and
 * answers in bounded time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClientMessageSchema,
  CreateJobSchema,
  DeleteOutputsSchema,
  FacesRequestSchema,
  ProbeQuerySchema,
} from '../../bridge/src/api/schema.js';
import { parseFaceChoice, parseRange } from '../../bridge/src/cli/commands/render.js';
import { ReenactError } from '../../bridge/src/errors.js';
import type { FaceChoice } from '../../bridge/src/face/types.js';
import { outputLayout, prepareOutput, readManifest } from '../../bridge/src/pipeline/output.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { ApiError, parseOr400 } from '../../bridge/src/server/http-errors.js';
import { formatRational, parseRational } from '../../bridge/src/util/rational.js';
import { tempDir } from '../helpers/media.js';
import { STRIP_ES5 } from '../host/host-realm.js';

const dir = tempDir('reenact-fuzz-');
const RUNS = { numRuns: 300 };

/** Runs `fn`; passes when it returns or throws an instance of `allowed`, and answers within `ms`. */
function total<T>(fn: () => T, allowed: new (...a: never[]) => Error = ReenactError, ms = 200): T | undefined {
  const t0 = performance.now();
  let result: T | undefined;
  try {
    result = fn();
  } catch (err) {
    if (!(err instanceof allowed)) throw new Error(`threw ${String(err)} (not a ${allowed.name})`, { cause: err });
  }
  const took = performance.now() - t0;
  if (took > ms) throw new Error(`took ${took.toFixed(0)} ms`);
  return result;
}

/** Values shaped like a job spec, with any field possibly replaced by junk. */
const junk = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string(), fc.double(), fc.integer());
const specLike = fc.record(
  {
    source: fc.oneof(fc.constant('/in/portrait.png'), junk),
    driving: fc.oneof(fc.constant('/in/take.mov'), junk),
    output: fc.oneof(
      fc.record(
        { dir: fc.oneof(fc.constant('/out'), junk), format: fc.oneof(fc.constantFrom('png', 'prores'), junk) },
        { requiredKeys: [] },
      ),
      junk,
    ),
    engine: fc.oneof(fc.record({ name: fc.oneof(fc.constantFrom('meshwarp', 'fixture'), junk) }), junk),
    fps: fc.oneof(fc.constantFrom('24', '29.97', '30000/1001', '0', '1e9', '100000000'), fc.string(), junk),
    range: fc.oneof(fc.record({ start: fc.integer(), end: fc.integer() }), junk),
    referenceFrame: fc.oneof(fc.constant('auto'), fc.integer(), junk),
    smoothing: fc.oneof(fc.double(), junk),
    onFrameFailure: fc.oneof(fc.constantFrom('hold', 'neutral', 'fail'), junk),
  },
  { requiredKeys: [] },
);

describe('job specs (parseJobSpec)', () => {
  it('returns a spec or throws BAD_INPUT, for junk and for near-valid specs', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), specLike), (input) => {
        const spec = total(() => parseJobSpec(input, { baseDir: '/base' }));
        if (spec) {
          expect(path.isAbsolute(spec.source)).toBe(true);
          if (spec.fps) {
            const r = parseRational(spec.fps);
            expect(r.num / r.den).toBeGreaterThanOrEqual(1);
            expect(r.num / r.den).toBeLessThanOrEqual(1000);
          }
        }
      }),
      RUNS,
    );
  });

  it('is idempotent: parsing a parsed spec gives the same spec', () => {
    fc.assert(
      fc.property(specLike, (input) => {
        const spec = total(() => parseJobSpec(input, { baseDir: '/base' }));
        if (spec) expect(parseJobSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
      }),
      RUNS,
    );
  });

  it('refuses absurd output rates that would make a render run forever', () => {
    expect(() =>
      parseJobSpec({ source: '/a.png', driving: '/b.mov', output: { dir: '/o' }, fps: '100000000' }),
    ).toThrow(
      'Expected an output frame rate between 1 and 1000 fps but received "100000000". Use the comp\'s frame rate, e.g. 24, 29.97 or 30000/1001.',
    );
  });
});

describe('manifests (readManifest → prepareOutput)', () => {
  const valid = { source: '/in/p.png', driving: '/in/d.mov', output: { dir: path.join(dir, 'm') } };
  const spec = parseJobSpec(valid);
  const manifestLike = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        spec: fc.oneof(fc.constant(spec), fc.jsonValue()),
        frames: fc.oneof(
          fc.array(
            fc.record({ index: fc.oneof(fc.integer(), fc.jsonValue()), key: fc.oneof(fc.string(), fc.jsonValue()) }),
          ),
          fc.jsonValue(),
        ),
        complete: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  );

  it('any manifest text: readManifest gives a manifest or nothing, and a resume decides without crashing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          manifestLike.map((m) => JSON.stringify(m)),
          fc.string(),
        ),
        async (text) => {
          const layout = outputLayout(spec);
          const { mkdirSync } = await import('node:fs');
          mkdirSync(layout.framesDir, { recursive: true });
          writeFileSync(layout.manifest, text ?? '');
          const m = await readManifest(layout.manifest);
          if (m !== undefined) {
            expect(typeof m).toBe('object');
            expect(Array.isArray(m.frames)).toBe(true);
            for (const f of m.frames) expect(Number.isInteger(f.index)).toBe(true);
          }
          try {
            await prepareOutput(spec, layout);
          } catch (err) {
            expect(err).toBeInstanceOf(ReenactError);
            expect((err as ReenactError).code).toBe('OUTPUT_EXISTS');
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('fps strings (parseRational)', () => {
  it('returns a positive rational of safe integers in lowest terms, or throws BAD_INPUT', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^\d{0,30}(\.\d{0,8})?$/), fc.stringMatching(/^\d{0,25}\/\d{0,25}$/)),
        (text) => {
          const r = total(() => parseRational(text));
          if (r) {
            expect(Number.isSafeInteger(r.num) && Number.isSafeInteger(r.den)).toBe(true);
            expect(r.num).toBeGreaterThan(0);
            expect(r.den).toBeGreaterThan(0);
          }
        },
      ),
      RUNS,
    );
  });

  it('round-trips through formatRational', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: 2 ** 31 }), (num, den) => {
        const r = parseRational(`${num}/${den}`);
        expect(parseRational(formatRational(r))).toEqual(r);
        expect(r.num * den).toBe(num * r.den);
      }),
      RUNS,
    );
  });
});

describe('CLI flags (parseRange, parseFaceChoice)', () => {
  it('parseRange: a range of safe integers with start ≤ end, or USAGE', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\s*\d{1,25}-\d{1,25}\s*$/)), (text) => {
        const r = total(() => parseRange(text));
        if (r) {
          expect(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end)).toBe(true);
          expect(r.start).toBeLessThanOrEqual(r.end);
        }
      }),
      RUNS,
    );
  });

  it('parseRange round-trips "a-b"', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(parseRange(`${start}-${end}`)).toEqual({ start, end });
      }),
      RUNS,
    );
  });

  const choice: fc.Arbitrary<FaceChoice> = fc.oneof(
    fc.constant({ by: 'largest' as const }),
    fc.nat().map((index) => ({ by: 'index' as const, index })),
    fc.nat().map((id) => ({ by: 'id' as const, id })),
    fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 })).map(([x, y]) => ({
      by: 'point' as const,
      x,
      y,
    })),
  );
  const printChoice = (c: FaceChoice) =>
    c.by === 'largest'
      ? 'largest'
      : c.by === 'index'
        ? `index:${c.index}`
        : c.by === 'id'
          ? `id:${c.id}`
          : `point:${c.x},${c.y}`;

  it('parseFaceChoice: a valid choice (safe integers) or USAGE, and round-trips', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^(index:|id:)?\d{1,25}$/)), (text) => {
        const c = total(() => parseFaceChoice(text));
        if (c && (c.by === 'index' || c.by === 'id'))
          expect(Number.isSafeInteger(c.by === 'index' ? c.index : c.id)).toBe(true);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(choice, (c) => {
        expect(parseFaceChoice(printChoice(c))).toEqual(c);
      }),
      RUNS,
    );
  });
});

describe('bridge API messages (zod schemas via parseOr400)', () => {
  const schemas = { CreateJobSchema, ClientMessageSchema, FacesRequestSchema, ProbeQuerySchema, DeleteOutputsSchema };
  it.each(Object.entries(schemas))('%s: parses or refuses with a 400, for any JSON', (_name, schema) => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), specLike, fc.anything()), (value) => {
        try {
          parseOr400(schema, value, 'body');
        } catch (err) {
          expect(err).toBeInstanceOf(ApiError);
          expect((err as ApiError).status).toBe(400);
          expect((err as ApiError).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('host-script JSON (ES3 json2-style parser in a stripped realm)', () => {
  const ctx = vm.createContext({});
  vm.runInContext(STRIP_ES5, ctx);
  vm.runInContext(
    readFileSync(path.resolve(import.meta.dirname, '..', '..', 'host-scripts', 'src', '00-json.jsx'), 'utf8'),
    ctx,
  );
  /** [ok, value-as-host-JSON-text] or [false, error message]. */
  const hostParse = (text: string): [boolean, string] =>
    vm.runInContext(
      `(function (t) { try { return [true, json.stringify(json.parse(t))]; } catch (e) { return [false, String(e.message)]; } })(${JSON.stringify(text)})`,
      ctx,
      { timeout: 1000 },
    ) as [boolean, string];

  it('round-trips any JSON value exactly like JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const [ok, again] = hostParse(text);
        expect(ok).toBe(true);
        expect(JSON.parse(again)).toEqual(JSON.parse(text));
      }),
      RUNS,
    );
  });

  it('accepts exactly what JSON.parse accepts, and explains what it refuses', () => {
    const nearJson = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .tuple(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.nat(),
          fc.string({ maxLength: 3 }),
        )
        .map(([t, at, insert]) => t.slice(0, at % (t.length + 1)) + insert + t.slice(at % (t.length + 1))),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const t0 = performance.now();
        const [ok, result] = hostParse(text);
        expect(performance.now() - t0).toBeLessThan(500);
        expect(ok, `${text} → ${result}`).toBe(valid);
        if (!ok) expect(result).toMatch(/^Expected .+ at character \d+ of the JSON argument but received ".*"\.$/s);
      }),
      { numRuns: 500 },
    );
  });
});
