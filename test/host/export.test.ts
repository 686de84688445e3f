// exportStill: a PNG of a comp/text/shape/effected layer through a temp comp and saveFrameToPng, never the render
// queue; the temp comp is gone afterwards and the artist's layers are unchanged.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { PNG } from 'pngjs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExportStillResult } from '../../bridge/src/api/host.js';
import type { SimProperty } from './ae-sim.js';
import { arg, loadHost } from './host-realm.js';
import { makeScene, type Scene } from './scene.js';

let s: Scene;
beforeEach(() => {
  s = makeScene();
});

describe('exportStill', () => {
  it('renders a text layer at the given time into a temp PNG, in one undo group, leaving no temp comp', () => {
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    (title.transform.property('ADBE Position') as SimProperty).setValue([100, 200]);
    const before = s.comp.layerList.map(s.sim.snapshot);
    const items = s.sim.project.numItems;
    s.sim.state.mutations.length = 0;

    const v = s.host.value<ExportStillResult>(
      `reenact.exportStill(${title.id}, 1.25, ${arg(join(s.dir, 'still.png'))})`,
    );

    expect(v).toEqual({
      file: join(s.dir, 'still.png'),
      width: 1920,
      height: 1080,
      time: 1.25,
      written: true,
      rect: { left: 0, top: 0, width: 1920, height: 1080 },
    });
    const png = PNG.sync.read(readFileSync(v.file));
    expect([png.width, png.height]).toEqual([1920, 1080]);
    const frame = s.sim.state.savedFrames[0];
    expect(frame).toMatchObject({ comp: 'reenact temp still', size: [1920, 1080], time: 1.25, layers: ['Title'] });
    // the copy is upright and centred in the temp comp, whatever the artist did to the original
    expect(JSON.stringify(frame.top)).toContain('{"n":"ADBE Position","v":[960,540]');
    expect(s.sim.project.numItems).toBe(items);
    expect(s.sim.project.renderQueue.numItems).toBe(0);
    expect(s.sim.state.undoGroups).toEqual(['reenact: export still', 'reenact: remove temp comp']);
    expect(s.sim.state.tasks.size).toBe(0);
    expect(s.sim.mutationsOutsideUndo()).toEqual([]);
    expect(s.comp.layerList.map(s.sim.snapshot)).toEqual(before);
  });

  it('when AE writes the PNG in the background, keeps the temp comp until the file is complete', () => {
    s = makeScene({ asyncSaves: true });
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    const items = s.sim.project.numItems;
    const v = s.host.value<ExportStillResult>(`reenact.exportStill(${title.id}, 0, ${arg(join(s.dir, 'still.png'))})`);
    expect(v.written).toBe(false);
    expect(s.sim.project.numItems).toBe(items + 1); // the temp comp is still being rendered
    expect([...s.sim.state.tasks.values()]).toEqual([
      { script: 'if ($.global.reenact) { $.global.reenact.finishExports(true); }', delay: 500, repeat: false },
    ]);
    const runTasks = () => s.sim.runTasks((script) => vm.runInContext(script, s.host.context));
    runTasks();
    expect(s.sim.project.numItems).toBe(items + 1);
    s.sim.flushSaves();
    const full = readFileSync(v.file);
    writeFileSync(v.file, full.subarray(0, full.length - 4)); // half-written: not complete yet
    runTasks();
    expect(s.sim.project.numItems).toBe(items + 1);
    expect(s.sim.state.tasks.size).toBe(1); // re-armed while pending
    writeFileSync(v.file, full);
    runTasks();
    expect(s.sim.project.numItems).toBe(items);
    expect(s.sim.state.tasks.size).toBe(0); // and not after
    expect(s.host.value('reenact.finishExports()')).toEqual({ pending: 0 });
    expect(s.sim.state.undoDepth).toBe(0);
    expect(title.name).toBe('Title');
  });

  it('a reloaded host script ends the old task chain and sweeps the temp comp it left behind', () => {
    s = makeScene({ asyncSaves: true });
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    const items = s.sim.project.numItems;
    const call = `reenact.exportStill(${title.id}, 0, ${arg(join(s.dir, 'still.png'))})`;
    s.host.value(call);
    const reloaded = loadHost(s.sim); // the panel reloads: a fresh closure with nothing pending
    s.sim.runTasks((script) => vm.runInContext(script, reloaded.context));
    expect(s.sim.state.tasks.size).toBe(0);
    expect(s.sim.project.numItems).toBe(items + 1); // orphan temp comp, until the next export
    s.sim.flushSaves();
    reloaded.value(call);
    s.sim.flushSaves();
    s.sim.runTasks((script) => vm.runInContext(script, reloaded.context));
    expect(s.sim.project.numItems).toBe(items);
  });

  it('reports a failed render with the fix, removes the temp comp and closes the undo group', () => {
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    const items = s.sim.project.numItems;
    const proto = s.sim.classes.CompItem.prototype as { saveFrameToPng: unknown };
    const original = proto.saveFrameToPng;
    proto.saveFrameToPng = () => {
      throw new Error('Disk full');
    };
    try {
      const r = s.host.call(`reenact.exportStill(${title.id}, 0, ${arg(join(s.dir, 'x.png'))})`);
      expect(r).toEqual({
        ok: false,
        error: {
          code: 'EXPORT_FAILED',
          message: `After Effects could not render layer "Title" to "${join(s.dir, 'x.png')}": Disk full. Check the disk space and that the folder is writable, then try again.`,
        },
      });
    } finally {
      proto.saveFrameToPng = original;
    }
    expect(s.sim.project.numItems).toBe(items);
    expect(s.sim.state.undoDepth).toBe(0);
  });

  it('renders at full resolution whatever the viewer resolution, and replaces an old file of the same name', () => {
    const out = join(s.dir, 'still.png');
    writeFileSync(out, 'old');
    const title = s.sim.addLayer(s.comp, 'text', { name: 'Title' });
    // as if AE gave new comps the half resolution the artist works at
    const addComp = s.sim.project.items.addComp;
    s.sim.project.items.addComp = (...a: Parameters<typeof addComp>) => {
      const c = addComp(...a);
      c.resolutionFactor = [2, 2];
      return c;
    };
    const v = s.host.value<ExportStillResult>(`reenact.exportStill(${title.id}, 0, ${arg(out)})`);
    const png = PNG.sync.read(readFileSync(v.file));
    expect([png.width, png.height]).toEqual([1920, 1080]);
  });

  it('keeps effects of an effected still, uses the current time by default, and writes to a given path', () => {
    s.still.Effects.addProperty('ADBE Gaussian Blur 2');
    s.comp.time = 2;
    const out = join(s.dir, 'exports', 'deep', 'portrait.png');
    mkdirSync(dirname(out), { recursive: true }); // the panel's Node makes the folder
    const v = s.host.value<ExportStillResult>(`reenact.exportStill(${s.still.id}, null, ${arg(out)})`);
    expect(v).toMatchObject({ file: out, width: 64, height: 64, time: 2, written: true });
    expect(existsSync(out)).toBe(true);
    expect(JSON.stringify(s.sim.state.savedFrames[0].top)).toContain('ADBE Gaussian Blur 2');
  });

  const out = (sc: Scene) => arg(join(sc.dir, 'still.png'));
  it.each([
    [
      'a camera layer',
      (sc: Scene) => `reenact.exportStill(${sc.sim.addLayer(sc.comp, 'camera', { name: 'Cam' }).id}, 0, ${out(sc)})`,
      'WRONG_SELECTION',
      'Layer "Cam" is a camera layer. Select a still image or a layer with a face, and a video clip of the performance.',
    ],
    [
      'offline footage',
      (sc: Scene) => {
        sc.stillItem.footageMissing = true;
        return `reenact.exportStill(${sc.still.id}, 0, ${out(sc)})`;
      },
      'OFFLINE_FOOTAGE',
      'The footage of layer "headshot.png" is offline (headshot.png). Relink it (File > Replace Footage > File) and try again.',
    ],
    [
      'a bad layer id',
      (sc: Scene) => `reenact.exportStill(0, 0, ${out(sc)})`,
      'BAD_ARGUMENT',
      'Expected a whole number of at least 1 for portrait layer id but received 0.',
    ],
    [
      'a bad time',
      (sc: Scene) => `reenact.exportStill(${sc.still.id}, "soon", ${out(sc)})`,
      'BAD_ARGUMENT',
      'Expected a number for time but received "soon".',
    ],
    [
      'no output file',
      (sc: Scene) => `reenact.exportStill(${sc.still.id}, 0)`,
      'BAD_ARGUMENT',
      'Expected a non-empty string for the output file but received nothing.',
    ],
  ])('fails clearly for %s', (_n, setup, code, message) => {
    expect(s.host.call(setup(s))).toEqual({ ok: false, error: { code, message } });
    expect(s.sim.state.savedFrames).toEqual([]);
  });
});
