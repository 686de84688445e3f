/**
 * Finds ffmpeg and ffprobe. An explicit option or REENACT_FFMPEG / REENACT_FFPROBE wins. Otherwise the newest of
 * ffmpeg-static (optional dependency, often absent), @ffmpeg-installer/ffmpeg + @ffprobe-installer/ffprobe (a 2018
 * ffmpeg snapshot: no maintained npm package ships a current ffmpeg inside itself) and the one on PATH (the system's,
 * usually kept current by the OS) — by the version each prints, ties going to that order; an ffmpeg from PATH must
 * also have the encoders reenact uses. When nothing works the error lists every place tried and how to fix it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { debug } from '../log.js';
import {
  compareVersions,
  describeVersion,
  type FfmpegVersion,
  floorWarning,
  readFfmpegVersion,
} from './ffmpeg-version.js';
import type { ToolReport, ToolsReport } from './types.js';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
  /** Where each came from, e.g. "REENACT_FFMPEG", "@ffmpeg-installer/ffmpeg", "PATH". */
  source: { ffmpeg: string; ffprobe: string };
  /** Each one's version, when it was read to choose between candidates (see `toolReport` for the rest). */
  version: { ffmpeg?: FfmpegVersion; ffprobe?: FfmpegVersion };
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

type Tool = 'ffmpeg' | 'ffprobe';
type Picked = { path: string; source: string; version?: FfmpegVersion };

/** Encoders the pipeline runs (ffmpeg-args.ts, preview.ts): a system ffmpeg without them is not used. */
const NEEDED_ENCODERS = ['prores_aw', 'libx264'];

function hasEncoders(ffmpeg: string): boolean {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 10_000, windowsHide: true });
  return r.status === 0 && NEEDED_ENCODERS.every((name) => new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(r.stdout));
}

/**
 * The first explicit candidate that runs; else the newest of the others (ties: the earlier one).
 * @throws ReenactError MISSING_DEPENDENCY naming every place tried
 */
function pick(tool: Tool, explicit: Candidate[], candidates: Candidate[]): Picked {
  const tried: string[] = [];
  const usable = (c: Candidate): c is Candidate & { path: string } => {
    if (!c.path) {
      tried.push(`${c.source}: ${c.problem}`);
      return false;
    }
    const problem = isExecutable(c.path);
    if (problem) tried.push(`${c.source}: ${c.path} ${problem}`);
    return !problem;
  };
  const chosen = explicit.find(usable);
  if (chosen) return found(tool, { path: chosen.path, source: chosen.source });
  const present = candidates.filter(usable);
  if (present.length === 1) return found(tool, { path: present[0].path, source: present[0].source });
  if (present.length > 1) {
    let best: Picked = {
      path: present[0].path,
      source: present[0].source,
      version: readFfmpegVersion(present[0].path),
    };
    for (const c of present.slice(1)) {
      const version = readFfmpegVersion(c.path);
      if (compareVersions(version, best.version) <= 0) continue;
      if (tool === 'ffmpeg' && c.source === 'PATH' && !hasEncoders(c.path)) {
        debug('%s on PATH (%s) is newer but lacks %s; not used', tool, c.path, NEEDED_ENCODERS.join('/'));
        continue;
      }
      best = { path: c.path, source: c.source, version };
    }
    return found(tool, best);
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

function found(tool: Tool, picked: Picked): Picked {
  debug('%s from %s: %s', tool, picked.source, picked.path);
  return picked;
}

const nodeRequire = createRequire(import.meta.url);

/** Locates both binaries; throws MISSING_DEPENDENCY naming every place tried. */
export function locateFfmpeg(options: LocateOptions = {}): FfmpegPaths {
  const env = options.env ?? process.env;
  const req = options.requireModule ?? nodeRequire;
  const platform = options.platform ?? process.platform;
  const explicit = (value: string | undefined, source: string): Candidate[] =>
    value ? [{ source, path: path.resolve(value) }] : [];
  const ffmpeg = pick(
    'ffmpeg',
    [...explicit(options.ffmpeg, 'option --ffmpeg'), ...explicit(env.REENACT_FFMPEG, 'REENACT_FFMPEG')],
    [
      fromPackage(req, 'ffmpeg-static', (m) => m),
      fromPackage(req, '@ffmpeg-installer/ffmpeg', (m) => (m as { path?: string }).path),
      onPath('ffmpeg', env, platform),
    ],
  );
  const ffprobe = pick(
    'ffprobe',
    [...explicit(options.ffprobe, 'option --ffprobe'), ...explicit(env.REENACT_FFPROBE, 'REENACT_FFPROBE')],
    [
      fromPackage(req, '@ffprobe-installer/ffprobe', (m) => (m as { path?: string }).path),
      onPath('ffprobe', env, platform),
    ],
  );
  return {
    ffmpeg: ffmpeg.path,
    ffprobe: ffprobe.path,
    source: { ffmpeg: ffmpeg.source, ffprobe: ffprobe.source },
    version: { ffmpeg: ffmpeg.version, ffprobe: ffprobe.version },
  };
}

let cached: FfmpegPaths | undefined;

/** The process-wide binaries (located once). */
export function ffmpegPaths(): FfmpegPaths {
  cached ??= locateFfmpeg();
  return cached;
}

/** Path, origin, version and (below FFMPEG_FLOOR) a warning for both binaries; reads versions not read yet. */
export function toolReport(paths: FfmpegPaths = ffmpegPaths()): { ffmpeg: ToolReport; ffprobe: ToolReport } {
  const report = (tool: Tool): ToolReport => {
    const version = paths.version[tool] ?? readFfmpegVersion(paths[tool]);
    paths.version[tool] = version;
    const warning = floorWarning(tool, version);
    return {
      path: paths[tool],
      source: paths.source[tool],
      version: describeVersion(version),
      ...(warning ? { warning } : {}),
    };
  };
  return { ffmpeg: report('ffmpeg'), ffprobe: report('ffprobe') };
}

/** toolReport for the process-wide binaries, computed once; `{error}` when they cannot be found. */
export function cachedToolReport(): ToolsReport {
  if (!report) {
    try {
      report = toolReport();
    } catch (err) {
      report = { error: (err as Error).message };
    }
  }
  return report;
}

let report: ToolsReport | undefined;
