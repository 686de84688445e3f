/**
 * Which FFmpeg a binary is (issue #19 item 11): the `-version` texts of real builds — the two bundled binaries run
 * here, the rest as their builds print them — placed on the release line, and the warning below FFmpeg 5.1.
 */
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  describeVersion,
  floorWarning,
  parseFfmpegVersion,
  readFfmpegVersion,
} from '../../bridge/src/media/ffmpeg-version.js';
import { locateFfmpeg } from '../../bridge/src/media/locator.js';

/** First line and libavcodec line of `ffmpeg -version` as each build prints it. */
const builds = {
  // Debian 12 (bookworm) package ffmpeg 7:5.1.x
  debian:
    'ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2025 the FFmpeg developers\nlibavcodec     59. 37.100 / 59. 37.100\n',
  // A release tarball built by hand, as Homebrew's formula does
  release:
    'ffmpeg version 7.1.1 Copyright (c) 2000-2025 the FFmpeg developers\nlibavcodec     61. 19.101 / 61. 19.101\n',
  // A build from a release tag (n7.0.2)
  tag: 'ffmpeg version n7.0.2 Copyright (c) 2000-2024 the FFmpeg developers\nlibavcodec     61.  3.100 / 61.  3.100\n',
  // A Windows "git essentials" build: a dated master snapshot
  gitWindows:
    'ffmpeg version 2025-01-20-git-504df09c34-essentials_build-www.gyan.dev Copyright (c) 2000-2025 the FFmpeg developers\nlibavcodec     61. 31.100 / 61. 31.100\n',
  // Ubuntu 22.04's package
  ubuntu:
    'ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers\nlibavcodec     58.134.100 / 58.134.100\n',
};

describe('parseFfmpegVersion', () => {
  it('reads the bundled binaries: a 2018 snapshot after 4.1 and a 2023 snapshot after 6.0', () => {
    const { ffmpeg, ffprobe } = locateFfmpeg({ env: { PATH: '' } });
    const a = readFfmpegVersion(ffmpeg);
    expect(a).toEqual({
      text: 'N-47683-g0e8eb07980-static',
      release: [4, 1, 0],
      snapshot: true,
      libavcodec: '58.42.100',
      year: 2018,
    });
    expect(describeVersion(a)).toBe('4.1+ (git snapshot N-47683-g0e8eb07980-static, libavcodec 58.42.100, 2018)');
    const b = readFfmpegVersion(ffprobe);
    expect(b).toMatchObject({ release: [6, 0, 0], snapshot: true, libavcodec: '60.22.100', year: 2023 });
  });

  it('reads release numbers, tags and dated snapshots', () => {
    expect(parseFfmpegVersion(builds.debian)).toMatchObject({
      text: '5.1.9-0+deb12u1',
      release: [5, 1, 9],
      snapshot: false,
    });
    expect(parseFfmpegVersion(builds.release)).toMatchObject({ release: [7, 1, 1], snapshot: false, year: 2025 });
    expect(parseFfmpegVersion(builds.tag)).toMatchObject({ release: [7, 0, 2], snapshot: false });
    expect(parseFfmpegVersion(builds.gitWindows)).toMatchObject({
      release: [7, 1, 0],
      snapshot: true,
      libavcodec: '61.31.100',
    });
    expect(parseFfmpegVersion(builds.ubuntu)).toMatchObject({ release: [4, 4, 2] });
    expect(parseFfmpegVersion('not ffmpeg at all')).toBeUndefined();
  });

  it('orders versions, snapshots after the release they follow, unreadable ones first', () => {
    const v = (k: keyof typeof builds) => parseFfmpegVersion(builds[k]);
    const sorted = (['gitWindows', 'ubuntu', 'release', 'debian', 'tag'] as const)
      .map((k) => ({ k, v: v(k) }))
      .sort((a, b) => compareVersions(a.v, b.v))
      .map((x) => x.k);
    expect(sorted).toEqual(['ubuntu', 'debian', 'tag', 'release', 'gitWindows']);
    expect(compareVersions(undefined, v('ubuntu'))).toBeLessThan(0);
  });

  it('warns below FFmpeg 5.1 and for an unreadable version, saying what to do', () => {
    expect(floorWarning('ffmpeg', parseFfmpegVersion(builds.debian))).toBeUndefined();
    expect(floorWarning('ffmpeg', parseFfmpegVersion(builds.ubuntu))).toBe(
      'ffmpeg 4.4.2-0ubuntu0.22.04.1 is older than FFmpeg 5.1: its decoders lack years of security fixes, and it reads untrusted footage. ' +
        'Install FFmpeg 5.1 or newer (apt install ffmpeg, brew install ffmpeg, or a current Windows build) — a newer ffmpeg on PATH is used automatically — or set REENACT_FFMPEG to one.',
    );
    expect(floorWarning('ffprobe', undefined)).toMatch(
      /^ffprobe unknown version has a version reenact cannot read: .* or set REENACT_FFPROBE to one\.$/,
    );
  });
});
