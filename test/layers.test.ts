/**
 * The bridge's layering, checked on the import statements: each folder of bridge/src imports only the folders below
 * it (onnx → face → engines → pipeline → jobs → server/cli), so an engine never depends on the pipeline that runs it
 * and the face tracker never depends on an engine. Outside engines/, only the engine seam (types, controls, registry)
 * is imported, never an engine's own files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '..', 'bridge', 'src');

/** What each folder may import besides itself and the top-level files (errors, log, version). */
const ALLOWED: Record<string, string[]> = {
  util: [],
  onnx: ['util'],
  media: ['util'],
  models: ['util', 'onnx'],
  face: ['util', 'onnx', 'media'],
  engines: ['util', 'onnx', 'media', 'models', 'face'],
  pipeline: ['util', 'onnx', 'media', 'models', 'face', 'engines'],
  // Browser-safe types and helpers shared with the panel.
  api: ['util', 'onnx', 'media', 'engines', 'pipeline'],
  jobs: ['util', 'onnx', 'media', 'models', 'face', 'engines', 'pipeline', 'api'],
  server: ['util', 'onnx', 'media', 'models', 'face', 'engines', 'pipeline', 'api', 'jobs'],
  cli: ['util', 'onnx', 'media', 'models', 'face', 'engines', 'pipeline', 'api', 'jobs', 'server'],
};

/** The engine seam: what code outside engines/ may import from it. */
const ENGINE_SEAM = ['engines/types.ts', 'engines/controls.ts', 'engines/registry.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of a file (static, re-export and literal dynamic), as paths relative to bridge/src. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) =>
    path
      .relative(SRC, path.resolve(path.dirname(file), s))
      .split(path.sep)
      .join('/')
      .replace(/\.js$/, '.ts'),
  );
}

const files = sources(SRC).map((f) => ({
  file: path.relative(SRC, f).split(path.sep).join('/'),
  imports: importsOf(f),
}));

describe('bridge layering', () => {
  it('finds the sources and their imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.find((f) => f.file === 'pipeline/render.ts')?.imports).toContain('pipeline/frame-plan.ts');
  });

  it('each folder imports only the folders below it', () => {
    const wrong: string[] = [];
    for (const { file, imports } of files) {
      const from = file.split('/')[0];
      const allowed = ALLOWED[from];
      if (!allowed) continue; // a top-level file (errors.ts, log.ts, version.ts)
      for (const target of imports) {
        const to = target.split('/')[0];
        if (to !== from && target.includes('/') && !allowed.includes(to)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('code outside engines/ uses the engine seam, never an engine’s own files', () => {
    const wrong = files.flatMap(({ file, imports }) =>
      file.startsWith('engines/')
        ? []
        : imports.filter((t) => t.startsWith('engines/') && !ENGINE_SEAM.includes(t)).map((t) => `${file} → ${t}`),
    );
    expect(wrong).toEqual([]);
  });

  it('the product carries no test-only fault hooks: fault injection is a test engine (test/reliability/faulty-engine.ts)', () => {
    const hooks = files.flatMap(({ file }) =>
      readFileSync(path.join(SRC, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bfaults\??:|injected fault|fault injection/i.test(line) ? [`${file}:${i + 1}`] : [])),
    );
    expect(hooks).toEqual([]);
  });

  it('one head yaw/pitch estimator: only face/pose.ts derives an angle from landmarks; headYawPitch is a view of it', () => {
    // A statement that sets a yaw or pitch from an inverse trigonometric function is a head-angle formula.
    const formula = /\b\w*(?:yaw|pitch)\w*\s*[:=]\s*[^,;]*Math\.(?:atan2?|asin|acos)\(/i;
    const found = files.flatMap(({ file }) =>
      readFileSync(path.join(SRC, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
        .split(/[;{}]/)
        .filter((statement) => formula.test(statement))
        .map(() => file),
    );
    expect(found.length).toBeGreaterThan(0); // the pattern finds pose.ts's own anglesOf
    expect([...new Set(found)]).toEqual(['face/pose.ts']);
    const measure = readFileSync(path.join(SRC, 'face/measure.ts'), 'utf8');
    const body = measure.slice(
      measure.indexOf('export function headYawPitch'),
      measure.indexOf('export function headPose'),
    );
    expect(body).toMatch(/headAngles\(/);
  });
});
