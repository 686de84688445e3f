import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLS } from '../../bridge/src/engines/controls.js';
import { decideFailure, decideFrame, type FrameInputs, frameKey } from '../../bridge/src/pipeline/frame-decision.js';
import { standInFace } from '../engines/meshwarp/fixtures.js';

const face = standInFace();
const base: FrameInputs = {
  keyBase: '0.1.0|src|drv|{"name":"meshwarp"}|hold|0.5',
  sourceIndex: 7,
  face,
  controls: DEFAULT_CONTROLS,
  needsFaces: true,
  policy: 'hold',
  driving: '/clips/take.mov',
};

describe('frameKey', () => {
  it('is stable across versions of the code (a resume keeps the frames an earlier reenact wrote)', () => {
    // Pinned (computed with the frameKey of render.ts before the split): a frame without a face, default controls.
    expect(frameKey(base.keyBase, null, DEFAULT_CONTROLS)).toBe('04230b540c0c3fad');
    expect(frameKey(base.keyBase, null, null, '04230b540c0c3fad')).toBe('34c8e18a5739942b');
  });

  it('changes with the face, the controls and the job', () => {
    const k = frameKey(base.keyBase, face, DEFAULT_CONTROLS);
    expect(frameKey(base.keyBase, standInFace(225), DEFAULT_CONTROLS)).not.toBe(k);
    expect(frameKey(base.keyBase, face, { ...DEFAULT_CONTROLS, mouth: 0.5 })).not.toBe(k);
    expect(frameKey(`${base.keyBase}x`, face, DEFAULT_CONTROLS)).not.toBe(k);
    expect(frameKey(base.keyBase, standInFace(), DEFAULT_CONTROLS)).toBe(k);
  });
});

describe('decideFrame', () => {
  it('renders a frame with a face, or any frame for an engine that needs none', () => {
    expect(decideFrame(base)).toEqual({
      status: 'rendered',
      key: frameKey(base.keyBase, face, DEFAULT_CONTROLS),
      noFace: false,
    });
    expect(decideFrame({ ...base, face: null, needsFaces: false })).toEqual({
      status: 'rendered',
      key: frameKey(base.keyBase, null, DEFAULT_CONTROLS),
      noFace: false,
    });
  });

  it('holds the last good frame without a face (policy hold): the key is the held frame’s, whatever the controls', () => {
    const held = decideFrame({ ...base, face: null, lastGoodKey: 'aaaa' });
    expect(held).toEqual({ status: 'held', key: frameKey(base.keyBase, null, null, 'aaaa'), noFace: true });
    expect(
      decideFrame({ ...base, face: null, lastGoodKey: 'aaaa', controls: { ...DEFAULT_CONTROLS, head: 0 } }),
    ).toEqual(held);
  });

  it('shows the neutral portrait without a face and nothing to hold, or with policy neutral', () => {
    const neutral = { status: 'no-face', key: frameKey(base.keyBase, null, DEFAULT_CONTROLS), noFace: true };
    expect(decideFrame({ ...base, face: null })).toEqual(neutral);
    expect(decideFrame({ ...base, face: null, policy: 'neutral', lastGoodKey: 'aaaa' })).toEqual(neutral);
  });

  it('stops with the frame named under policy fail', () => {
    expect(() => decideFrame({ ...base, face: null, policy: 'fail' })).toThrow(
      'No face in clip frame 7 (/clips/take.mov). Use --on-frame-failure hold to hold the last good frame instead.',
    );
  });
});

describe('decideFailure', () => {
  const failure = { keyBase: base.keyBase, index: 4, key: 'k4', engine: 'fixture', policy: 'hold' as const };
  const err = new Error('out of memory');

  it('holds the last good frame under a key no later run produces', () => {
    expect(decideFailure({ ...failure, lastGoodKey: 'k3' }, err)).toEqual({
      status: 'held',
      key: frameKey(base.keyBase, null, null, 'k3:failed'),
      warning: 'The engine failed on output frame 4 (out of memory); it holds the previous frame.',
    });
  });

  it('shows the neutral portrait with nothing to hold or policy neutral; the key never matches, so a resume retries', () => {
    const neutral = {
      status: 'failed',
      key: 'k4:failed',
      warning: 'The engine failed on output frame 4 (out of memory); it shows the neutral portrait.',
    };
    expect(decideFailure(failure, err)).toEqual(neutral);
    expect(decideFailure({ ...failure, policy: 'neutral', lastGoodKey: 'k3' }, err)).toEqual(neutral);
  });

  it('says what an engine threw even when it is not an Error', () => {
    expect(decideFailure(failure, 'out of memory').warning).toBe(
      'The engine failed on output frame 4 (out of memory); it shows the neutral portrait.',
    );
  });

  it('stops the job under policy fail', () => {
    expect(() => decideFailure({ ...failure, policy: 'fail' }, err)).toThrow(
      expect.objectContaining({
        code: 'ENGINE_FAILED',
        message: 'The fixture engine failed on output frame 4: out of memory',
      }),
    );
  });
});
