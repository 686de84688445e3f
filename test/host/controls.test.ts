// AE-native controls (issue 11): Expression Controls added once, sampled per output frame at the right comp times
// (29.97 comp, layer with a start offset, expressions evaluated), and the "reenact neutral" marker.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AddControlsResult, NeutralMarkerResult, SampleControlsResult } from '../../bridge/src/api/host.js';
import { CONTROL_NAMES, NEUTRAL_MARKER_COMMENT } from '../../bridge/src/api/host.js';
import { FrameControlsSchema } from '../../bridge/src/engines/controls.js';
import { ControlCurvesSchema } from '../../bridge/src/pipeline/spec.js';
import { ROOT } from '../../scripts/build-host.js';
import type { SimGroup, SimLayer, SimProperty } from './ae-sim.js';
import { makeScene, NTSC, type Scene } from './scene.js';

let s: Scene;
beforeEach(() => {
  s = makeScene();
});

const FRAME = 1001 / 30000;
function control(layer: SimLayer, name: string): SimProperty {
  const fx = layer.Effects.property(name) as SimGroup;
  return fx.property(1) as SimProperty;
}

describe('addControls', () => {
  it('adds the "reenact controls" set once, in one undo group, and is idempotent', () => {
    const a = s.host.value<AddControlsResult>(`reenact.addControls(${s.still.id})`);
    expect(a).toEqual({ layer: 1, added: Object.values(CONTROL_NAMES), existing: [] });
    const fx = s.still.Effects;
    expect(fx.members.map((m) => [m.name, m.matchName])).toEqual([
      ['reenact intensity', 'ADBE Slider Control'],
      ['reenact head', 'ADBE Slider Control'],
      ['reenact brows', 'ADBE Slider Control'],
      ['reenact eyes', 'ADBE Slider Control'],
      ['reenact mouth', 'ADBE Slider Control'],
      ['reenact blink', 'ADBE Slider Control'],
      ['reenact smoothing', 'ADBE Slider Control'],
      ['reenact gaze left', 'ADBE Point Control'],
      ['reenact gaze right', 'ADBE Point Control'],
      ['reenact hold pose', 'ADBE Checkbox Control'],
    ]);
    expect(control(s.still, 'reenact mouth').raw).toBe(100);
    expect(control(s.still, 'reenact smoothing').raw).toBe(50);
    expect(control(s.still, 'reenact gaze left').raw).toEqual([0, 0]);
    expect(control(s.still, 'reenact hold pose').raw).toBe(0);

    expect(s.sim.mutationsOutsideUndo()).toEqual([]);
    control(s.still, 'reenact mouth').setValue(40); // the artist's value survives a second add
    s.sim.state.mutations.length = 0;
    const b = s.host.value<AddControlsResult>(`reenact.addControls(${s.still.id})`);
    expect(b).toEqual({ layer: 1, added: [], existing: Object.values(CONTROL_NAMES) });
    expect(fx.numProperties).toBe(10);
    expect(control(s.still, 'reenact mouth').raw).toBe(40);
    expect(s.sim.state.undoGroups).toEqual(['reenact: add controls', 'reenact: add controls']);
    expect(s.sim.mutationsOutsideUndo()).toEqual([]);
  });

  it('re-adds only a control the artist deleted', () => {
    s.host.value(`reenact.addControls(${s.still.id})`);
    (s.still.Effects.property('reenact blink') as SimGroup).remove();
    const b = s.host.value<AddControlsResult>(`reenact.addControls(${s.still.id})`);
    expect(b.added).toEqual(['reenact blink']);
    expect(s.still.Effects.numProperties).toBe(10);
  });

  it('fails on a camera layer and on a missing layer', () => {
    const cam = s.sim.addLayer(s.comp, 'camera', { name: 'Cam' });
    expect(s.host.call(`reenact.addControls(${cam.id})`)).toEqual({
      ok: false,
      error: {
        code: 'WRONG_SELECTION',
        message: 'Layer "Cam" cannot hold effects. Choose an image, video or comp layer.',
      },
    });
    expect(s.host.call('reenact.addControls(999)')).toEqual({
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message:
          'The controls layer (layer id 999) is no longer in the project: it was deleted, or another project is open. Select it again (Use selected) and try again.',
      },
    });
  });
});

describe('sampleControls', () => {
  // The result layer sits at 2 s in a 29.97 comp; output frame k is at comp time 2 + k·1001/30000.
  function setup(): SimLayer {
    s.still.startTime = 2;
    s.host.value(`reenact.addControls(${s.still.id})`);
    const mouth = control(s.still, 'reenact mouth');
    mouth.setValueAtTime(2, 100);
    mouth.setValueAtTime(2 + 10 * FRAME, 0);
    mouth.setValueAtTime(2 + 20 * FRAME, 50);
    control(s.still, 'reenact intensity').setExpression('time * 10', (t) => t * 10);
    const gaze = control(s.still, 'reenact gaze left');
    gaze.setValueAtTime(2, [0, 0]);
    gaze.setValueAtTime(2 + 29 * FRAME, [29, -14.5]);
    const hold = control(s.still, 'reenact hold pose');
    hold.setValueAtTime(2, 0);
    hold.setValueAtTime(2 + 5 * FRAME, 1);
    control(s.still, 'reenact smoothing').setValue(80);
    return s.still;
  }

  it('samples every control once per frame at comp times of a 29.97 comp with a start offset', () => {
    setup();
    s.sim.state.mutations.length = 0;
    const v = s.host.value<SampleControlsResult>(`reenact.sampleControls(${s.still.id}, null, 30, 30000, 1001)`);
    const f = v.curves.frames;
    expect(v.curves.start).toBe(0);
    expect(f).toHaveLength(30);
    for (let k = 0; k < 30; k++) {
      const t = 2 + (k * 1001) / 30000;
      expect(f[k].intensity).toBeCloseTo(t / 10, 12); // the expression saw the exact comp time
      const mouth = k <= 10 ? 1 - k / 10 : k <= 20 ? ((k - 10) / 10) * 0.5 : 0.5;
      expect(f[k].mouth).toBeCloseTo(mouth, 9);
      expect(f[k].gazeLeft[0]).toBeCloseTo(k / 100, 9);
      expect(f[k].gazeLeft[1]).toBeCloseTo(-k / 200, 9);
      expect(f[k].gazeRight).toEqual([0, 0]);
      expect(f[k].holdPose).toBe(k >= 5);
      expect(f[k].head).toBe(1);
    }
    expect(v.smoothing).toBe(0.8);
    expect(v.warnings).toEqual([]);
    expect(ControlCurvesSchema.parse(v.curves).frames[10]).toEqual(FrameControlsSchema.parse(f[10]));
    expect(s.sim.state.mutations).toEqual([]); // sampling changes nothing
  });

  it('honours an explicit start time and a 25 fps output', () => {
    setup();
    const v = s.host.value<SampleControlsResult>(`reenact.sampleControls(${s.still.id}, 0.5, 4, 25, 1)`);
    expect(v.curves.frames.map((fr) => fr.intensity)).toEqual(
      [0.05, 0.054, 0.058, 0.062].map((x) => expect.closeTo(x, 12)),
    );
    expect(v.curves.frames.map((fr) => fr.mouth)).toEqual([1, 1, 1, 1]); // before the first key
  });

  it('clamps gains to 0–400 % with one warning per control, and warns on animated smoothing', () => {
    setup();
    control(s.still, 'reenact brows').setValue(650);
    const sm = control(s.still, 'reenact smoothing');
    sm.setValueAtTime(0, 20);
    sm.setValueAtTime(10, 90);
    const v = s.host.value<SampleControlsResult>(`reenact.sampleControls(${s.still.id}, null, 3, 30000, 1001)`);
    expect(v.curves.frames.map((fr) => fr.brows)).toEqual([4, 4, 4]);
    expect(v.smoothing).toBeCloseTo(0.34, 12);
    expect(v.warnings).toEqual([
      '"reenact brows" goes outside 0-400%: clamped.',
      '"reenact smoothing" is animated: the value at the first frame is used for the whole render.',
    ]);
  });

  it('uses defaults for deleted controls and fails when there are none', () => {
    setup();
    (s.still.Effects.property('reenact eyes') as SimGroup).remove();
    const v = s.host.value<SampleControlsResult>(`reenact.sampleControls(${s.still.id}, null, 1, 30000, 1001)`);
    expect(v.curves.frames[0].eyes).toBe(1);
    expect(v.warnings).toEqual(['"reenact eyes" is missing: its default is used.']);
    expect(s.host.call(`reenact.sampleControls(${s.take.id}, null, 1, 30000, 1001)`)).toEqual({
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message: 'Layer "take_03.mov" has no reenact controls. Add them from the panel (Add controls) first.',
      },
    });
  });

  it.each([
    [
      'reenact.sampleControls(ID, null, 0, 30000, 1001)',
      'Expected a whole number of at least 1 for frameCount but received 0.',
    ],
    [
      'reenact.sampleControls(ID, null, 5, 29.97, 1)',
      'Expected a positive frame rate like 30000/1001 for the output frame rate but received 29.97/1.',
    ],
    ['reenact.sampleControls(ID, "x", 5, 30, 1)', 'Expected a number for startTime but received "x".'],
  ])('%s → BAD_ARGUMENT', (call, message) => {
    setup();
    expect(s.host.call(call.replace('ID', String(s.still.id)))).toEqual({
      ok: false,
      error: { code: 'BAD_ARGUMENT', message },
    });
  });
});

describe('readNeutralMarker', () => {
  const marker = (layer: SimLayer, time: number, comment: string) =>
    layer.marker.setValueAtTime(time, new s.sim.classes.MarkerValue(comment));

  it('finds the "reenact neutral" marker and gives its clip frame', () => {
    marker(s.take, 1.6, 'cut here');
    marker(s.take, 1.5 + 12 * FRAME, '  Reenact Neutral ');
    const v = s.host.value<NeutralMarkerResult>(`reenact.readNeutralMarker(${s.take.id})`);
    expect(v.time).toBeCloseTo(1.5 + 12 * FRAME, 12);
    expect(v.layerTime).toBeCloseTo(12 * FRAME, 12);
    expect(v.frame).toBe(12);
  });

  it('accounts for time stretch, and answers null without a marker', () => {
    expect(s.host.value(`reenact.readNeutralMarker(${s.take.id})`)).toBeNull();
    s.take.stretch = 200;
    marker(s.take, 1.5 + 2 * 12 * FRAME, NEUTRAL_MARKER_COMMENT);
    expect(s.host.value<NeutralMarkerResult>(`reenact.readNeutralMarker(${s.take.id})`).frame).toBe(12);
    expect(NTSC).toBeCloseTo(29.97, 2);
  });

  it('setNeutralMarker moves the one neutral marker to the current time, in one undo group', () => {
    marker(s.take, 1.6, 'cut here');
    marker(s.take, 2, NEUTRAL_MARKER_COMMENT);
    s.comp.time = 1.5 + 30 * FRAME;
    const v = s.host.value<NeutralMarkerResult>(`reenact.setNeutralMarker(${s.take.id})`);
    expect(v.frame).toBe(30);
    expect(s.take.marker.keys.map((k) => [k.time, (k.value as { comment: string }).comment])).toEqual([
      [1.6, 'cut here'],
      [1.5 + 30 * FRAME, NEUTRAL_MARKER_COMMENT],
    ]);
    expect(s.sim.state.undoGroups).toEqual(['reenact: set neutral frame']);
    expect(s.sim.mutationsOutsideUndo().filter((m) => !m.startsWith('setValueAtTime Marker'))).toEqual([]);
  });
});

describe('hostInfo', () => {
  it('reports the host script version and AE version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(s.host.value('reenact.hostInfo()')).toEqual({ version, appVersion: '25.2x14', project: null });
  });
});
