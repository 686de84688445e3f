/**
 * Renders the bundled portrait with the bundled driving clip (reference: the most neutral frame) and prints how
 * the output's tracked head pose and expression follow the driver's, for the whole clip and per section.
 * Usage: npx tsx scripts/head-fidelity.ts [outDir] ['{"head":"2d"}']
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeFrames } from '../bridge/src/media/decode.js';
import { renderJob } from '../bridge/src/pipeline/render.js';
import { compareMotion, renderedFrames, SIGNALS, trackSamples } from '../test/helpers/fidelity.js';
import { DRIVING, PORTRAIT } from '../test/helpers/media.js';

const out = path.resolve(process.argv[2] ?? path.join(tmpdir(), 'reenact-head-fidelity'));
const options = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<string, unknown>) : {};
const t0 = performance.now();
const manifest = await renderJob({
  source: PORTRAIT,
  driving: DRIVING,
  output: { dir: out, force: true },
  referenceFrame: 'neutral',
  engine: { name: 'meshwarp', options },
});
console.log(`render ${((performance.now() - t0) / 1000).toFixed(1)} s, reference frame ${manifest.referenceFrame}`);

const driver = await trackSamples(decodeFrames(DRIVING));
const output = await trackSamples(renderedFrames(out, manifest));
const ref = manifest.referenceFrame;
const all = driver.map((_, i) => i);
const sections: [string, number[]][] = [
  ['all', all],
  ['0-142', all.filter((i) => i < 143)],
  ['143-214 (profile)', all.filter((i) => i >= 143 && i <= 214)],
  ['215-344', all.filter((i) => i > 214)],
];
for (const [name, frames] of sections) {
  const f = compareMotion(driver, output, ref, frames);
  console.log(
    `${name.padEnd(18)} n=${f.frames}  ${SIGNALS.map((k) => `${k} r ${f[k].r.toFixed(2)} amp ${f[k].amplitude.toFixed(2)}`).join(' | ')}`,
  );
}
console.log(`no face: driver ${driver.filter((s) => !s).length}, output ${output.filter((s) => !s).length}`);
const deg = (v: number) => ((v * 180) / Math.PI).toFixed(1);
const dRef = driver[ref];
const oRef = output[ref];
if (dRef && oRef) {
  for (let i = 0; i < driver.length; i += 10) {
    const d = driver[i];
    const o = output[i];
    console.log(
      `${String(i).padStart(3)} yaw ${d ? deg(d.yaw - dRef.yaw) : '-'} → ${o ? deg(o.yaw - oRef.yaw) : '-'}   pitch ${d ? deg(d.pitch - dRef.pitch) : '-'} → ${o ? deg(o.pitch - oRef.pitch) : '-'}   eyes ${d ? (d.eyes / dRef.eyes).toFixed(2) : '-'} → ${o ? (o.eyes / oRef.eyes).toFixed(2) : '-'}`,
    );
  }
}
