// getSelection / pickInputs / listBatchLayers on the simulated DOM: exact JSON for a known scene, and every
// selection error as an {ok:false} envelope with its message.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BatchLayersResult, LayerInfo, PickInputsResult, SelectionResult } from '../../bridge/src/api/host.js';
import type { SimAVLayer, SimFileSource } from './ae-sim.js';
import { makeScene, type Scene } from './scene.js';

let s: Scene;
beforeEach(() => {
  s = makeScene();
});

describe('getSelection', () => {
  it('describes the active comp and the selected layers', () => {
    s.still.selected = true;
    s.take.selected = true;
    const v = s.host.value<SelectionResult>('reenact.getSelection()');
    expect(v.comp).toEqual({
      id: s.comp.id,
      name: 'Shot 010',
      width: 1920,
      height: 1080,
      pixelAspect: 1,
      fps: { num: 30000, den: 1001 },
      duration: 20,
      time: 0,
      displayStartTime: 0,
      workArea: { start: 0, duration: 20 },
    });
    expect(v.layers.map((l) => [l.index, l.name, l.kind])).toEqual([
      [1, 'headshot.png', 'still'],
      [2, 'take_03.mov', 'video'],
    ]);
    const still: LayerInfo = {
      index: 1,
      id: s.still.id,
      name: 'headshot.png',
      kind: 'still',
      file: s.stillFile,
      width: 64,
      height: 64,
      sourceFps: null,
      sourceDuration: null,
      layerRange: null,
      frameAtTime: null,
      inPoint: 0,
      outPoint: 20,
      startTime: 0,
      stretch: 100,
      timeRemap: false,
      enabled: true,
      effects: 0,
      masks: 0,
      needsExport: false,
      transform: { anchorPoint: [32, 32], position: [32, 32], scale: [100, 100], rotation: 0, opacity: 100 },
      problem: null,
    };
    expect(v.layers[0]).toEqual(still);
    expect(v.layers[1]).toMatchObject({
      kind: 'video',
      file: s.takeFile,
      sourceFps: { num: 30000, den: 1001 },
      startTime: 1.5,
      inPoint: 1.5,
      needsExport: false,
      layerRange: { start: 0, end: 360 },
      frameAtTime: 0,
    });
    expect(v.layers[1].sourceDuration).toBeCloseTo(361 / (30000 / 1001), 9);
  });

  it('classifies text, shape, comp, solid and camera layers; comps and text need a PNG export', () => {
    const pre = s.sim.addComp({ name: 'Face precomp', width: 512, height: 512 });
    for (const l of [
      s.sim.addLayer(s.comp, 'text', { name: 'Title' }),
      s.sim.addLayer(s.comp, 'shape', { name: 'Mask shape' }),
      s.sim.addLayer(s.comp, pre),
      s.sim.addLayer(s.comp, 'camera', { name: 'Cam' }),
    ])
      l.selected = true;
    s.bg.selected = true;
    const v = s.host.value<SelectionResult>('reenact.getSelection()');
    expect(v.layers.map((l) => [l.name, l.kind, l.needsExport, l.problem?.code ?? null])).toEqual([
      ['Cam', 'camera', false, 'WRONG_SELECTION'],
      ['Face precomp', 'comp', true, null],
      ['Mask shape', 'shape', true, null],
      ['Title', 'text', true, null],
      ['BG', 'solid', false, null],
    ]);
  });

  it('marks a still with effects as needing export', () => {
    s.still.Effects.addProperty('ADBE Gaussian Blur 2');
    s.still.selected = true;
    const v = s.host.value<SelectionResult>('reenact.getSelection()');
    expect(v.layers[0]).toMatchObject({ effects: 1, needsExport: true });
  });

  it('returns an empty layer list when nothing is selected (the panel shows the comp)', () => {
    expect(s.host.value<SelectionResult>('reenact.getSelection()').layers).toEqual([]);
  });

  it('fails with NO_COMP when no composition is active', () => {
    s.sim.selectInProject(s.stillItem);
    expect(s.host.call('reenact.getSelection()')).toEqual({
      ok: false,
      error: {
        code: 'NO_COMP',
        message: 'No active composition. Open the composition in the Timeline panel (click its tab) and try again.',
      },
    });
    s.sim.selectInProject(s.comp, s.stillItem); // several items selected: activeItem is null
    expect(s.host.call('reenact.getSelection()').ok).toBe(false);
  });

  it('reports offline footage and footage without a file per layer', () => {
    const gone = s.sim.addFootage({
      file: join(s.dir, 'gone.mov'),
      width: 10,
      height: 10,
      fps: 24,
      frames: 5,
      missing: true,
    });
    const nofile = s.sim.addFootage({
      file: 'x',
      name: 'Generated',
      width: 10,
      height: 10,
      fps: 24,
      frames: 5,
      noFile: true,
    });
    s.sim.addLayer(s.comp, gone, { selected: true });
    s.sim.addLayer(s.comp, nofile, { selected: true });
    const v = s.host.value<SelectionResult>('reenact.getSelection()');
    expect(v.layers[0].problem).toEqual({
      code: 'NO_FILE',
      message:
        'Layer "Generated" has no footage file on disk. Replace it with an image or movie file, or precompose it so reenact can render it.',
    });
    expect(v.layers[1].problem).toEqual({
      code: 'OFFLINE_FOOTAGE',
      message: `The footage of layer "gone.mov" is offline (${join(s.dir, 'gone.mov')}). Relink it (File > Replace Footage > File) and try again.`,
    });
    expect(v.layers[1].file).toBe(join(s.dir, 'gone.mov'));
  });
});

describe('pickInputs', () => {
  it('fills portrait and performance from a two-layer selection, with the work area as clip frames', () => {
    s.still.selected = true;
    s.take.selected = true;
    s.comp.workAreaStart = 2;
    s.comp.workAreaDuration = 1;
    const v = s.host.value<PickInputsResult>('reenact.pickInputs()');
    expect(v.portrait?.name).toBe('headshot.png');
    expect(v.performance?.name).toBe('take_03.mov');
    // comp 2 s … 3 s, clip starts at 1.5 s: clip time 0.5 … 1.5 s = frames 15 (0.5005 s) … 44 at 29.97
    expect(v.performance?.range).toEqual({ start: 15, end: 44 });
  });

  it('leaves the range open for time-remapped and reversed clips, and halves it for 200 % stretch', () => {
    s.take.selected = true;
    s.comp.workAreaStart = 2;
    s.comp.workAreaDuration = 1;
    s.take.stretch = 200;
    expect(s.host.value<PickInputsResult>('reenact.pickInputs()').performance?.range).toEqual({ start: 8, end: 22 });
    s.take.stretch = -100;
    expect(s.host.value<PickInputsResult>('reenact.pickInputs()').performance?.range).toBeNull();
    s.take.stretch = 100;
    (s.take as SimAVLayer).timeRemapEnabled = true;
    expect(s.host.value<PickInputsResult>('reenact.pickInputs()').performance?.range).toBeNull();
  });

  it('accepts a single layer (one slot filled)', () => {
    s.take.selected = true;
    const v = s.host.value<PickInputsResult>('reenact.pickInputs()');
    expect(v.portrait).toBeNull();
    expect(v.performance?.range).toEqual({ start: 0, end: 360 });
  });

  const cases: [string, (sc: Scene) => void, string, string][] = [
    [
      'nothing selected',
      () => undefined,
      'NO_SELECTION',
      'Nothing is selected in "Shot 010". Select the portrait layer and the performance clip layer in the Timeline panel, then try again.',
    ],
    [
      'a camera',
      (sc) => {
        sc.sim.addLayer(sc.comp, 'camera', { name: 'Cam', selected: true });
      },
      'WRONG_SELECTION',
      'Layer "Cam" is a camera layer. Select a still image or a layer with a face, and a video clip of the performance.',
    ],
    [
      'a solid',
      (sc) => {
        sc.bg.selected = true;
      },
      'WRONG_SELECTION',
      'Layer "BG" is a solid layer, which has no face to use. Select a still image (or a comp, text or shape layer) and a video clip of the performance.',
    ],
    [
      'two stills',
      (sc) => {
        sc.still.selected = true;
        sc.sim.addLayer(sc.comp, sc.stillItem, { name: 'copy', selected: true });
      },
      'WRONG_SELECTION',
      'Expected one portrait layer but 2 are selected: "copy", "headshot.png". Select one still and at most one performance clip.',
    ],
    [
      'two clips',
      (sc) => {
        sc.take.selected = true;
        sc.sim.addLayer(sc.comp, sc.takeItem, { name: 'take b', selected: true });
      },
      'WRONG_SELECTION',
      'Expected one performance clip but 2 are selected: "take b", "take_03.mov". Select one video layer and at most one still.',
    ],
    [
      'an offline clip',
      (sc) => {
        sc.takeItem.footageMissing = true;
        (sc.takeItem.mainSource as SimFileSource).missingFootagePath = '/media/take_03.mov';
        sc.take.selected = true;
      },
      'OFFLINE_FOOTAGE',
      'The footage of layer "take_03.mov" is offline (/media/take_03.mov). Relink it (File > Replace Footage > File) and try again.',
    ],
  ];
  it.each(cases)('fails clearly for %s', (_name, setup, code, message) => {
    setup(s);
    expect(s.host.call('reenact.pickInputs()')).toEqual({ ok: false, error: { code, message } });
  });
});

describe('listBatchLayers', () => {
  it('pairs one clip with each selected portrait in the active comp', () => {
    const second = s.sim.addLayer(s.comp, s.stillItem, { name: 'headshot B', selected: true });
    s.still.selected = true;
    s.take.selected = true;
    const v = s.host.value<BatchLayersResult>('reenact.listBatchLayers()');
    expect(v.entries.map((e) => [e.portrait.name, e.performance.name, e.comp.name])).toEqual([
      ['headshot B', 'take_03.mov', 'Shot 010'],
      ['headshot.png', 'take_03.mov', 'Shot 010'],
    ]);
    expect(v.entries[0].portrait.index).toBe(second.index);
    expect(v.entries[0].range).toEqual({ start: 0, end: 360 });
  });

  it('uses comps selected in the Project panel and skips those without a pair', () => {
    const other = s.sim.addComp({ name: 'Shot 020' });
    s.sim.addLayer(other, s.stillItem);
    s.sim.selectInProject(s.comp, other, s.stillItem);
    const v = s.host.value<BatchLayersResult>('reenact.listBatchLayers()');
    expect(v.entries.map((e) => [e.comp.name, e.portrait.name, e.performance.name])).toEqual([
      ['Shot 010', 'headshot.png', 'take_03.mov'],
    ]);
    expect(v.skipped).toEqual([
      {
        name: 'Shot 020',
        reason: 'Comp "Shot 020" needs an enabled still layer and an enabled video layer; found no video layer.',
      },
    ]);
  });

  it('fails when there is nothing to queue, and when counts cannot be paired', () => {
    s.sim.openComp(null);
    expect(s.host.call('reenact.listBatchLayers()')).toEqual({
      ok: false,
      error: {
        code: 'NO_SELECTION',
        message: 'Nothing to queue. Select layers in the active comp, or comps in the Project panel, then try again.',
      },
    });
    s.sim.openComp(s.comp);
    s.still.selected = true;
    s.sim.addLayer(s.comp, s.stillItem, { name: 'B', selected: true });
    s.take.selected = true;
    s.sim.addLayer(s.comp, s.takeItem, { name: 'take b', selected: true });
    s.sim.addLayer(s.comp, s.takeItem, { name: 'take c', selected: true });
    const r = s.host.call('reenact.listBatchLayers()');
    expect(r.ok || r.error).toEqual({
      code: 'WRONG_SELECTION',
      message:
        'Cannot pair 2 portraits with 3 performance clips. Select one portrait with several clips, one clip with several portraits, or equal numbers (paired in the order you selected them).',
    });
  });
});

// The host is the one place comp time maps to clip frames (20-describe.jsx); the panel shows and sends what it says.
describe('comp time ↔ clip frames (describeLayer)', () => {
  type Row = {
    layer: { startTime: number; stretch: number; inPoint?: number; outPoint?: number; timeRemap?: boolean };
    time: number;
    workArea: [number, number];
    expected: Pick<LayerInfo, 'range' | 'layerRange' | 'frameAtTime'>;
  };
  // The 29.97 fps take has 361 frames (12.045 s).
  const rows: [string, Row][] = [
    [
      'plain',
      {
        layer: { startTime: 1.5, stretch: 100 },
        time: 2,
        workArea: [0, 20],
        expected: { range: { start: 0, end: 360 }, layerRange: { start: 0, end: 360 }, frameAtTime: 14 },
      },
    ],
    [
      'stretched 200 %',
      {
        layer: { startTime: 1, stretch: 200 },
        time: 2,
        workArea: [2, 1],
        expected: { range: { start: 15, end: 29 }, layerRange: { start: 0, end: 360 }, frameAtTime: 14 },
      },
    ],
    [
      'sped up 50 %',
      {
        layer: { startTime: 0, stretch: 50 },
        time: 1,
        workArea: [1, 0.5],
        expected: { range: { start: 60, end: 89 }, layerRange: { start: 0, end: 360 }, frameAtTime: 59 },
      },
    ],
    [
      'reversed (frame 0 at the right end)',
      {
        layer: { startTime: 14, stretch: -100 },
        time: 13,
        workArea: [12, 1],
        expected: { range: { start: 30, end: 59 }, layerRange: { start: 0, end: 360 }, frameAtTime: 29 },
      },
    ],
    [
      'trimmed in and out',
      {
        layer: { startTime: 1.5, stretch: 100, inPoint: 2.5, outPoint: 4 },
        time: 3,
        workArea: [0, 20],
        expected: { range: { start: 0, end: 360 }, layerRange: { start: 30, end: 74 }, frameAtTime: 44 },
      },
    ],
    [
      'work area past the clip, time after it',
      {
        layer: { startTime: 1.5, stretch: 100 },
        time: 19,
        workArea: [15, 5],
        expected: { range: null, layerRange: { start: 0, end: 360 }, frameAtTime: 360 },
      },
    ],
    [
      'time-remapped',
      {
        layer: { startTime: 1.5, stretch: 100, timeRemap: true },
        time: 0,
        workArea: [0, 20],
        expected: { range: null, layerRange: null, frameAtTime: 0 },
      },
    ],
  ];
  it.each(rows)('%s', (_what, row) => {
    const s = makeScene();
    const take = s.sim.addLayer(s.comp, s.takeItem, {
      startTime: row.layer.startTime,
      stretch: row.layer.stretch,
    }) as SimAVLayer;
    if (row.layer.inPoint !== undefined) take.inPoint = row.layer.inPoint;
    if (row.layer.outPoint !== undefined) take.outPoint = row.layer.outPoint;
    take.timeRemapEnabled = !!row.layer.timeRemap;
    s.comp.time = row.time;
    [s.comp.workAreaStart, s.comp.workAreaDuration] = row.workArea;
    s.sim.openComp(null); // describeLayer needs no open comp
    const v = s.host.value<{ layer: LayerInfo }>(`reenact.describeLayer(${take.id})`);
    expect({ range: v.layer.range, layerRange: v.layer.layerRange, frameAtTime: v.layer.frameAtTime }).toEqual(
      row.expected,
    );
  });
});
