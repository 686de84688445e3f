import { chmodSync, writeFileSync } from 'node:fs';
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
  it('finds the real installed binaries by default', () => {
    const found = locateFfmpeg({ env: { PATH: '' } });
    expect(found.ffmpeg).toContain('ffmpeg');
    expect(found.ffprobe).toContain('ffprobe');
  });
});
