/**
 * Which files in an output folder are reenact's (pipeline/ownership.ts), with real renders: a render folder copied
 * elsewhere is not the new folder's (and says where it belongs); frames a crashed run wrote after its last manifest
 * flush are its own (its partial manifest claims their numbers), while unlisted frames under a manifest of an
 * older version, which claims nothing, are not.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import { outputLayout, prepareOutput } from '../../bridge/src/pipeline/output.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpecInput } from '../../bridge/src/pipeline/spec.js';
import { brightnessClip, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir('reenact-ownership-');
let driving = '';
const spec = (out: string, extra: Partial<JobSpecInput> = {}): JobSpecInput => ({
  source: PORTRAIT,
  driving,
  output: { dir: out },
  engine: { name: 'fixture' },
  ...extra,
});

beforeAll(async () => {
  driving = await brightnessClip(path.join(dir, 'drive.mp4'), 8);
});

async function refusal(input: JobSpecInput): Promise<ReenactError> {
  const parsed = parseJobSpec(input);
  const err = await prepareOutput(parsed, outputLayout(parsed)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReenactError);
  return err as ReenactError;
}

describe('ownership of an output folder', () => {
  it('a render copied to another folder is not that folder’s: OUTPUT_EXISTS naming where it belongs, --force or not', async () => {
    const a = path.join(dir, 'a');
    await renderJob(spec(a));
    const b = path.join(dir, 'b');
    cpSync(a, b, { recursive: true });
    for (const force of [false, true]) {
      const err = await refusal(spec(b, { output: { dir: b, force } }));
      expect(err.code).toBe('OUTPUT_EXISTS');
      expect(err.message).toBe(
        `The output folder holds files reenact did not write where this render would write (b/frames/frame_00000.png, b/frames/frame_00001.png, b/frames/frame_00002.png, b/frames/frame_00003.png, b/frames/frame_00004.png and 4 more). Move them away or choose another output folder; --force replaces only reenact's own files.`,
      );
      expect((err.details.files as string[]).at(-1)).toBe(`b/reenact.json (written for ${a})`);
    }
  });

  it('frames written after the last manifest flush are the run’s own (claimed); unclaimed ones of an older version are not', async () => {
    const out = path.join(dir, 'crashed');
    await renderJob(spec(out));
    const manifestFile = path.join(out, 'reenact.json');
    const complete = JSON.parse(readFileSync(manifestFile, 'utf8'));
    // What a run killed between flushes leaves: a partial manifest listing 3 frames, 8 frame files on disk.
    const partial = {
      tool: complete.tool,
      spec: complete.spec,
      firstFrame: 0,
      frameCount: 8,
      frames: complete.frames.slice(0, 3),
      complete: false,
    };
    writeFileSync(manifestFile, JSON.stringify(partial));
    const parsed = parseJobSpec(spec(out));
    expect(await prepareOutput(parsed, outputLayout(parsed))).toMatchObject({ complete: false });
    expect((await renderJob(spec(out))).stats).toEqual({ rendered: 5, kept: 3 });
    // An older version's partial manifest claims no frame numbers: the unlisted files are not known to be its own.
    const { firstFrame: _f, frameCount: _c, ...older } = partial;
    writeFileSync(manifestFile, JSON.stringify(older));
    const err = await refusal(spec(out));
    expect(err.details.files).toEqual([3, 4, 5, 6, 7].map((i) => `crashed/frames/frame_0000${i}.png`));
  });
});
