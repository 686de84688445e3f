/**
 * `reenact models list|install|verify|remove`: manage the neural engine's ONNX files in <cache>/models/<set>/.
 * Parses flags and prints; the work is in bridge/src/models/. `--json` prints one JSON object per line.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ReenactError } from '../../errors.js';
import { type Catalog, loadCatalog, modelDir, selectModels } from '../../models/catalog.js';
import { type InstallEvent, installModels } from '../../models/install.js';
import { checkModels, removeModels, type VerifyEntry } from '../../models/store.js';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function json(value: unknown): void {
  out(JSON.stringify(value));
}

function licenceLine(catalog: Catalog): string {
  return `Licence: ${catalog.licence.name}. ${catalog.licence.text} (${catalog.licence.urls.join(', ')})`;
}

function describeEntry(e: VerifyEntry): string {
  const derived = e.derived ? ` · ${e.derived.file}: ${e.derived.status}` : '';
  const matches = e.matches ? ` (the ${e.matches} copy)` : '';
  const notes = e.notes.length ? `\n      ${e.notes.join('\n      ')}` : '';
  return `  ${e.status.padEnd(10)} ${e.file}${e.required ? '' : ' (optional)'}${matches}${derived}${notes}`;
}

/** Progress bar on a TTY, one line per finished file otherwise, JSON events with --json. */
function installReporter(asJson: boolean): { onEvent: (e: InstallEvent) => void; stop: () => void } {
  if (asJson) return { onEvent: (e) => json(e), stop: () => {} };
  const tty = Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  return {
    stop: stopBar,
    onEvent: (e) => {
      switch (e.type) {
        case 'model-start':
          stopBar();
          if (tty) {
            bar = new cliProgress.SingleBar(
              { format: `${e.file.padEnd(34)} {bar} {percentage}% {value}/{total} bytes`, stream: process.stderr },
              cliProgress.Presets.shades_classic,
            );
            bar.start(e.total ?? 1, e.resumeFrom);
          } else if (e.resumeFrom > 0) process.stderr.write(`${e.file}: resuming at ${e.resumeFrom} bytes\n`);
          break;
        case 'model-progress':
          if (bar) {
            if (e.total !== null) bar.setTotal(e.total);
            bar.update(e.done);
          }
          break;
        case 'model-retry':
          stopBar();
          process.stderr.write(`${e.file}: ${e.reason}; retrying (${e.attempt})\n`);
          break;
        case 'model-done':
          stopBar();
          out(
            `installed ${e.file} (${e.bytes} bytes, sha256 ${e.sha256}${e.matches ? `, the ${e.matches} copy` : ''})`,
          );
          break;
        case 'model-skip':
          out(`skipped ${e.file}: ${e.reason}`);
          break;
        case 'derived-done':
          out(`built ${e.file} (${e.rewritten.length} GridSample nodes rewritten, sha256 ${e.sha256})`);
          break;
        case 'warning':
          stopBar();
          process.stderr.write(`warning: ${e.message}\n`);
          break;
      }
    },
  };
}

export function register(program: Command): void {
  const models = program
    .command('models')
    .description('Install, check or remove the neural engine models (LivePortrait ONNX files).');

  models
    .command('list')
    .description('Show each model file, its licence, size and whether it is installed.')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const catalog = loadCatalog();
      const entries = await checkModels(catalog, false);
      const dir = modelDir(catalog.set);
      if (opts.json) {
        json({
          type: 'models',
          set: catalog.set,
          dir,
          licence: catalog.licence,
          models: catalog.models.map((m, i) => ({ ...m, status: entries[i].status })),
        });
        return;
      }
      out(`${catalog.set} models in ${dir}`);
      out(licenceLine(catalog));
      for (const [i, m] of catalog.models.entries()) {
        const e = entries[i];
        out(
          `  ${e.status.padEnd(10)} ${m.file.padEnd(34)} ${(m.approxSize ?? 'size unknown').padEnd(9)} ${m.licence.padEnd(5)} ${m.required ? '' : '(optional) '}${m.role}`,
        );
      }
    });

  models
    .command('install')
    .argument('[ids...]', 'model ids (default: all required models)')
    .description('Download (resumable, sha256-checked) or copy the model files into the cache.')
    .option('--all', 'also install optional models')
    .option('--mirror <base-url>', 'download <base-url>/<file> instead of the default URLs')
    .option('--from <folder>', 'copy the files from a local folder (offline install)')
    .option('--force', 'install again even if already installed')
    .option('--json', 'print one JSON event per line')
    .action(
      async (
        ids: string[],
        opts: { all?: boolean; mirror?: string; from?: string; force?: boolean; json?: boolean },
      ) => {
        const catalog = loadCatalog();
        if (opts.json) json({ type: 'licence', set: catalog.set, licence: catalog.licence });
        else process.stderr.write(`${licenceLine(catalog)}\n`);
        const reporter = installReporter(Boolean(opts.json));
        try {
          const result = await installModels(catalog, { ...opts, ids, onEvent: reporter.onEvent });
          if (opts.json) json({ type: 'installed', ...result });
          else out(`done: ${result.installed.length} installed, ${result.skipped.length} skipped, in ${result.dir}`);
        } finally {
          reporter.stop();
        }
      },
    );

  models
    .command('verify')
    .description('Re-hash every installed file against the catalog (and the recorded hash of derived files).')
    .option(
      '--rewrite',
      'also run each original and GridSample-rewritten graph on CPU and compare their outputs (slow)',
    )
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean; rewrite?: boolean }) => {
      const catalog = loadCatalog();
      const dir = modelDir(catalog.set);
      const entries = await checkModels(catalog, true);
      const bad = entries.filter(
        (e) =>
          e.status === 'mismatch' ||
          (e.required && e.status !== 'ok' && e.status !== 'unverified') ||
          e.derived?.status === 'mismatch',
      );
      if (!opts.json) {
        out(`${catalog.set} models in ${dir}`);
        for (const e of entries) out(describeEntry(e));
      }
      const rewrites: { file: string; maxAbsDiff: number; ok: boolean }[] = [];
      if (opts.rewrite) {
        const { checkRewrite } = await import('../../models/check-rewrite.js');
        for (const e of entries) {
          if (e.status !== 'ok' || e.derived?.status !== 'ok') continue;
          const r = await checkRewrite(path.join(dir, e.file), path.join(dir, e.derived.file));
          // Same maths in another order (FP32): differences stay far below one 8-bit level (1/255 ≈ 0.004).
          const ok = r.maxAbsDiff <= 1e-3;
          rewrites.push({ file: e.derived.file, maxAbsDiff: r.maxAbsDiff, ok });
          if (!opts.json)
            out(
              `  ${(ok ? 'same' : 'DIFFERS').padEnd(10)} ${e.derived.file} vs ${e.file}: max |Δ| ${r.maxAbsDiff.toExponential(2)} (CPU ${r.seconds.original.toFixed(1)} s / ${r.seconds.rewritten.toFixed(1)} s)`,
            );
        }
      }
      const badRewrites = rewrites.filter((r) => !r.ok);
      if (opts.json)
        json({
          type: 'verify',
          set: catalog.set,
          dir,
          ok: bad.length === 0 && badRewrites.length === 0,
          models: entries,
          ...(opts.rewrite ? { rewrites } : {}),
        });
      if (bad.length)
        throw new ReenactError(
          'MISSING_MODEL',
          `${bad.length} model file${bad.length === 1 ? ' is' : 's are'} missing or damaged (${bad.map((e) => e.file).join(', ')}). Run \`reenact models install\` (add --force for damaged files).`,
          { details: { files: bad.map((e) => e.file) } },
        );
      if (badRewrites.length)
        throw new ReenactError(
          'ENGINE_FAILED',
          `The GridSample-rewritten graph differs from the original (${badRewrites.map((r) => `${r.file}: max |Δ| ${r.maxAbsDiff}`).join(', ')}). Use --device cpu, and report this with the file's sha256.`,
        );
    });

  models
    .command('remove')
    .argument('[ids...]', 'model ids (default: every model of the set)')
    .description('Delete installed model files (and partial downloads) from the cache.')
    .option('--json', 'print one JSON object')
    .action(async (ids: string[], opts: { json?: boolean }) => {
      const catalog = loadCatalog();
      const selected = ids.length ? selectModels(catalog, ids) : catalog.models;
      const removed = await removeModels(catalog, selected);
      if (opts.json) json({ type: 'removed', files: removed });
      else out(removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove');
    });
}
