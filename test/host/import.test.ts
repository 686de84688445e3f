// importResult on the simulated DOM: one undo step that puts the render in a "reenact" folder, conforms it to the
// exact driving rate, places it directly above the portrait at the driving layer's time, covers the portrait, and
// leaves the artist's layers alone; rendering again replaces the footage in place.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ImportRequest, ImportResult } from '../../bridge/src/api/host.js';
import type { SimAVLayer, SimFileSource, SimFootage } from './ae-sim.js';
import { arg } from './host-realm.js';
import { importRequest, makeScene, type Scene, tprop, writeSequence } from './scene.js';

let s: Scene;
let first: string;
beforeEach(() => {
  s = makeScene();
  first = writeSequence(join(s.dir, 'render', 'frames'), 5);
});

const request = (over: Partial<ImportRequest> = {}) => importRequest(s, first, over);
const userLayers = (sc: Scene) => [sc.still, sc.take, sc.bg];

describe('importResult', () => {
  it('imports above the still, aligned to the driving layer, conformed exactly, in one undo group', () => {
    tprop(s.still, 'ADBE Position').setValue([900, 500]);
    tprop(s.still, 'ADBE Scale').setValue([150, 150]);
    tprop(s.still, 'ADBE Rotate Z').setValue(12);
    const before = userLayers(s).map(s.sim.snapshot);
    s.sim.state.mutations.length = 0;

    const v = s.host.value<ImportResult>(`reenact.importResult(${arg(request())})`);

    const layer = s.comp.layer(1) as SimAVLayer;
    expect(v).toEqual({
      layer: 1,
      layerId: layer.id,
      name: 'headshot.png (reenact)',
      itemId: layer.source!.id,
      replaced: false,
      placement: 'copied',
      startTime: 1.5 + (10 * 1001) / 30000,
      fps: { num: 30000, den: 1001 },
      warnings: [],
    });
    expect(s.comp.layerList.map((l) => l.name)).toEqual([
      'headshot.png (reenact)',
      'headshot.png',
      'take_03.mov',
      'BG',
    ]);
    expect(layer.startTime).toBe(1.5 + (10 * 1001) / 30000);
    expect(layer.label).toBe(10);
    const item = layer.source as SimFootage;
    expect(item.name).toBe('headshot.png (reenact)');
    expect(item.parentFolder.name).toBe('reenact');
    expect(item.parentFolder.parentFolder).toBe(s.sim.project.rootFolder);
    expect(Object.is((item.mainSource as SimFileSource).conformFrameRate, 30000 / 1001)).toBe(true);
    expect(item.frameRate).toBe(30000 / 1001);
    expect(item.duration).toBeCloseTo((5 * 1001) / 30000, 12);
    expect(tprop(layer, 'ADBE Position').raw).toEqual([900, 500]);
    expect(tprop(layer, 'ADBE Scale').raw).toEqual([150, 150]);
    expect(tprop(layer, 'ADBE Rotate Z').raw).toBe(12);
    expect(tprop(layer, 'ADBE Anchor Point').raw).toEqual([32, 32]);

    expect(s.sim.state.undoGroups).toEqual(['reenact: import result']);
    expect(s.sim.state.undoDepth).toBe(0);
    expect(s.sim.mutationsOutsideUndo()).toEqual([]);
    expect(userLayers(s).map(s.sim.snapshot)).toEqual(before);
    expect(s.sim.project.renderQueue.numItems).toBe(0);
  });

  it('lands directly above a portrait that is not the top layer', () => {
    s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    // Title 1, headshot 2, take 3, BG 4
    s.host.value(`reenact.importResult(${arg(request())})`);
    expect(s.comp.layerList.map((l) => l.name)).toEqual([
      'Title',
      'headshot.png (reenact)',
      'headshot.png',
      'take_03.mov',
      'BG',
    ]);
  });

  it('keeps an AE 2022 track matte working: the result goes above the portrait’s matte layer', () => {
    const matte = s.sim.addLayer(s.comp, 'shape', { name: 'Face matte' });
    s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    (s.still as SimAVLayer).hasTrackMatte = true;
    // Title 1, Face matte 2, headshot 3, take 4, BG 5
    const v = s.host.value<ImportResult>(`reenact.importResult(${arg(request())})`);
    expect(s.comp.layerList.map((l) => l.name)).toEqual([
      'Title',
      'headshot.png (reenact)',
      'Face matte',
      'headshot.png',
      'take_03.mov',
      'BG',
    ]);
    expect(v.warnings).toEqual([
      'Layer "headshot.png" uses the layer above it as a track matte: the result was placed above that matte layer so the matte is unchanged. Apply a matte to the result if it needs one.',
    ]);
    // AE 2023+: the matte is referenced, so directly above the portrait is fine
    s.comp.layer(2).remove();
    (s.still as SimAVLayer).trackMatteLayer = matte;
    const w = s.host.value<ImportResult>(`reenact.importResult(${arg(request())})`);
    expect(s.comp.layerList.map((l) => l.name)).toEqual([
      'Title',
      'Face matte',
      'headshot.png (reenact)',
      'headshot.png',
      'take_03.mov',
      'BG',
    ]);
    expect(w.warnings).toEqual([]);
  });

  it('fits a result of another size onto the portrait', () => {
    const big = writeSequence(join(s.dir, 'render2', 'frames'), 3, 128, 96);
    tprop(s.still, 'ADBE Scale').setValue([200, 200]);
    const v = s.host.value<ImportResult>(`reenact.importResult(${arg(request({ file: big }))})`);
    const layer = s.comp.layer(1);
    expect(v.placement).toBe('fitted');
    const scale = tprop(layer, 'ADBE Scale').raw as number[];
    expect(scale[0]).toBe(100);
    expect(scale[1]).toBeCloseTo((200 * 64) / 96, 10);
    expect(tprop(layer, 'ADBE Anchor Point').raw).toEqual([64, 48]);
  });

  it('re-import replaces the footage in place and keeps the artist’s edits on the result layer', () => {
    const a = s.host.value<ImportResult>(`reenact.importResult(${arg(request())})`);
    const layer = s.comp.layer(1);
    tprop(layer, 'ADBE Opacity').setValue(60);
    const again = writeSequence(join(s.dir, 'render-b', 'frames'), 8);
    // the portrait moved to index 2: its id still finds it
    const b = s.host.value<ImportResult>(`reenact.importResult(${arg(request({ file: again, firstFrame: 0 }))})`);
    expect(b.replaced).toBe(true);
    expect(b.placement).toBe('kept');
    expect(b.layerId).toBe(a.layerId);
    expect(b.itemId).toBe(a.itemId);
    expect(s.comp.numLayers).toBe(4);
    const item = (layer as SimAVLayer).source as SimFootage;
    expect(item.file?.fsName).toBe(again);
    expect(item.frames).toBe(8);
    expect(item.parentFolder.numItems).toBe(1);
    expect(s.sim.project.rootFolder.list.filter((i) => i.name === 'reenact')).toHaveLength(1);
    expect((item.mainSource as SimFileSource).conformFrameRate).toBe(30000 / 1001);
    expect(layer.startTime).toBe(1.5);
    expect(tprop(layer, 'ADBE Opacity').raw).toBe(60);
    expect(s.sim.state.undoGroups).toEqual(['reenact: import result', 'reenact: import result']);
  });

  it('selecting the previous result layer as the portrait refreshes that result', () => {
    const a = s.host.value<ImportResult>(`reenact.importResult(${arg(request())})`);
    const b = s.host.value<ImportResult>(`reenact.importResult(${arg(request({ stillLayerId: a.layerId }))})`);
    expect(b).toMatchObject({ replaced: true, layerId: a.layerId, name: 'headshot.png (reenact)' });
    expect(s.comp.numLayers).toBe(4);
  });

  it('imports a one-frame render as a still without conforming it', () => {
    const one = writeSequence(join(s.dir, 'render-one', 'frames'), 1);
    const v = s.host.value<ImportResult>(`reenact.importResult(${arg(request({ file: one }))})`);
    const item = (s.comp.layer(1) as SimAVLayer).source as SimFootage;
    expect(item.mainSource.isStill).toBe(true);
    expect(v.name).toBe('headshot.png (reenact)');
  });

  it('imports a ProRes movie and conforms its rate', () => {
    const mov = join(s.dir, 'render', 'take_03_reenact.mov');
    s.sim.declareMovie(mov, { width: 64, height: 64, fps: 30, frames: 12 });
    s.host.value(
      `reenact.importResult(${arg(request({ file: mov, format: 'prores', fps: { num: 24000, den: 1001 } }))})`,
    );
    const item = (s.comp.layer(1) as SimAVLayer).source as SimFootage;
    expect(item.mainSource.isStill).toBe(false);
    expect(item.frameRate).toBe(24000 / 1001);
  });

  it('follows a stretched driving layer and warns about time remapping', () => {
    s.take.stretch = 50;
    (s.take as SimAVLayer).timeRemapEnabled = true;
    const v = s.host.value<ImportResult>(`reenact.importResult(${arg(request())})`);
    expect(v.startTime).toBeCloseTo(1.5 + ((10 * 1001) / 30000) * 0.5, 12);
    expect(s.comp.layer(1).stretch).toBe(50);
    expect(v.warnings).toEqual([
      'Layer "take_03.mov" uses time remapping: the result starts with it but its frames follow the clip, not the remap.',
    ]);
  });

  it('aligns by the driving clip’s rate when the render has another rate', () => {
    const v = s.host.value<ImportResult>(
      `reenact.importResult(${arg(request({ fps: '24000/1001', firstFrame: 30 }))})`,
    );
    expect(v.startTime).toBeCloseTo(1.5 + (30 * 1001) / 30000, 12);
    expect(v.fps).toEqual({ num: 24000, den: 1001 });
    expect(((s.comp.layer(1) as SimAVLayer).source as SimFootage).frameRate).toBe(24000 / 1001);
  });

  it('starts at an explicit startTime, or at the still without a driving layer', () => {
    expect(s.host.value<ImportResult>(`reenact.importResult(${arg(request({ startTime: 4.25 }))})`).startTime).toBe(
      4.25,
    );
    s.comp.layer(1).remove();
    s.still.startTime = 3;
    expect(
      s.host.value<ImportResult>(`reenact.importResult(${arg(request({ drivingLayerId: null }))})`).startTime,
    ).toBe(3);
  });

  it('warns when the portrait’s transform is animated', () => {
    tprop(s.still, 'ADBE Position').setValueAtTime(0, [0, 0]);
    tprop(s.still, 'ADBE Position').setValueAtTime(1, [10, 0]);
    const v = s.host.value<ImportResult>(`reenact.importResult(${arg(request())})`);
    expect(v.warnings).toEqual([
      'The transform of "headshot.png" is animated: the result copies its value at the current time. Parent the result to it to follow the animation.',
    ]);
  });
});

describe('importResult errors', () => {
  const cases: [string, (sc: Scene) => string, string, string][] = [
    [
      'a read-only project',
      (sc) => {
        const file = join(sc.dir, 'shot.aep');
        writeFileSync(file, 'aep');
        sc.sim.project.file = new sc.sim.classes.File(file);
        sc.sim.state.readonlyFiles.add(file);
        return arg(request());
      },
      'READ_ONLY',
      'The project file "<dir>/shot.aep" is read-only. Save the project under a new name (File > Save As) and try again.',
    ],
    [
      'a missing render',
      (sc) => arg(request({ file: join(sc.dir, 'nope', 'frame_00000.png') })),
      'NOT_FOUND',
      'The rendered frame "<dir>/nope/frame_00000.png" does not exist. Render again, then import.',
    ],
    [
      'a file AE cannot import',
      (sc) => {
        const f = join(sc.dir, 'render', 'out.xyz');
        writeFileSync(f, 'x');
        return arg(request({ file: f, format: 'prores' }));
      },
      'IMPORT_FAILED',
      'After Effects cannot import "<dir>/render/out.xyz" as footage. Render as PNG or ProRes 4444.',
    ],
    [
      'a layer id that is not one',
      () => arg(request({ stillLayerId: 0 })),
      'BAD_ARGUMENT',
      'Expected a whole number of at least 1 for stillLayerId but received 0.',
    ],
    [
      'a layer id that is gone',
      () => arg(request({ stillLayerId: 999 })),
      'NOT_FOUND',
      'The portrait layer (layer id 999) is no longer in the project: it was deleted, or another project is open. Select it again (Use selected) and try again.',
    ],
    [
      'a decimal frame rate',
      () => arg(request({ fps: '29.97' })),
      'BAD_ARGUMENT',
      'Expected a frame rate like "30000/1001" for fps but received "29.97".',
    ],
    [
      'a rate AE cannot conform to',
      () => arg(request({ fps: '120' })),
      'BAD_ARGUMENT',
      'After Effects conforms footage to at most 99 fps but the render is 120/1 fps. Render at the comp frame rate.',
    ],
    [
      'an unknown format',
      () => arg(request({ format: 'gif' as 'png' })),
      'BAD_ARGUMENT',
      'Expected "png" or "prores" for format but received "gif".',
    ],
    [
      'a camera as the portrait',
      (sc) => arg(request({ stillLayerId: sc.sim.addLayer(sc.comp, 'camera', { name: 'Cam' }).id })),
      'WRONG_SELECTION',
      'Layer "Cam" cannot hold a result. Choose the portrait image layer.',
    ],
  ];
  it.each(cases)('%s → {ok:false} with its message, nothing changed', (_n, setup, code, message) => {
    const text = setup(s);
    const before = s.comp.layerList.map(s.sim.snapshot);
    const r = s.host.call(`reenact.importResult(${text})`);
    expect(r).toEqual({ ok: false, error: { code, message: message.replace('<dir>', s.dir) } });
    expect(s.comp.layerList.map(s.sim.snapshot)).toEqual(before);
    expect(s.sim.state.undoDepth).toBe(0);
  });

  it('closes the undo group when AE throws half-way, and reports AE’s message', () => {
    s.still.moveBefore = () => undefined;
    const proto = Object.getPrototypeOf(s.still) as { moveBefore: unknown };
    const original = proto.moveBefore;
    proto.moveBefore = () => {
      throw new Error('Unable to call "moveBefore" because of parameter 1.');
    };
    try {
      const r = s.host.call(`reenact.importResult(${arg(request())})`);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INTERNAL');
        expect(r.error.message).toBe(
          'After Effects reported an error: Unable to call "moveBefore" because of parameter 1.',
        );
      }
      expect(s.sim.state.undoDepth).toBe(0);
      expect(s.sim.state.undoGroups).toEqual(['reenact: import result']);
    } finally {
      proto.moveBefore = original;
    }
  });
});
