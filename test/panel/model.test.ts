// The panel's pure logic: ranges (from the host's clip frames), the default folder, the job spec, the import
// request, face merging, progress text, and the evalScript wrapper's call text and envelope handling.
import { describe, expect, it } from 'vitest';
import type { LayerInfo } from '../../bridge/src/api/host.js';
import { CreateJobSchema } from '../../bridge/src/api/schema.js';
import { callSource, evalRaw, HostError, parseReply } from '../../panel/src/cep.js';
import { buildSpec, chooseRange, drivingFaces, outputFolder, progressText, timecode } from '../../panel/src/model.js';
import { DEFAULT_SETTINGS, parseSettings } from '../../panel/src/settings.js';
import { createAeSim } from '../host/ae-sim.js';
import { EVAL_SCRIPT_ERROR, loadHost } from '../host/host-realm.js';

const take = {
  id: 5,
  index: 2,
  name: 'take_03.mov',
  kind: 'video',
  sourceFps: { num: 30000, den: 1001 },
  sourceDuration: 361 * (1001 / 30000),
  startTime: 1.5,
  inPoint: 2,
  outPoint: 4,
  stretch: 100,
  range: { start: 0, end: 89 },
  layerRange: { start: 15, end: 74 },
  frameAtTime: 0,
} as LayerInfo;

describe('ranges', () => {
  it('chooses the work area, the layer span (both as the host mapped them) or a custom range', () => {
    expect(chooseRange('workarea', take, { start: 0, end: 0 })).toEqual({ start: 0, end: 89 });
    expect(chooseRange('layer', take, { start: 0, end: 0 })).toEqual({ start: 15, end: 74 });
    expect(() => chooseRange('layer', { ...take, layerRange: null }, { start: 0, end: 0 })).toThrow(
      'The frames of "take_03.mov" do not follow its layer (time remapping). Pick Range ▸ Custom and enter clip frames.',
    );
    expect(chooseRange('custom', take, { start: 10, end: 20 })).toEqual({ start: 10, end: 20 });
    expect(() => chooseRange('custom', take, { start: 20, end: 400 })).toThrow(
      'Expected a custom range within frames 0–360 of "take_03.mov" with start ≤ end but received 20–400.',
    );
    expect(() => chooseRange('workarea', { ...take, range: null }, { start: 0, end: 0 })).toThrow(
      'The work area does not cover "take_03.mov". Move the work area over the clip, or pick Range ▸ Layer.',
    );
  });

  it('puts renders beside the project, on macOS/Linux and Windows paths', () => {
    expect(outputFolder('', '/p/shot.aep', 'head shot.png', 'take:03.mov')).toBe('/p/reenact/head_shot__take_03');
    expect(outputFolder('', 'C:\\p\\shot.aep', 'a.png', 'b.mov')).toBe('C:\\p\\reenact\\a__b');
    expect(outputFolder('', null, 'a', 'b')).toBeUndefined();
    expect(outputFolder('/renders/', null, 'a.png', 'b.mov')).toBe('/renders/a__b');
    expect(outputFolder('D:\\renders', '/p/x.aep', 'a.png', 'b.mov')).toBe('D:\\renders\\a__b');
  });
});

describe('spec and import request', () => {
  it('builds a job spec the bridge accepts', () => {
    const spec = buildSpec({
      source: '/in/a.png',
      driving: '/in/b.mov',
      folder: '/out/x',
      settings: { ...DEFAULT_SETTINGS, format: 'prores', mouth: 0.5, onFrameFailure: 'neutral' },
      range: { start: 3, end: 9 },
      referenceFrame: 4,
      sourceFace: 1,
      drivingFace: 7,
    });
    const parsed = CreateJobSchema.parse(spec);
    expect(parsed.output).toEqual({ dir: '/out/x', format: 'prores', preview: false, force: false });
    expect(parsed.face).toEqual({ source: { by: 'index', index: 1 }, driving: { by: 'id', id: 7 } });
    expect(parsed.controls.mouth).toBe(0.5);
    expect(parsed.range).toEqual({ start: 3, end: 9 });
    expect(parsed.referenceFrame).toBe(4);
    expect(parsed.onFrameFailure).toBe('neutral');
  });
});

describe('faces and text', () => {
  it('merges driving faces by track id, largest sighting, largest first', () => {
    const face = (id: number, w: number) => ({
      index: 0,
      id,
      score: 1,
      box: { x: 0, y: 0, width: w, height: w },
      thumbnail: `${id}:${w}`,
      thumbWidth: 1,
      thumbHeight: 1,
    });
    const merged = drivingFaces({
      path: '/x',
      width: 1,
      height: 1,
      frames: [
        { index: 0, faces: [face(1, 10), face(2, 30)] },
        { index: 5, faces: [face(1, 40)] },
      ],
    });
    expect(merged.map((f) => f.thumbnail)).toEqual(['1:40', '2:30']);
  });

  it('writes progress and timecode the way the UX sketch shows', () => {
    expect(progressText({ stage: 'render', done: 212, total: 361, fps: 24.2, eta: 6.1 })).toBe(
      '212/361 frames · 24 fps · 6 s left',
    );
    expect(progressText({ stage: 'track', done: 1, total: 10, fps: 0, eta: null })).toBe('tracking 1/10 frames');
    expect(progressText({ stage: 'render', done: 5, total: 900, fps: 4.16, eta: 125 })).toBe(
      '5/900 frames · 4.2 fps · 2 min 5 s left',
    );
    expect(timecode(12 + 4 / 30, { num: 30000, den: 1001 })).toBe('0:00:12:04');
    expect(timecode(17.25, { num: 20, den: 1 })).toBe('0:00:17:05');
  });

  it('keeps stored settings only where their types match the defaults', () => {
    expect(parseSettings('{"intensity": 0.5, "format": 3, "open": {"output": true}, "junk": 1}')).toEqual({
      ...DEFAULT_SETTINGS,
      intensity: 0.5,
      open: { motion: true, output: true, engine: false },
    });
    expect(parseSettings('not json')).toEqual(DEFAULT_SETTINGS);
  });
});

describe('evalScript wrapper', () => {
  it('writes each call as one reenact verb with literal arguments', () => {
    expect(callSource('pickInputs', [])).toBe('reenact.pickInputs()');
    expect(callSource('exportStill', [3, null])).toBe('reenact.exportStill(3,null)');
    expect(callSource('importResult', [{ file: 'C:\\a "b".png' }])).toBe(
      'reenact.importResult("{\\"file\\":\\"C:\\\\\\\\a \\\\\\"b\\\\\\".png\\"}")',
    );
  });

  it('escapes U+2028 and U+2029, which end a line in ExtendScript (ES3) and would break the call', () => {
    // A path may hold them (file names are Unicode); JSON.stringify leaves them raw.
    const odd = '/renders/a\u2028b\u2029c';
    const script = callSource('describeLayer', [odd]);
    expect(script).toBe('reenact.describeLayer("/renders/a\\u2028b\\u2029c")');
    const host = loadHost(createAeSim());
    expect(JSON.parse(host.evalScript(script))).toEqual({
      ok: false,
      error: {
        code: 'BAD_ARGUMENT',
        message: `Expected a number for layer id but received "${odd}".`,
      },
    });
    const nested = callSource('importResult', [{ file: odd }]);
    expect(host.evalScript(nested)).not.toBe(EVAL_SCRIPT_ERROR);
  });

  it('turns envelopes into values or HostErrors', () => {
    expect(parseReply('reenact.x()', '{"ok":true,"value":{"a":1}}')).toEqual({ a: 1 });
    const fail = () =>
      parseReply('reenact.pickInputs()', '{"ok":false,"error":{"code":"NO_COMP","message":"No active composition."}}');
    expect(fail).toThrow(HostError);
    expect(fail).toThrow('No active composition.');
    expect(() => parseReply('reenact.pickInputs()', 'EvalScript error.')).toThrow(
      'After Effects could not run reenact.pickInputs: the reenact host script is not loaded. Close and reopen the panel (Window ▸ Extensions ▸ reenact).',
    );
  });

  it('never blocks: resolves when AE answers, rejects after the timeout', async () => {
    const host = {
      evalScript: (_s: string, cb: (r: string) => void) => setTimeout(() => cb('late'), 50),
      getHostEnvironment: () => '{}',
      getSystemPath: () => '',
      addEventListener: () => {},
    };
    await expect(evalRaw('reenact.x()', 1000, host)).resolves.toBe('late');
    await expect(evalRaw('reenact.slow()', 10, host)).rejects.toThrow(
      'After Effects did not answer reenact.slow within 0.01 s.',
    );
  });
});
