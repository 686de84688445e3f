// What a real After Effects session does that a lenient fake hid (issue 16), one block per defect, on the simulated
// DOM taught the real behaviour (test/host/README.md lists each with its source): another comp open or several
// Project items selected while a render runs, layers reordered or deleted, text and shape content outside [0,w]×[0,h],
// time stretch and reversed layers, unlabeled alpha, saveFrameToPng failing by its answer, the file-write preference,
// separated position, audio-only footage, and a comp time outside the portrait.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  ExportStillResult,
  ImportRequest,
  ImportResult,
  LayerInfo,
  PickInputsResult,
  SampleControlsResult,
} from '../../bridge/src/api/host.js';
import {
  ALPHA_MODE,
  type SimAVLayer,
  type SimFileSource,
  type SimFootage,
  type SimGroup,
  type SimLayer,
  type SimProperty,
} from './ae-sim.js';
import { arg } from './host-realm.js';
import { importRequest, makeScene, NTSC, type Scene, tprop, writeSequence } from './scene.js';

const FRAME = 1 / NTSC;
let s: Scene;
let first: string;
beforeEach(() => {
  s = makeScene();
  first = writeSequence(join(s.dir, 'render', 'frames'), 5);
});

const names = (layers: SimLayer[]) => layers.map((l) => l.name);
const request = (over: Partial<ImportRequest> = {}) => importRequest(s, first, over);
const importResult = (over: Partial<ImportRequest> = {}) =>
  s.host.value<ImportResult>(`reenact.importResult(${arg(request(over))})`);
const resultLayer = () => s.comp.layerList.find((l) => l.name === 'headshot.png (reenact)') as SimAVLayer;
function control(layer: SimLayer, name: string): SimProperty {
  return (layer.Effects.property(name) as SimGroup).property(1) as SimProperty;
}

describe('1. comps and layers by id, whichever comp is open', () => {
  it('imports into the portrait’s comp, directly above it, after the artist opened another comp and reordered layers', () => {
    const other = s.sim.addComp({ name: 'Shot 020' });
    s.sim.addLayer(other, s.stillItem, { name: 'decoy' });
    s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    s.sim.reorder(s.take, 1); // take 1, Title 2, headshot 3, BG 4: every index the selection saw has moved
    s.sim.openComp(other);

    const v = importResult();

    expect(names(s.comp.layerList)).toEqual(['take_03.mov', 'Title', 'headshot.png (reenact)', 'headshot.png', 'BG']);
    expect(names(other.layerList)).toEqual(['decoy']);
    expect(v).toMatchObject({ layer: 3, layerId: resultLayer().id, startTime: 1.5 + 10 * FRAME });
  });

  it('reaches the layers with several Project items selected (activeItem is null): controls, markers, export', () => {
    s.sim.selectInProject(s.comp, s.stillItem);
    expect(s.sim.project.activeItem).toBeNull();
    expect(s.host.value(`reenact.addControls(${s.still.id})`)).toMatchObject({ layer: 1 });
    expect(s.host.value(`reenact.sampleControls(${s.still.id}, null, 2, 30000, 1001)`)).toMatchObject({
      warnings: [],
    });
    expect(s.host.value(`reenact.setNeutralMarker(${s.take.id}, 2)`)).toMatchObject({ time: 2 });
    expect(s.host.value(`reenact.readNeutralMarker(${s.take.id})`)).toMatchObject({ time: 2, frame: 14 });
    const out = join(s.dir, 'still.png');
    expect(s.host.value(`reenact.exportStill(${s.still.id}, 0, ${JSON.stringify(out)})`)).toMatchObject({ file: out });
    expect(s.host.value<{ layer: LayerInfo }>(`reenact.describeLayer(${s.take.id})`).layer.name).toBe('take_03.mov');
  });

  it('says clearly that the portrait was deleted, and changes nothing', () => {
    const id = s.still.id;
    s.still.remove();
    const count = s.sim.project.numItems;
    for (const call of [
      `reenact.importResult(${arg(request({ stillLayerId: id }))})`,
      `reenact.addControls(${id})`,
      `reenact.exportStill(${id}, 0, ${JSON.stringify(join(s.dir, 'x.png'))})`,
    ]) {
      expect(s.host.call(call)).toEqual({
        ok: false,
        error: {
          code: 'NOT_FOUND',
          message: `The ${call.includes('addControls') ? 'controls' : 'portrait'} layer (layer id ${id}) is no longer in the project: it was deleted, or another project is open. Select it again (Use selected) and try again.`,
        },
      });
    }
    expect(s.sim.project.numItems).toBe(count);
  });
});

describe('2. text and shape portraits are exported whole and come back where they were', () => {
  const out = () => join(s.dir, 'still.png');
  const exportStill = (layer: SimLayer, time: number | null = 0) =>
    s.host.value<ExportStillResult>(`reenact.exportStill(${layer.id}, ${time}, ${JSON.stringify(out())})`);

  it.each([
    ['text (it sits above its baseline: negative top)', 'text', { top: -80, left: 10, width: 300, height: 100 }],
    ['shape (drawn around the layer origin)', 'shape', { top: -50, left: -60, width: 120, height: 100 }],
  ] as const)('%s', (_what, kind, rect) => {
    const layer = s.sim.addLayer(s.comp, kind, { name: 'Face', rect });
    tprop(layer, 'ADBE Position').setValue([700, 300]);
    const v = exportStill(layer);
    expect(v).toMatchObject({ width: rect.width, height: rect.height, rect });
    // The whole drawn extent fills the temp comp: nothing cropped, nothing empty.
    expect(s.sim.state.savedFrames[0]).toMatchObject({
      size: [rect.width, rect.height],
      bounds: [0, 0, rect.width, rect.height],
    });
  });

  it('imports the render of a text portrait exactly over the text', () => {
    const rect = { top: -80, left: 10, width: 300, height: 100 };
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title', rect });
    tprop(title, 'ADBE Anchor Point').setValue([0, 0]); // AE's text anchor: the baseline origin
    tprop(title, 'ADBE Position').setValue([500, 400]);
    tprop(title, 'ADBE Scale').setValue([150, 150]);
    const v = exportStill(title);
    const frames = writeSequence(join(s.dir, 'text-render', 'frames'), 5, v.width, v.height);
    const r = importResult({ file: frames, stillLayerId: title.id, portraitRect: v.rect });
    expect(r.placement).toBe('copied');
    const result = s.comp.layerList.find((l) => l.name === 'Title (reenact)') as SimAVLayer;
    expect(s.sim.compBounds(result, 0)).toEqual(s.sim.compBounds(title as SimAVLayer, 0));
    expect(s.sim.compBounds(result, 0)).toEqual([515, 280, 965, 430]);
  });
});

describe('4. time stretch', () => {
  it('samples the controls at the result layer’s stretched times', () => {
    const res = s.sim.addLayer(s.comp, s.stillItem, { name: 'res', startTime: 1, stretch: 200 });
    s.host.value(`reenact.addControls(${res.id})`);
    const mouth = control(res, 'reenact mouth');
    mouth.setValueAtTime(1, 100);
    mouth.setValueAtTime(1 + 8 * FRAME, 0); // output frame 4 plays 8 comp frames later at 200 %
    const v = s.host.value<SampleControlsResult>(`reenact.sampleControls(${res.id}, null, 5, 30000, 1001)`);
    expect(v.curves.frames.map((f) => f.mouth)).toEqual([1, 0.75, 0.5, 0.25, 0].map((x) => expect.closeTo(x, 9)));
  });

  it('sets the stretch on every import, also back to 100, before the start time (a trimmed result stays aligned)', () => {
    s.take.remove();
    const take = s.sim.addLayer(s.comp, s.takeItem, { name: 'take', startTime: 1.5, stretch: 200 });
    s.sim.reorder(take, 2);
    importResult({ drivingLayerId: take.id });
    const result = resultLayer();
    expect(result.stretch).toBe(200);
    expect(result.startTime).toBeCloseTo(1.5 + 20 * FRAME, 9);
    result.inPoint += 1; // the artist trims the result's head

    take.stretch = 150;
    importResult({ drivingLayerId: take.id });
    expect(result.stretch).toBe(150);
    expect(result.startTime).toBeCloseTo(1.5 + 15 * FRAME, 9);

    take.stretch = 100;
    importResult({ drivingLayerId: take.id });
    expect(result.stretch).toBe(100);
    expect(result.startTime).toBeCloseTo(1.5 + 10 * FRAME, 9);
  });
});

describe('5. alpha of the imported render', () => {
  it.each(['ask', 'guess'] as const)(
    'is interpreted as straight after import and after replace (Interpret Unlabeled Alpha: %s)',
    (pref) => {
      s = makeScene({ unlabeledAlpha: pref });
      first = writeSequence(join(s.dir, 'render', 'frames'), 5);
      importResult();
      const source = () => (resultLayer().source as SimFootage).mainSource as SimFileSource;
      expect(source().hasAlpha).toBe(true);
      expect(source().alphaMode).toBe(ALPHA_MODE.STRAIGHT);
      importResult(); // replaced in place: AE guesses the alpha of the new file
      expect(source().alphaMode).toBe(ALPHA_MODE.STRAIGHT);
      expect(s.sim.mutationsOutsideUndo()).toEqual([]);
    },
  );

  it('leaves footage without alpha alone', () => {
    const movie = join(s.dir, 'render.mov');
    s.sim.declareMovie(movie, { width: 64, height: 64, fps: NTSC, frames: 5, alpha: false });
    importResult({ file: movie, format: 'prores' });
    expect(s.sim.state.mutations.map((m) => m.what)).not.toContain('alphaMode');
  });
});

describe('6. saveFrameToPng reporting failure by its answer', () => {
  it('is an export failure, with no PNG to wait for and no temp comp left', () => {
    s = makeScene({ failSaves: true });
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    const items = s.sim.project.numItems;
    const out = join(s.dir, 'still.png');
    expect(s.host.call(`reenact.exportStill(${title.id}, 0, ${JSON.stringify(out)})`)).toEqual({
      ok: false,
      error: {
        code: 'EXPORT_FAILED',
        message: `After Effects could not render layer "Title" to "${out}": saveFrameToPng reported a failure. Check the disk space and that the folder is writable, then try again.`,
      },
    });
    expect(s.sim.project.numItems).toBe(items);
    expect(s.sim.state.tasks.size).toBe(0);
    expect(s.sim.state.undoDepth).toBe(0);
  });
});

describe('7. Allow Scripts to Write Files and Access Network', () => {
  it('is checked first: the artist is told how to turn it on, and AE never shows its own alert', () => {
    s = makeScene({ scriptsCanWriteFiles: false });
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    const items = s.sim.project.numItems;
    expect(s.host.call(`reenact.exportStill(${title.id}, 0, ${JSON.stringify(join(s.dir, 'still.png'))})`)).toEqual({
      ok: false,
      error: {
        code: 'NOT_ALLOWED',
        message:
          'After Effects does not let scripts write files, so layer "Title" cannot be rendered to a PNG. Turn on Preferences > Scripting & Expressions > Allow Scripts to Write Files and Access Network, then try again.',
      },
    });
    expect(s.sim.state.dialogs).toEqual([]);
    expect(s.sim.project.numItems).toBe(items);
    s.sim.setScriptsCanWriteFiles(true);
    expect(s.host.call(`reenact.exportStill(${title.id}, 0, ${JSON.stringify(join(s.dir, 'still.png'))})`).ok).toBe(
      true,
    );
  });

  it('names the preference when it could not be read and the write failed', () => {
    s = makeScene({ scriptsCanWriteFiles: false });
    s.sim.state.prefs.clear(); // an AE that keeps it somewhere else
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    const r = s.host.call(`reenact.exportStill(${title.id}, 0, ${JSON.stringify(join(s.dir, 'still.png'))})`);
    expect(r.ok || r.error.message).toMatch(
      /, and that Preferences > Scripting & Expressions > Allow Scripts to Write Files and Access Network is on, then try again\.$/,
    );
  });

  it('never creates folders from ExtendScript (the panel’s Node does): a missing one is named', () => {
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    const folder = join(s.dir, 'not-made');
    expect(s.host.call(`reenact.exportStill(${title.id}, 0, ${JSON.stringify(join(folder, 'still.png'))})`)).toEqual({
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message: `The folder "${folder}" does not exist. Create it first (the panel does), then try again.`,
      },
    });
    expect(existsSync(folder)).toBe(false);
    mkdirSync(folder);
    expect(s.host.call(`reenact.exportStill(${title.id}, 0, ${JSON.stringify(join(folder, 'still.png'))})`).ok).toBe(
      true,
    );
  });
});

describe('8. separated position, reversed layers, audio-only footage, a comp time outside the portrait', () => {
  it('copies a portrait position kept as separate X and Y, and says when X or Y is animated', () => {
    const { x } = s.sim.separatePosition(s.still, 700, 300);
    x.setValueAtTime(0, 700);
    x.setValueAtTime(1, 800);
    const v = importResult();
    expect(tprop(resultLayer(), 'ADBE Position').raw).toEqual([700, 300]);
    expect(v.warnings).toEqual([
      'The transform of "headshot.png" is animated: the result copies its value at the current time. Parent the result to it to follow the animation.',
    ]);
  });

  it('exports a layer with an animated, separated position centred in the temp comp', () => {
    const rect = { top: -80, left: 0, width: 300, height: 100 };
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title', rect });
    const { y } = s.sim.separatePosition(title, 100, 200);
    y.setValueAtTime(0, 200);
    y.setValueAtTime(1, 900);
    const v = s.host.value<ExportStillResult>(
      `reenact.exportStill(${title.id}, 0.5, ${JSON.stringify(join(s.dir, 'still.png'))})`,
    );
    expect(v).toMatchObject({ width: 300, height: 100 });
    expect(s.sim.state.savedFrames[0].bounds).toEqual([0, 0, 300, 100]);
  });

  it('maps a reversed (negative stretch) performance layer: range, frame under the time, controls, result', () => {
    s.take.remove();
    // Reversed: clip frame 0 sits at the layer's right end (startTime 14), later frames further left.
    const take = s.sim.addLayer(s.comp, s.takeItem, { name: 'take', startTime: 14, stretch: -100, selected: true });
    s.still.selected = true;
    s.comp.time = 13;
    s.comp.workAreaStart = 12;
    s.comp.workAreaDuration = 1;
    const picked = s.host.value<PickInputsResult>('reenact.pickInputs()');
    expect(picked.performance).toMatchObject({
      range: { start: 30, end: 59 },
      layerRange: { start: 0, end: 360 },
      frameAtTime: 29,
    });
    importResult({ drivingLayerId: take.id, firstFrame: 30 });
    const result = resultLayer();
    expect(result.stretch).toBe(-100);
    expect(result.startTime).toBeCloseTo(14 - 30 * FRAME, 9);
    // Output frame k shows clip frame 30 + k, which plays k frames EARLIER in the comp.
    s.host.value(`reenact.addControls(${result.id})`);
    const mouth = control(result, 'reenact mouth');
    mouth.setValueAtTime(14 - 34 * FRAME, 0);
    mouth.setValueAtTime(14 - 30 * FRAME, 100);
    const v = s.host.value<SampleControlsResult>(`reenact.sampleControls(${result.id}, null, 5, 30000, 1001)`);
    expect(v.curves.frames.map((f) => f.mouth)).toEqual([1, 0.75, 0.5, 0.25, 0].map((x) => expect.closeTo(x, 9)));
  });

  it('does not take audio-only footage for a performance clip', () => {
    const vo = s.sim.addFootage({
      file: join(s.dir, 'vo.wav'),
      width: 0,
      height: 0,
      fps: 30,
      frames: 300,
      video: false,
    });
    s.sim.addLayer(s.comp, vo, { name: 'vo.wav', selected: true });
    s.still.selected = true;
    expect(s.host.call('reenact.pickInputs()')).toEqual({
      ok: false,
      error: {
        code: 'WRONG_SELECTION',
        message:
          'Layer "vo.wav" is audio only: it has no picture. Select a still image or a layer with a face, and a video clip of the performance.',
      },
    });
  });

  it('exports the portrait at its in point when the comp time is outside it, and refuses a time it is not shown at', () => {
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title', startTime: 2 });
    title.outPoint = 5;
    s.comp.time = 1;
    const out = JSON.stringify(join(s.dir, 'still.png'));
    const v = s.host.value<ExportStillResult>(`reenact.exportStill(${title.id}, null, ${out})`);
    expect(v.time).toBe(2);
    expect(s.sim.state.savedFrames[0].bounds).not.toBeNull();
    expect(s.host.call(`reenact.exportStill(${title.id}, 10, ${out})`)).toEqual({
      ok: false,
      error: {
        code: 'BAD_ARGUMENT',
        message: 'Layer "Title" is not shown at 10 s (it shows from 2 s to 5 s). Export it at a time inside the layer.',
      },
    });
  });
});
