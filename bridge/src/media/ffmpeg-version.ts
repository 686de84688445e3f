/**
 * Which FFmpeg a binary is, from its `-version` output, and whether it is too old to decode untrusted footage.
 * ffmpeg decodes whatever clip an artist drops in; its decoders get memory-safety fixes every year, so the version in
 * use is shown (`reenact --version`, `/health`, the bridge log) with a warning below a floor.
 *
 * The floor is FFmpeg 5.1: the oldest release branch that received the 2025 decoder fixes (CVE-2025-59728 and
 * CVE-2025-59731..59733, fixed in 5.1.7, 6.1.3, 7.1.2 and 8.0 per ffmpeg.org/security.html); 4.4 and older never got
 * them, and the 2018 snapshot @ffmpeg-installer ships misses every fix of the last seven years (73 CVEs listed for
 * 4.1.x point releases alone). A version number cannot show a distribution's backports, so this warns, never refuses.
 */
import { spawnSync } from 'node:child_process';

export interface FfmpegVersion {
  /** As the binary prints it after "version": "5.1.9-0+deb12u1", "N-47683-g0e8eb07980-static". */
  text: string;
  /** The release it is ([major, minor, patch]) or, for a git snapshot, the last release before it. */
  release: [number, number, number] | null;
  /** A git snapshot between releases (its `release` is the one it follows). */
  snapshot: boolean;
  /** libavcodec's version ("58.42.100"): what a snapshot is dated by. */
  libavcodec: string | null;
  /** The last year of its copyright line: about when it was built. */
  year: number | null;
}

/** The oldest release that gets no warning (see the header for why). */
export const FFMPEG_FLOOR: [number, number] = [5, 1];

/**
 * libavcodec major.minor of each release (libavcodec/version.h at the release tag), to place git snapshots, which
 * print no release number, after the release they follow.
 */
const LAVC_OF_RELEASE: Record<string, [number, number]> = {
  '4.0': [58, 18],
  '4.1': [58, 35],
  '4.2': [58, 54],
  '4.3': [58, 91],
  '4.4': [58, 134],
  '5.0': [59, 18],
  '5.1': [59, 37],
  '6.0': [60, 3],
  '6.1': [60, 31],
  '7.0': [61, 3],
  '7.1': [61, 19],
  '8.0': [62, 11],
};

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Reads `ffmpeg -version` / `ffprobe -version` output. */
export function parseFfmpegVersion(output: string): FfmpegVersion | undefined {
  const first = /^ff(?:mpeg|probe) version (\S+)/m.exec(output);
  if (!first) return undefined;
  const text = first[1];
  const lavcMatch = /^libavcodec\s+(\d+)\.\s*(\d+)\.\s*(\d+)/m.exec(output);
  const lavc = lavcMatch ? [Number(lavcMatch[1]), Number(lavcMatch[2]), Number(lavcMatch[3])] : null;
  const yearMatch = /Copyright \(c\) \d{4}-(\d{4})/.exec(output);
  const numbered = /^n?(\d+)\.(\d+)(?:\.(\d+))?(?![\d.])/.exec(text);
  let release: FfmpegVersion['release'] = null;
  let snapshot = false;
  if (numbered) {
    release = [Number(numbered[1]), Number(numbered[2]), Number(numbered[3] ?? 0)];
  } else if (lavc) {
    // "N-47683-g…", "2025-01-20-git-…", "git-2024-…": a snapshot; it follows the last release at or below its lavc.
    snapshot = true;
    for (const [name, at] of Object.entries(LAVC_OF_RELEASE)) {
      const [major, minor] = name.split('.').map(Number);
      if (compare(lavc.slice(0, 2), at) >= 0) release = [major, minor, 0];
    }
  }
  return {
    text,
    release,
    snapshot,
    libavcodec: lavc ? lavc.join('.') : null,
    year: yearMatch ? Number(yearMatch[1]) : null,
  };
}

/** Runs `<binary> -version`; undefined when it does not run or prints something else. */
export function readFfmpegVersion(binary: string): FfmpegVersion | undefined {
  const r = spawnSync(binary, ['-version'], { encoding: 'utf8', timeout: 10_000, windowsHide: true });
  return r.status === 0 ? parseFfmpegVersion(r.stdout) : undefined;
}

/** Orders versions, oldest first; an unreadable version is older than any other. */
export function compareVersions(a: FfmpegVersion | undefined, b: FfmpegVersion | undefined): number {
  if (!a?.release || !b?.release) return (a?.release ? 1 : 0) - (b?.release ? 1 : 0);
  // Release line first, then libavcodec (a snapshot after 7.1 is newer than 7.1.1), then the point release.
  return (
    compare(a.release.slice(0, 2), b.release.slice(0, 2)) ||
    compare(versionNumbers(a.libavcodec), versionNumbers(b.libavcodec)) ||
    compare(a.release, b.release)
  );
}

function versionNumbers(v: string | null): number[] {
  return v ? v.split('.').map(Number) : [];
}

/** "5.1.9-0+deb12u1", or "4.1+ (git snapshot N-47683-g0e8eb07980-static, libavcodec 58.42.100, 2018)". */
export function describeVersion(v: FfmpegVersion | undefined): string {
  if (!v) return 'unknown version';
  if (!v.snapshot) return v.text;
  const after = v.release ? `${v.release[0]}.${v.release[1]}+ ` : '';
  const details = [`git snapshot ${v.text}`, v.libavcodec && `libavcodec ${v.libavcodec}`, v.year && String(v.year)];
  return `${after}(${details.filter(Boolean).join(', ')})`;
}

/** A warning when `v` is older than FFMPEG_FLOOR (or unreadable), saying what to do; undefined when it is fine. */
export function floorWarning(tool: 'ffmpeg' | 'ffprobe', v: FfmpegVersion | undefined): string | undefined {
  if (v?.release && compare(v.release, FFMPEG_FLOOR) >= 0) return undefined;
  const floor = FFMPEG_FLOOR.join('.');
  const what = v?.release ? `is older than FFmpeg ${floor}` : 'has a version reenact cannot read';
  const envVar = tool === 'ffmpeg' ? 'REENACT_FFMPEG' : 'REENACT_FFPROBE';
  return (
    `${tool} ${describeVersion(v)} ${what}: its decoders lack years of security fixes, and it reads untrusted footage. ` +
    `Install FFmpeg ${floor} or newer (apt install ffmpeg, brew install ffmpeg, or a current Windows build) — a newer ` +
    `${tool} on PATH is used automatically — or set ${envVar} to one.`
  );
}
