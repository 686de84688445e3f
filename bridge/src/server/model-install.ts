/**
 * The panel's "Install models…": the neural engine's missing files, their download size and licence, and one install
 * at a time running in the bridge (the same installModels as `reenact models install`: sha256-checked, resumable,
 * atomic). The panel polls the state for its progress bar; cancelling keeps the partial file for a later resume.
 */
import type { ModelInstallState, ModelsResponse } from '../api/schema.js';
import { asReenactError } from '../errors.js';
import { type Catalog, catalogPath, loadCatalog } from '../models/catalog.js';
import { installModels } from '../models/install.js';
import { checkModels } from '../models/store.js';

export interface ModelInstaller {
  status(): Promise<ModelsResponse>;
  /** Starts the install unless one is running or nothing is missing; resolves with the state after starting. */
  start(): Promise<ModelsResponse>;
  cancel(): Promise<ModelsResponse>;
}

const UNITS: Record<string, number> = { B: 1, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, KB: 1e3, MB: 1e6, GB: 1e9 };

/** "3.3 MiB" → bytes; undefined for anything else. */
export function parseSize(text: string | null): number | undefined {
  const m = /^\s*([\d.]+)\s*([KMG]?i?B)\s*$/i.exec(text ?? '');
  return m ? Number(m[1]) * UNITS[m[2].toUpperCase()] : undefined;
}

export function formatSize(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)} MiB`;
  return `${Math.max(1, Math.round(bytes / 2 ** 10))} KiB`;
}

export function createModelInstaller(env: NodeJS.ProcessEnv = process.env): ModelInstaller {
  let install: ModelInstallState = { state: 'idle' };
  let controller: AbortController | undefined;
  let running: Promise<void> | undefined;

  const catalog = (): Catalog => loadCatalog(catalogPath(env));

  async function status(): Promise<ModelsResponse> {
    const cat = catalog();
    const entries = await checkModels(cat, false, env);
    const missing = cat.models.filter((m, i) => m.required && !['ok', 'unverified'].includes(entries[i].status));
    const sizes = missing.map((m) => m.sources[0].sizeBytes ?? parseSize(m.approxSize));
    const known = sizes.every((s) => s !== undefined);
    return {
      set: cat.set,
      installed: missing.length === 0,
      missing: missing.map((m) => m.file),
      downloadSize: missing.length && known ? formatSize(sizes.reduce<number>((a, s) => a + (s ?? 0), 0)) : null,
      licence: cat.licence,
      install: { ...install },
    };
  }

  /** Checks what is missing, then installs it; `install` tells the panel where it is. */
  async function run(signal: AbortSignal, before: ModelInstallState): Promise<void> {
    try {
      const cat = catalog();
      const { missing } = await status();
      if (!missing.length) {
        install = before; // nothing to download: the panel keeps what it showed
        return;
      }
      await installModels(cat, {
        env,
        signal,
        onEvent: (e) => {
          if (e.type === 'model-start')
            install = {
              state: 'running',
              file: e.file,
              index: missing.indexOf(e.file) + 1,
              count: missing.length,
              done: e.resumeFrom,
              total: e.total,
            };
          else if (e.type === 'model-progress') install = { ...install, done: e.done, total: e.total };
        },
      });
      install = { state: 'done' };
    } catch (err) {
      const e = asReenactError(err);
      install = signal.aborted
        ? { state: 'cancelled' }
        : { state: 'failed', error: { code: e.code, message: e.message } };
    } finally {
      controller = undefined;
      running = undefined;
    }
  }

  return {
    status,
    async start() {
      // Claimed before any await, so two quick clicks start one install.
      if (!running) {
        const before = install;
        controller = new AbortController();
        install = { state: 'running', done: 0, total: null };
        running = run(controller.signal, before);
      }
      return status();
    },
    async cancel() {
      controller?.abort();
      await running;
      return status();
    },
  };
}
