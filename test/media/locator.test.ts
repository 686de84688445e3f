import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import { locateFfmpeg } from '../../bridge/src/media/locator.js';
import { tempDir } from '../helpers/media.js';

const dir = tempDir();
function fakeBinary(name: string, mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}
const fakeFfmpeg = fakeBinary('ffmpeg');
/** `ffmpeg -version` of Debian 12's package (first line and libavcodec line). */
const DEBIAN_5_1 =
  'ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2025 the FFmpeg developers\nlibavcodec     59. 37.100 / 59. 37.100';
/**
 * A stand-in for a system ffmpeg that answers what the locator asks: `-version` (the text of a real build) and
 * `-hide_banner -encoders` (lines in ffmpeg's own " V....D name  description" layout).
 */
function fakeSystemFfmpeg(folder: string, version: string, encoders: string[]): void {
  mkdirSync(folder, { recursive: true });
  const list = encoders.map((e) => ` V....D ${e.padEnd(20)} ${e}`).join('\n');
  const file = path.join(folder, 'ffmpeg');
  writeFileSync(
    file,
    `#!/bin/sh\ncase "$1" in\n  -version) printf '%s\\n' '${version.replaceAll('\n', "' '")}' ;;\n  -hide_banner) printf '%s\\n' 'Encoders:' '${list.replaceAll('\n', "' '")}' ;;\n  *) exit 1 ;;\nesac\n`,
  );
  chmodSync(file, 0o755);
}
const fakeFfprobe = fakeBinary('ffprobe');
const notExecutable = fakeBinary('ffmpeg-noexec', 0o644);
const nothing = (id: string): unknown => {
  throw new Error(`no ${id}`);
};
const installers = (id: string): unknown => {
  if (id === '@ffmpeg-installer/ffmpeg') return { path: fakeFfmpeg };
  if (id === '@ffprobe-installer/ffprobe') return { path: fakeFfprobe };
  throw new Error('missing');
};

describe('locateFfmpeg', () => {
  it('prefers the explicit option', () => {
    const found = locateFfmpeg({ ffmpeg: fakeFfmpeg, ffprobe: fakeFfprobe, env: {}, requireModule: nothing });
    expect(found.source).toEqual({ ffmpeg: 'option --ffmpeg', ffprobe: 'option --ffprobe' });
  });
  it('then REENACT_FFMPEG / REENACT_FFPROBE', () => {
    const found = locateFfmpeg({
      env: { REENACT_FFMPEG: fakeFfmpeg, REENACT_FFPROBE: fakeFfprobe },
      requireModule: installers,
    });
    expect(found).toMatchObject({
      ffmpeg: fakeFfmpeg,
      source: { ffmpeg: 'REENACT_FFMPEG', ffprobe: 'REENACT_FFPROBE' },
    });
  });
  it('then ffmpeg-static when installed', () => {
    const req = (id: string): unknown => (id === 'ffmpeg-static' ? fakeFfmpeg : installers(id));
    expect(locateFfmpeg({ env: {}, requireModule: req }).source.ffmpeg).toBe('ffmpeg-static');
  });
  it('passes over an ffmpeg-static installed without its binary (allowScripts denies its download script)', () => {
    const req = (id: string): unknown =>
      id === 'ffmpeg-static' ? path.join(dir, 'never-downloaded', 'ffmpeg') : installers(id);
    expect(locateFfmpeg({ env: {}, requireModule: req }).source.ffmpeg).toBe('@ffmpeg-installer/ffmpeg');
  });
  it('then the @ffmpeg-installer packages', () => {
    const found = locateFfmpeg({ env: {}, requireModule: installers });
    expect(found.source).toEqual({ ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' });
  });
  it('then PATH', () => {
    const found = locateFfmpeg({ env: { PATH: `/nonexistent:${dir}` }, requireModule: nothing });
    expect(found).toMatchObject({
      ffmpeg: fakeFfmpeg,
      ffprobe: fakeFfprobe,
      source: { ffmpeg: 'PATH', ffprobe: 'PATH' },
    });
  });
  it('skips a candidate that is not executable and says so when nothing is left', () => {
    let error: unknown;
    try {
      locateFfmpeg({ env: { REENACT_FFMPEG: notExecutable, PATH: '/nonexistent' }, requireModule: nothing });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReenactError);
    expect((error as ReenactError).code).toBe('MISSING_DEPENDENCY');
    expect((error as ReenactError).message).toBe(
      `Could not find ffmpeg. Tried: REENACT_FFMPEG: ${notExecutable} not executable (EACCES); run chmod +x on it; ` +
        'ffmpeg-static: package not installed; @ffmpeg-installer/ffmpeg: package not installed; PATH: no ffmpeg in any PATH folder. ' +
        'Fix: run "npm ci" in the reenact folder (it installs @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe), ' +
        'install ffmpeg on your PATH, or set REENACT_FFMPEG to the full path of a ffmpeg binary.',
    );
  });
  it('prefers a newer system ffmpeg on PATH over the bundled 2018 one, if it has the encoders reenact runs', () => {
    const bundled = locateFfmpeg({ env: { PATH: '' } });
    const system = path.join(dir, 'system-bin');
    fakeSystemFfmpeg(system, DEBIAN_5_1, ['prores_aw', 'libx264']);
    const found = locateFfmpeg({ env: { PATH: system } });
    expect(found.source).toEqual({ ffmpeg: 'PATH', ffprobe: '@ffprobe-installer/ffprobe' });
    expect(found.ffmpeg).toBe(path.join(system, 'ffmpeg'));
    expect(found.version.ffmpeg).toMatchObject({ release: [5, 1, 9] });
    // One without libx264 (the preview encoder) is not used; nor is one older than the bundled snapshot.
    const lgpl = path.join(dir, 'lgpl-bin');
    fakeSystemFfmpeg(lgpl, DEBIAN_5_1, ['prores_aw']);
    expect(locateFfmpeg({ env: { PATH: lgpl } }).ffmpeg).toBe(bundled.ffmpeg);
    const old = path.join(dir, 'old-bin');
    fakeSystemFfmpeg(
      old,
      'ffmpeg version 4.0.2 Copyright (c) 2000-2018 the FFmpeg developers\nlibavcodec     58. 18.100 / 58. 18.100',
      ['prores_aw', 'libx264'],
    );
    expect(locateFfmpeg({ env: { PATH: old } }).ffmpeg).toBe(bundled.ffmpeg);
    // An explicit choice is never second-guessed.
    expect(locateFfmpeg({ env: { PATH: system, REENACT_FFMPEG: bundled.ffmpeg } }).ffmpeg).toBe(bundled.ffmpeg);
  });
  it('finds the real installed binaries by default', () => {
    const found = locateFfmpeg({ env: { PATH: '' } });
    expect(found.ffmpeg).toContain('ffmpeg');
    expect(found.ffprobe).toContain('ffprobe');
  });
});
