/**
 * Builds the CEP panel into panel/dist: one IIFE bundle for Chromium 88 (CEP 11, AE 2022–2024; CEP 12 has 99),
 * plus index.html and styles.css copied as they are. Run: `npm run build:panel` (part of `npm run build`).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PANEL_DIST = join(ROOT, 'panel', 'dist');

export async function buildPanel(): Promise<void> {
  mkdirSync(PANEL_DIST, { recursive: true });
  const result = await build({
    write: false,
    entryPoints: [join(ROOT, 'panel', 'src', 'main.ts')],
    outfile: join(PANEL_DIST, 'main.js'),
    bundle: true,
    format: 'iife',
    target: 'chrome88',
    platform: 'browser',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files = [
    ...result.outputFiles.map((f) => ({ name: basename(f.path), bytes: f.contents })),
    ...['index.html', 'styles.css'].map((name) => ({ name, bytes: readFileSync(join(ROOT, 'panel', name)) })),
  ];
  // Each file is written whole under a temp name and renamed: tests in parallel workers build the panel at the same
  // time, and a page must never load a half-written bundle.
  for (const { name, bytes } of files) {
    const tmp = join(PANEL_DIST, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, bytes);
    renameSync(tmp, join(PANEL_DIST, name));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildPanel();
}
