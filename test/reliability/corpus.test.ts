/**
 * Bad-input corpus (issue #9): every generated case either renders correctly or fails with a clear error that names
 * the file and the fix — never a hang, a crash, a partial frame under a final name, or a changed input. Writes the
 * "Inputs" section of test/RELIABILITY.md at the end.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpecInput, Manifest } from '../../bridge/src/pipeline/spec.js';
import { runCli } from '../helpers/cli.js';
import { PORTRAIT, tempDir } from '../helpers/media.js';
import * as corpus from './corpus.js';
import {
  describe as describeOutcome,
  type Outcome,
  outputProblems,
  type Row,
  ranWholeFile,
  renderBounded,
  scrub,
  sha256,
  writeSection,
} from './harness.js';
import { mountTmpfs, unmount } from './mounts.js';

const dir = tempDir('reenact-corpus-');
const rows: Row[] = [];
const mounts: string[] = [];
let small = ''; // 64×64 portrait for the fixture engine
let clip = ''; // 12-frame 64×48 clip for the fixture engine
let face = ''; // 12 frames of the real driving clip (has a face)

beforeAll(async () => {
  small = corpus.pngOf(path.join(dir, 'small.png'), 64, 64);
  clip = await corpus.tinyClip(path.join(dir, 'clip.mp4'));
  face = await corpus.drivingPart(path.join(dir, 'face.mp4'), 0, 12);
});

// biome-ignore lint/correctness/noEmptyPattern: vitest passes (context, suite) and wants the context destructured
afterAll(({}, suite) => {
  for (const m of mounts) unmount(m);
  if (ranWholeFile(suite))
    writeSection(
      'inputs',
      'Bad inputs (test/reliability/corpus.test.ts)',
      'Engines: `fixture` (no face needed, 64×64 portrait, 64×48 clips) unless the case needs a face, then `meshwarp` on ' +
        '12-frame slices of test/fixtures/media/driving-talk.mp4. Temp folders are shown as `<tmp>`.',
      rows,
    );
});

function out(name: string): string {
  return path.join(dir, 'out', name);
}

function fixture(source: string, driving: string, name: string, extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return { source, driving, output: { dir: out(name) }, engine: { name: 'fixture' }, ...extra };
}

function meshwarp(source: string, driving: string, name: string, extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return { source, driving, output: { dir: out(name) }, engine: { name: 'meshwarp' }, ...extra };
}

/** A spec's output folder, in either of its forms. */
const outDir = (spec: JobSpecInput) => (typeof spec.output === 'string' ? spec.output : spec.output.dir);

type Expect =
  | { frames: number; fps?: string; size?: [number, number]; check?: (m: Manifest) => void }
  | { code: string; message: string };

/**
 * Runs one library case: hashes inputs, renders under a time bound, checks the outcome, the output folder and the
 * inputs, and records a table row.
 */
async function libraryCase(name: string, input: string, spec: JobSpecInput, want: Expect, timeoutMs = 60_000) {
  const inputs = [spec.source, spec.driving].filter((f) => existsSync(f) && !f.endsWith('/'));
  const before = inputs.map(sha256);
  const o: Outcome = await renderBounded(spec, timeoutMs);
  rows.push({ case: name, input, via: 'library', outcome: scrub(describeOutcome(o), [dir]), seconds: o.seconds });
  expect(o.hung, 'hang').toBeFalsy();
  expect(o.crash, 'crash').toBeUndefined();
  if ('code' in want) {
    expect(o.error?.message).toEqual(want.message);
    expect(o.error?.code).toBe(want.code);
  } else {
    expect(o.error?.message).toBeUndefined();
    const m = o.manifest!;
    expect(m.complete).toBe(true);
    expect(m.frameCount).toBe(want.frames);
    expect(m.frames).toHaveLength(want.frames);
    if (want.fps) expect(m.fps).toBe(want.fps);
    if (want.size) expect([m.width, m.height]).toEqual(want.size);
    const frames = path.join(outDir(spec), 'frames');
    if (m.format === 'png')
      expect(existsSync(path.join(frames, `frame_${String(want.frames - 1).padStart(5, '0')}.png`))).toBe(true);
    want.check?.(m);
  }
  expect(await outputProblems(outDir(spec))).toEqual([]);
  expect(inputs.map(sha256)).toEqual(before);
  return o;
}

describe('images as the portrait', () => {
  it('1×1 PNG', async () => {
    const f = corpus.pngOf(path.join(dir, 'one.png'), 1, 1);
    await libraryCase('1×1 image', 'one.png', fixture(f, clip, 'one'), {
      code: 'BAD_INPUT',
      message: `Expected a portrait of at least 32×32 pixels but received 1×1 (${f}). Use a larger image.`,
    });
  });

  it('16384×32 PNG renders at full width', async () => {
    const f = corpus.pngOf(path.join(dir, 'wide.png'), 16384, 32);
    await libraryCase(
      '16k-wide image',
      'wide.png (16384×32)',
      fixture(f, clip, 'wide', { range: { start: 0, end: 2 } }),
      {
        frames: 3,
        size: [16384, 32],
      },
    );
  });

  it('CMYK JPEG', async () => {
    const f = corpus.cmykJpeg(path.join(dir, 'cmyk.jpg'), 64, 64, (bx, by) => [bx * 30, by * 30, 40, 10]);
    await libraryCase(
      'CMYK JPEG',
      'cmyk.jpg (Adobe APP14, 64×64)',
      fixture(f, clip, 'cmyk', { range: { start: 0, end: 2 } }),
      {
        frames: 3,
        size: [64, 64],
      },
    );
  });

  it('16-bit, alpha, grayscale and palette PNGs of the portrait (meshwarp finds the face)', async () => {
    const variants: [string, string, string?][] = [
      ['16-bit RGB PNG', 'rgb48be'],
      [
        'RGBA PNG (round alpha)',
        'rgba',
        "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(hypot(X-W/2,Y-H/2),W/2),255,0)'",
      ],
      ['grayscale PNG', 'gray'],
      ['16-bit grayscale PNG', 'gray16be'],
      ['palette PNG', 'pal8'],
    ];
    for (const [label, pix, vf] of variants) {
      const f = await corpus.portraitAs(path.join(dir, `portrait-${pix}.png`), pix, vf);
      await libraryCase(label, `portrait-${pix}.png`, meshwarp(f, face, `p-${pix}`, { range: { start: 0, end: 3 } }), {
        frames: 4,
        size: [512, 512],
        check: (m) => expect(m.frames.every((x) => x.status === 'rendered')).toBe(true),
      });
    }
  });

  it('truncated, corrupt and zero-byte images', async () => {
    const t = corpus.truncated(path.join(dir, 'truncated.png'), PORTRAIT, (n) => Math.floor(n / 3));
    const tr = await libraryCase('truncated PNG', 'truncated.png (first third)', fixture(t, clip, 'trunc-png'), {
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        new RegExp(`^Could not decode ${t}: it may be corrupt or truncated \\(ffmpeg said: .+\\)\\. Re-export it\\.$`),
      ) as unknown as string,
    });
    expect(tr.error?.details.file).toBe(t);
    const c = corpus.corrupted(path.join(dir, 'corrupt.png'), PORTRAIT, 0.4, 0.2);
    const co = await renderBounded(fixture(c, clip, 'corrupt-png', { range: { start: 0, end: 1 } }));
    rows.push({
      case: 'PNG with corrupt bytes mid-file',
      input: 'corrupt.png (20% overwritten)',
      via: 'library',
      outcome: scrub(describeOutcome(co), [dir]),
      seconds: co.seconds,
    });
    // PNG's per-chunk CRC catches the damage: a clear error naming the file, never a half-decoded portrait.
    expect(co.error?.code).toBe('BAD_INPUT');
    expect(co.error?.message).toMatch(
      new RegExp(`^Could not decode ${c}: it may be corrupt or truncated .*Re-export it\\.$`),
    );
    expect(await outputProblems(out('corrupt-png'))).toEqual([]);
    const z = path.join(dir, 'zero.png');
    writeFileSync(z, '');
    await libraryCase('zero-byte image', 'zero.png', fixture(z, clip, 'zero-png'), {
      code: 'BAD_INPUT',
      message: `File is empty (0 bytes) (${z}). Re-export or re-copy it.`,
    });
    const junk = path.join(dir, 'junk.png');
    writeFileSync(junk, Buffer.from('this is not an image at all, just text pretending to be one\n'.repeat(20)));
    await libraryCase('text file named .png', 'junk.png', fixture(junk, clip, 'junk'), {
      code: 'BAD_INPUT',
      message: `File has no picture in it (${junk}). Pick an image or a video clip.`,
    });
  });
});

describe('wrong extensions', () => {
  it('a PNG named .mov is read as the image it is', async () => {
    const f = corpus.copied(path.join(dir, 'still.mov'), small);
    await libraryCase(
      'PNG named .mov (portrait)',
      'still.mov',
      fixture(f, clip, 'png-mov', { range: { start: 0, end: 2 } }),
      {
        frames: 3,
        size: [64, 64],
      },
    );
  });

  it('an MP4 named .png is read as the clip it is', async () => {
    const f = corpus.copied(path.join(dir, 'clip.png'), clip);
    await libraryCase('MP4 named .png (driving)', 'clip.png', fixture(small, f, 'mp4-png'), { frames: 12, fps: '25' });
  });

  it('a PNG named .mov as the driving clip says it is a still', async () => {
    const f = corpus.copied(path.join(dir, 'still2.mov'), small);
    await libraryCase('PNG named .mov (driving)', 'still2.mov', fixture(small, f, 'png-mov-driving'), {
      code: 'BAD_INPUT',
      message: `Expected a video clip for the driving performance but received a still image (${f}). Pick the performance footage.`,
    });
  });
});

describe('broken clips', () => {
  it('audio-only, zero-byte, truncated and corrupt clips', async () => {
    const a = await corpus.audioOnly(path.join(dir, 'voice.m4a'));
    await libraryCase('audio-only file', 'voice.m4a', fixture(small, a, 'audio'), {
      code: 'BAD_INPUT',
      message: `File has audio but no video stream (${a}). Pick a clip with picture.`,
    });
    const z = path.join(dir, 'zero.mp4');
    writeFileSync(z, '');
    await libraryCase('zero-byte clip', 'zero.mp4', fixture(small, z, 'zero-mp4'), {
      code: 'BAD_INPUT',
      message: `File is empty (0 bytes) (${z}). Re-export or re-copy it.`,
    });
    const t = corpus.truncated(path.join(dir, 'truncated.mp4'), face, (n) => Math.floor(n / 2));
    const o = await libraryCase(
      'truncated MP4 (moov at the end, lost)',
      'truncated.mp4',
      fixture(small, t, 'trunc-mp4'),
      {
        code: 'BAD_INPUT',
        message: expect.stringContaining(`(${t})`) as unknown as string,
      },
    );
    expect(o.error?.message).toMatch(/re-export it\.?/i);
  });

  it('a clip with corrupt bytes in the middle fails clearly, keeping the frames it could render', async () => {
    const fast = path.join(dir, 'faststart.mp4');
    await corpus.tinyClip(fast, { frames: 24, extra: ['-movflags', '+faststart'] });
    const c = corpus.corrupted(path.join(dir, 'corrupt.mp4'), fast, 0.5, 0.2);
    await libraryCase(
      'MP4 with corrupt bytes mid-stream',
      'corrupt.mp4 (20% overwritten)',
      fixture(small, c, 'corrupt-mp4'),
      {
        code: 'BAD_INPUT',
        message: expect.stringMatching(
          new RegExp(
            `^Expected 24 frames from ${c} but only \\d+ could be decoded: the clip may be corrupt or cut short\\. Re-export it, or render only clip frames 0-\\d+ \\(--range\\)\\.$`,
          ),
        ) as unknown as string,
      },
    );
  });
});

describe('clip timing and orientation', () => {
  it('NTSC rates stay exact: 29.97, 23.976, 59.94', async () => {
    for (const [fps, want] of [
      ['30000/1001', '30000/1001'],
      ['24000/1001', '24000/1001'],
      ['60000/1001', '60000/1001'],
    ]) {
      const f = await corpus.tinyClip(path.join(dir, `ntsc-${want.replace('/', '_')}.mp4`), { fps });
      await libraryCase(`${want} fps clip`, path.basename(f), fixture(small, f, `ntsc-${want.replace('/', '_')}`), {
        frames: 12,
        fps: want,
      });
    }
  });

  it('conforms 29.97 → 24 fps exactly', async () => {
    const f = path.join(dir, 'ntsc-30000_1001.mp4');
    await libraryCase(
      '29.97 clip conformed to 24',
      'ntsc-30000_1001.mp4, fps 24',
      fixture(small, f, 'conform', { fps: '24' }),
      {
        frames: 10, // floor(k·30000/1001/24) < 12 for k = 0…9
        fps: '24',
        check: (m) => expect(m.frames.map((x) => x.sourceIndex)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 11]),
      },
    );
  });

  it('a VFR clip is resampled to a constant rate', async () => {
    const f = await corpus.vfrClip(path.join(dir, 'vfr.mp4'));
    await libraryCase('VFR clip', 'vfr.mp4 (uneven timestamps)', fixture(small, f, 'vfr'), { frames: 12 });
  });

  it('a phone clip stored sideways with rotation metadata is tracked upright', async () => {
    const f = await corpus.phoneClip(path.join(dir, 'phone.mp4'), 8);
    await libraryCase('rotated phone clip (90°, portrait)', 'phone.mp4', meshwarp(PORTRAIT, f, 'phone'), {
      frames: 8,
      check: (m) => expect(m.frames.filter((x) => x.status === 'rendered').length).toBe(8),
    });
  });
});

describe('faces', () => {
  it('no face anywhere in the driving clip', async () => {
    const f = await corpus.noFaceClip(path.join(dir, 'noface.mp4'));
    await libraryCase('driving clip with no face', 'noface.mp4', meshwarp(PORTRAIT, f, 'noface'), {
      code: 'BAD_INPUT',
      message: `No face found in the driving clip (${f}, frames 0-5). Use footage where the performer's face is visible.`,
    });
  });

  it('no face in the portrait', async () => {
    await libraryCase(
      'portrait with no face',
      'small.png (gradient)',
      meshwarp(corpus.pngOf(path.join(dir, 'noface.png'), 96, 96), face, 'noface-portrait'),
      {
        code: 'BAD_INPUT',
        message: `No face found in the portrait (${path.join(dir, 'noface.png')}). Use a photo where the face is clearly visible, frontal and at least about 80 pixels wide.`,
      },
    );
  });

  it('two faces: the largest by default, the second by index', async () => {
    const f = await corpus.twoFaces(path.join(dir, 'two.mp4'), 0, 6);
    await libraryCase('two faces (hstack), default choice', 'two.mp4', meshwarp(PORTRAIT, f, 'two'), {
      frames: 6,
      check: (m) => expect(m.frames.every((x) => x.status === 'rendered')).toBe(true),
    });
    await libraryCase(
      'two faces, driving face index:1',
      'two.mp4',
      meshwarp(PORTRAIT, f, 'two-1', { face: { driving: { by: 'index', index: 1 } } }),
      { frames: 6, check: (m) => expect(m.frames.every((x) => x.status === 'rendered')).toBe(true) },
    );
    await libraryCase(
      'two faces, driving face index:5 (absent)',
      'two.mp4',
      meshwarp(PORTRAIT, f, 'two-5', { face: { driving: { by: 'index', index: 5 } } }),
      {
        code: 'BAD_INPUT',
        message: expect.stringMatching(
          `^Expected face index 5 in the driving clip \\(${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) but clip frame 0, the first with faces, has 2 faces, largest first: index 0 \\(id \\d\\): .*; index 1 \\(id \\d\\): .*\\. Indices start at 0: pick one with --driving-face index:N or id:N \\(reenact probe --faces lists them\\)\\.$`,
        ) as unknown as string,
      },
    );
  });

  it('a face that leaves and comes back: held frames, then tracked again', async () => {
    const f = await corpus.spliced(path.join(dir, 'leave.mp4'), 'leave');
    await libraryCase('face leaves for 5 frames', 'leave.mp4', meshwarp(PORTRAIT, f, 'leave'), {
      frames: 17,
      check: (m) => {
        expect(m.frames.slice(6, 11).map((x) => x.status)).toEqual(['held', 'held', 'held', 'held', 'held']);
        expect(m.frames.slice(11).every((x) => x.status === 'rendered')).toBe(true);
      },
    });
    await libraryCase(
      'face leaves, policy neutral',
      'leave.mp4',
      meshwarp(PORTRAIT, f, 'leave-neutral', { onFrameFailure: 'neutral' }),
      { frames: 17, check: (m) => expect(m.frames.slice(6, 11).every((x) => x.status === 'no-face')).toBe(true) },
    );
    await libraryCase(
      'face leaves, policy fail',
      'leave.mp4',
      meshwarp(PORTRAIT, f, 'leave-fail', { onFrameFailure: 'fail' }),
      {
        code: 'BAD_INPUT',
        message: `No face in clip frame 6 (${f}). Use --on-frame-failure hold to hold the last good frame instead.`,
      },
    );
  });

  it('a scene cut', async () => {
    const f = await corpus.spliced(path.join(dir, 'cut.mp4'), 'cut');
    await libraryCase('scene cut', 'cut.mp4', meshwarp(PORTRAIT, f, 'cut'), {
      frames: 16,
      check: (m) => expect(m.frames.every((x) => x.status === 'rendered')).toBe(true),
    });
  });
});

describe('paths and output folders (CLI)', () => {
  /** The error line (progress lines come first on a non-TTY stderr). */
  const lastLine = (text: string) => `${text.trimEnd().split('\n').pop()}\n`;

  async function cliCase(
    name: string,
    input: string,
    args: string[],
    want: { code: number; stderr?: string; frames?: number },
  ) {
    const files = args.filter((a, i) => (args[i - 1] === '-s' || args[i - 1] === '-d') && existsSync(a));
    const before = files.map(sha256);
    const t0 = performance.now();
    const r = await runCli(['render', ...args], { timeoutMs: 60_000 });
    const seconds = (performance.now() - t0) / 1000;
    // The result line (stdout) or the error line (the last of stderr, after any progress lines).
    const outcome =
      r.code === 0 ? `exit 0: ${r.stdout.trim().split('\n').pop()}` : `exit ${r.code}: ${lastLine(r.stderr).trim()}`;
    rows.push({ case: name, input, via: 'CLI', outcome: scrub(outcome, [dir]), seconds });
    expect(r.code, r.stderr).toBe(want.code);
    if (want.stderr !== undefined) expect(lastLine(r.stderr)).toEqual(want.stderr);
    expect(r.stderr).not.toMatch(/at .*\(.*:\d+:\d+\)/); // no stack traces
    const o = args[args.indexOf('-o') + 1];
    expect(await outputProblems(o)).toEqual([]);
    expect(files.map(sha256)).toEqual(before);
    return r;
  }

  it('unicode, spaces and a path over 200 characters', async () => {
    const src = corpus.awkwardPath(dir, 'pörträit with spaces.png', true);
    const drv = corpus.awkwardPath(dir, 'drïving clip 😀.mp4');
    mkdirSync(path.dirname(src), { recursive: true });
    corpus.copied(src, small);
    corpus.copied(drv, clip);
    const o = corpus.awkwardPath(path.join(dir, 'out'), 'rendu final', true);
    expect(o.length).toBeGreaterThan(200);
    const r = await cliCase(
      'unicode + spaces + >200-char paths',
      `${src.length}-char portrait path, ${o.length}-char output`,
      ['-s', src, '-d', drv, '-o', o, '--engine', 'fixture'],
      { code: 0 },
    );
    expect(r.stdout).toContain('12 frames: 12 rendered');
    expect(JSON.parse(readFileSync(path.join(o, 'reenact.json'), 'utf8')).spec.source).toBe(src);
  });

  it('missing portrait and driving files', async () => {
    const missing = path.join(dir, 'nope.png');
    await cliCase(
      'missing portrait',
      'nope.png',
      ['-s', missing, '-d', clip, '-o', out('missing'), '--engine', 'fixture'],
      {
        code: 2,
        stderr: `reenact: File not found (${missing}). Check the path.\n`,
      },
    );
  });

  it('an output "folder" that is a file', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const o = path.join(file, 'render');
    await cliCase(
      'output folder under a regular file (ENOTDIR)',
      'a-file/render',
      ['-s', small, '-d', clip, '-o', o, '--engine', 'fixture'],
      {
        code: 1,
        stderr: `reenact: Cannot write to ${path.join(o, 'frames')} (ENOTDIR: part of the path is a file, not a folder). Choose another output folder.\n`,
      },
    );
  });

  it('a read-only output folder', async () => {
    const ro = path.join(dir, 'ro');
    const mounted = mountTmpfs(ro, 'size=1m,ro');
    if (mounted) mounts.push(ro);
    else writeFileSync(ro, 'not a folder'); // fallback (no mount permission): ENOTDIR instead of EROFS
    const o = path.join(ro, 'render');
    await cliCase(
      mounted
        ? 'read-only output folder (tmpfs ro)'
        : 'read-only output folder (simulated: ENOTDIR, mount not allowed)',
      'ro/render',
      ['-s', small, '-d', clip, '-o', o, '--engine', 'fixture'],
      {
        code: 1,
        stderr: mounted
          ? `reenact: Cannot write to ${path.join(o, 'frames')} (EROFS: read-only or no permission). Choose another output folder.\n`
          : `reenact: Cannot write to ${path.join(o, 'frames')} (ENOTDIR: part of the path is a file, not a folder). Choose another output folder.\n`,
      },
    );
  });

  it('a full output folder', async () => {
    const full = path.join(dir, 'full');
    const mounted = mountTmpfs(full, 'size=256k');
    if (!mounted) return; // recorded by the faults test (disk full during encode) too; nothing to simulate here
    mounts.push(full);
    writeFileSync(path.join(full, 'filler'), Buffer.alloc(250 * 1024 - 1));
    const o = path.join(full, 'render');
    await cliCase(
      'full output folder (tmpfs 256k, filled)',
      'full/render',
      ['-s', small, '-d', clip, '-o', o, '--engine', 'fixture'],
      {
        code: 1,
        stderr: expect.stringMatching(
          /^reenact: The disk is full while (writing|encoding).*run the same command again to resume\.\n$/,
        ) as unknown as string,
      },
    );
  });
});
