// The panel's importResult argument (the panel imports this module), built from a render manifest: file of output
// frame 0, rate as a rational string, the driving frame it shows; incomplete renders refused.
import { describe, expect, it } from 'vitest';
import { frameFileName, importRequestFromManifest } from '../../bridge/src/api/import-request.js';

const base = {
  format: 'png' as const,
  output: 'frames/frame_%05d.png',
  fps: '30000/1001',
  firstFrame: 0,
  complete: true,
  frames: [
    { index: 0, sourceIndex: 12, status: 'rendered' as const, key: '0f1e2d3c4b5a6978' },
    { index: 1, sourceIndex: 13, status: 'rendered' as const, key: '8796a5b4c3d2e1f0' },
  ],
};

describe('importRequestFromManifest', () => {
  it('points at the first PNG and carries the driving frame of output frame 0', () => {
    expect(
      importRequestFromManifest(base, '/renders/take_03/reenact.json', { stillLayerId: 5, drivingLayerId: 6 }),
    ).toEqual({
      file: '/renders/take_03/frames/frame_00000.png',
      format: 'png',
      fps: '30000/1001',
      stillLayerId: 5,
      drivingLayerId: 6,
      firstFrame: 12,
    });
  });

  it('points at the movie for ProRes', () => {
    const r = importRequestFromManifest({ ...base, format: 'prores', output: 'take_03.mov' }, '/r/reenact.json', {
      stillLayerId: 1,
    });
    expect(r).toMatchObject({ file: '/r/take_03.mov', format: 'prores', drivingLayerId: null });
  });

  it('keeps the separator of a Windows bridge path (the panel may run on another OS)', () => {
    expect(importRequestFromManifest(base, 'C:\\renders\\take_03\\reenact.json', { stillLayerId: 1 }).file).toBe(
      'C:\\renders\\take_03\\frames\\frame_00000.png',
    );
  });

  it('refuses an incomplete render', () => {
    expect(() =>
      importRequestFromManifest({ ...base, complete: false }, '/r/reenact.json', { stillLayerId: 1 }),
    ).toThrow('The render in /r/reenact.json is not complete (2 frames). Finish or resume it before importing.');
  });

  it('fills printf frame patterns', () => {
    expect(frameFileName('frame_%05d.png', 7)).toBe('frame_00007.png');
    expect(frameFileName('f%d.png', 7)).toBe('f7.png');
    expect(() => frameFileName('frame.png', 1)).toThrow(
      'Expected a frame pattern like "frame_%05d.png" but received "frame.png".',
    );
  });
});
