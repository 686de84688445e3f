/**
 * A typical shot for host-script tests: a 29.97 fps comp holding a background solid, a performance clip that starts
 * at 1.5 s, and a portrait still on top; real PNG files in a temp folder; the host bundle loaded in an ES3 realm.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ImportRequest } from '../../bridge/src/api/host.js';
import { createAeSim, type SimGroup, type SimOptions, type SimProperty, writePng } from './ae-sim.js';
import { loadHost } from './host-realm.js';

export const NTSC = 30000 / 1001;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function makeScene(options: SimOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'reenact-host-'));
  dirs.push(dir);
  process.env.REENACT_SIM_TEMP = dir;
  // The artist followed the README: scripts may write files (AE ships with that off; tests of that case say so).
  const sim = createAeSim({ sequenceFps: 30, scriptsCanWriteFiles: true, ...options });
  const host = loadHost(sim);
  const stillFile = join(dir, 'headshot.png');
  writePng(stillFile, 64, 64);
  const takeFile = join(dir, 'take_03.mov');
  sim.declareMovie(takeFile, { width: 640, height: 480, fps: NTSC, frames: 361 });
  const comp = sim.addComp({ name: 'Shot 010', width: 1920, height: 1080, fps: NTSC, duration: 20 });
  const stillItem = sim.addFootage({ file: stillFile, width: 64, height: 64 });
  const takeItem = sim.addFootage({ file: takeFile, width: 640, height: 480, fps: NTSC, frames: 361 });
  const bg = sim.addLayer(comp, sim.addSolid('BG', 1920, 1080));
  const take = sim.addLayer(comp, takeItem, { startTime: 1.5 });
  const still = sim.addLayer(comp, stillItem);
  sim.openComp(comp);
  return { dir, sim, host, comp, still, take, bg, stillItem, takeItem, stillFile, takeFile };
}

export type Scene = ReturnType<typeof makeScene>;

/** Writes a PNG sequence frame_00000.png… of `count` frames and returns the first file's path. */
export function writeSequence(dir: string, count: number, width = 64, height = 64): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writePng(join(dir, `frame_${String(i).padStart(5, '0')}.png`), width, height);
  return join(dir, 'frame_00000.png');
}

/** A layer's transform property by match name ("ADBE Position"). */
export const tprop = (layer: { transform: SimGroup }, name: string) => layer.transform.property(name) as SimProperty;

/** The panel's import of a rendered sequence `file` onto the scene: above the still, timed by the take, from frame 10. */
export function importRequest(s: Scene, file: string, over: Partial<ImportRequest> = {}): ImportRequest {
  return {
    file,
    format: 'png',
    fps: '30000/1001',
    stillLayerId: s.still.id,
    drivingLayerId: s.take.id,
    firstFrame: 10,
    ...over,
  };
}
