/**
 * Builds the CEP panel into panel/dist: one IIFE bundle for Chromium 88 (CEP 11, AE 2022–2024; CEP 12 has 99),
 * plus index.html and styles.css copied as they are. Run: `npm run build:panel` (part of `npm run build`).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PANEL_DIST = join(ROOT, 'panel', 'dist');

export async function buildPanel(): Promise<void> {
  mkdirSync(PANEL_DIST, { recursive: true });
  await build({
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
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(ROOT, 'panel', file), join(PANEL_DIST, file));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildPanel();
}
