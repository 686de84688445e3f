/**
 * Finds ffmpeg and ffprobe. Order (DESIGN §7): explicit option or REENACT_FFMPEG / REENACT_FFPROBE → ffmpeg-static
 * (optional dependency, often absent) → @ffmpeg-installer/ffmpeg + @ffprobe-installer/ffprobe → PATH.
 * When nothing works the error lists every place tried and how to fix it.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { debug } from '../log.js';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
  /** Where each came from, e.g. "REENACT_FFMPEG", "@ffmpeg-installer/ffmpeg", "PATH". */
  source: { ffmpeg: string; ffprobe: string };
}

export interface LocateOptions {
  ffmpeg?: string;
  ffprobe?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves a package's export (default: Node's require). Tests inject failures here. */
  requireModule?: (id: string) => unknown;
  platform?: NodeJS.Platform;
}

type Candidate = { source: string; path?: string; problem?: string };

function isExecutable(file: string): string | undefined {
  try {
    accessSync(file, constants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'not found' : `not executable (${code}); run chmod +x on it`;
  }
}

function fromPackage(requireModule: (id: string) => unknown, id: string, pick: (m: unknown) => unknown): Candidate {
  try {
    const p = pick(requireModule(id));
    if (typeof p !== 'string' || !p) return { source: id, problem: 'package gives no binary path' };
    return { source: id, path: p };
  } catch {
    return { source: id, problem: 'package not installed' };
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Candidate {
  const exe = platform === 'win32' ? `${name}.exe` : name;
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  for (const dir of dirs) {
    const file = path.join(dir, exe);
    if (!isExecutable(file)) return { source: 'PATH', path: file };
  }
  return { source: 'PATH', problem: `no ${exe} in any PATH folder` };
}

function pick(tool: 'ffmpeg' | 'ffprobe', candidates: Candidate[]): { path: string; source: string } {
  const tried: string[] = [];
  for (const c of candidates) {
    if (!c.path) {
      tried.push(`${c.source}: ${c.problem}`);
      continue;
    }
    const problem = isExecutable(c.path);
    if (problem) {
      tried.push(`${c.source}: ${c.path} ${problem}`);
      continue;
    }
    debug('%s from %s: %s', tool, c.source, c.path);
    return { path: c.path, source: c.source };
  }
  const envVar = tool === 'ffmpeg' ? 'REENACT_FFMPEG' : 'REENACT_FFPROBE';
  throw new ReenactError(
    'MISSING_DEPENDENCY',
    `Could not find ${tool}. Tried: ${tried.join('; ')}. ` +
      `Fix: run "npm ci" in the reenact folder (it installs @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe), ` +
      `install ffmpeg on your PATH, or set ${envVar} to the full path of a ${tool} binary.`,
    { details: { tool, tried } },
  );
}

const nodeRequire = createRequire(import.meta.url);

/** Locates both binaries; throws MISSING_DEPENDENCY naming every place tried. */
export function locateFfmpeg(options: LocateOptions = {}): FfmpegPaths {
  const env = options.env ?? process.env;
  const req = options.requireModule ?? nodeRequire;
  const platform = options.platform ?? process.platform;
  const explicit = (value: string | undefined, source: string): Candidate[] =>
    value ? [{ source, path: path.resolve(value) }] : [];
  const ffmpeg = pick('ffmpeg', [
    ...explicit(options.ffmpeg, 'option --ffmpeg'),
    ...explicit(env.REENACT_FFMPEG, 'REENACT_FFMPEG'),
    fromPackage(req, 'ffmpeg-static', (m) => m),
    fromPackage(req, '@ffmpeg-installer/ffmpeg', (m) => (m as { path?: string }).path),
    onPath('ffmpeg', env, platform),
  ]);
  const ffprobe = pick('ffprobe', [
    ...explicit(options.ffprobe, 'option --ffprobe'),
    ...explicit(env.REENACT_FFPROBE, 'REENACT_FFPROBE'),
    fromPackage(req, '@ffprobe-installer/ffprobe', (m) => (m as { path?: string }).path),
    onPath('ffprobe', env, platform),
  ]);
  return { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, source: { ffmpeg: ffmpeg.source, ffprobe: ffprobe.source } };
}

let cached: FfmpegPaths | undefined;

/** The process-wide binaries (located once). */
export function ffmpegPaths(): FfmpegPaths {
  cached ??= locateFfmpeg();
  return cached;
}
