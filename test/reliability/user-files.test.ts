/**
 * Users' files are sacred (issue #19, acceptance): a property test over output-folder contents. fast-check plants a
 * random set of user files in and around an output folder — plain files with random names, look-alike frame names,
 * a preview.mp4 and a *.reenact.mov of the user's, a foreign reenact.json or one copied from another render,
 * symlinks to files and folders outside — then runs a random sequence of job operations through the real bridge on
 * loopback (render with or without preview/ProRes/--force, cancel, resume, delete outputs). Property: every user file
 * and symlink is byte-identical afterwards, inside the folder and out. Writes rows to the Security section.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../bridge/src/api/schema.js';
import { collect, makeMedia, startTestBridge, type TestBridge, tempDir } from '../server/helpers.js';
import { type Row, ranWholeFile, writeSection } from './harness.js';

let t: TestBridge;
let work = '';
let media: { source: string; driving: string };
/** A manifest reenact wrote for another folder: copying it into a folder does not make that folder reenact's. */
let otherManifest = '';
let run = 0;

beforeAll(async () => {
  work = await tempDir('reenact-user-files-');
  mkdirSync(path.join(work, 'media'));
  media = await makeMedia(path.join(work, 'media'), 6);
  t = await startTestBridge();
  const other = path.join(work, 'other-render');
  const { job } = await t.client.createJob({ ...media, output: { dir: other }, engine: { name: 'fixture' } });
  await collect(t.client.jobEvents(job.id, { previews: false }));
  otherManifest = path.join(other, 'reenact.json');
});

const rows: Row[] = [];

// biome-ignore lint/correctness/noEmptyPattern: vitest passes (context, suite) and wants the context destructured
afterAll(async ({}, suite) => {
  await t?.bridge.close();
  if (ranWholeFile(suite))
    writeSection(
      'user-files',
      "Security: users' files (test/reliability/user-files.test.ts)",
      'Property test (fast-check): random user files in and around an output folder, then random job operations ' +
        'through the bridge on 127.0.0.1 (real pipeline, fixture engine, 6-frame clip). The outcomes the runs met, ' +
        'and how often, are in test-artifacts/reliability/user-files.json (they change with every run).',
      rows,
    );
});

/** Something of the user's, planted in `out` (or outside it, reached through a symlink in it). */
interface Plant {
  label: string;
  plant(out: string, outside: string): void;
}

const stem = () => path.basename(media.driving, path.extname(media.driving));
const file = (rel: string, text: string): Plant => ({
  label: rel,
  plant: (out) => {
    mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    writeFileSync(path.join(out, rel), text, { flag: 'wx' });
  },
});
const link = (rel: string, target: string, isDir = false): Plant => ({
  label: `${rel} → outside`,
  plant: (out, outside) => {
    const to = path.join(outside, target);
    if (isDir) {
      mkdirSync(to, { recursive: true });
      writeFileSync(path.join(to, 'frame_00000.png'), 'the user’s own frame, in their own folder');
      writeFileSync(path.join(to, 'keep.txt'), 'keep');
    } else writeFileSync(to, `outside file ${target}`);
    if (!isDir) mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    symlinkSync(to, path.join(out, rel));
  },
});

/** User files that never collide with a name reenact writes: every run has some, and they must survive everything. */
const harmless: Plant[] = [
  file('notes.txt', 'notes'),
  file('frames/render.partial', 'a user file with a temp-like name'),
  file('frames/x.tmp', 'another'),
  file('frames/.DS_Store', 'finder litter'),
  file('frames/frame_001.png.bak', 'a backup'),
];

/**
 * User files at names reenact writes (or would mistake for its own): a render there must refuse (OUTPUT_EXISTS), and
 * neither --force nor a delete may touch them. Planted before the first job or between jobs (never over a file that
 * exists: a frame reenact wrote and the user then edits is reenact's output, not a user file).
 */
const colliding: Plant[] = [
  file('preview.mp4', 'my own preview'),
  {
    label: '<clip>.reenact.mov',
    plant: (out) => writeFileSync(path.join(out, `${stem()}.reenact.mov`), 'my movie', { flag: 'wx' }),
  },
  file('reenact.json', '{"tool": "another plugin", "frames": []}'),
  {
    label: 'reenact.json copied from another render',
    plant: (out) => writeFileSync(path.join(out, 'reenact.json'), readFileSync(otherManifest), { flag: 'wx' }),
  },
  file('frames/frame_001.png', 'a look-alike with 3 digits'),
  file('frames/frame_99999.png', 'a look-alike past the end'),
  link('frames', 'their-frames', true),
  link('preview.mp4', 'their-preview.mp4'),
  link('reenact.json', 'their.json'),
];

/** Look-alikes with the exact names of this job's frames: only before any job (later, those names are reenact's). */
const firstOnly: Plant[] = [
  file('frames/frame_00003.png', 'a look-alike with our exact name'),
  link('frames/frame_00004.png', 'their-frame.png'),
];

const plants = [...harmless, ...colliding, ...firstOnly];

/** Random user file names that are none of reenact's (those are the planted look-alikes above). */
const randomName = fc
  .stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,14}$/)
  .filter((n) => !['reenact.json', 'preview.mp4', 'frames', 'chunks'].includes(n) && !n.endsWith('.reenact.mov'));

type Op =
  | { kind: 'plant'; what: number }
  | { kind: 'render'; preview: boolean; prores: boolean; force: boolean }
  | { kind: 'cancel'; preview: boolean }
  | { kind: 'resume' }
  | { kind: 'delete' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('plant' as const), what: fc.nat(colliding.length - 1) }),
  fc.record({ kind: fc.constant('render' as const), preview: fc.boolean(), prores: fc.boolean(), force: fc.boolean() }),
  fc.record({ kind: fc.constant('cancel' as const), preview: fc.boolean() }),
  fc.constant({ kind: 'resume' as const }),
  fc.constant({ kind: 'delete' as const }),
);

/** name → bytes (files) or "-> target" (symlinks) of everything under `dir`, symlinks not followed. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const full = path.join(d, n);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.set(full, `-> ${readlinkSync(full)}`);
      else if (st.isDirectory()) walk(full);
      else out.set(full, readFileSync(full).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

async function settle(job: JobSummary): Promise<string> {
  const events = await collect(t.client.jobEvents(job.id, { previews: false }));
  const last = events.at(-1);
  return last?.type === 'failed' ? `failed ${last.error.code}` : (last?.type ?? 'none');
}

async function apply(o: Op, out: string, outside: string, last: { job?: JobSummary }): Promise<string> {
  const spec = (preview: boolean, prores: boolean, force: boolean) => ({
    ...media,
    output: { dir: out, preview, force, format: prores ? ('prores' as const) : ('png' as const) },
    engine: { name: 'fixture' as const },
  });
  switch (o.kind) {
    case 'plant': {
      const p = colliding[o.what];
      try {
        p.plant(out, outside);
      } catch {
        return `user adds ${p.label}: already there`;
      }
      return `user adds ${p.label}`;
    }
    case 'render': {
      const { job } = await t.client.createJob(spec(o.preview, o.prores, o.force));
      last.job = job;
      return `render${o.prores ? ' prores' : ''}${o.preview ? ' +preview' : ''}${o.force ? ' --force' : ''}: ${await settle(job)}`;
    }
    case 'cancel': {
      // Cancelled once it has started writing (or while still queued, when it never gets there).
      const { job } = await t.client.createJob(spec(o.preview, false, false));
      last.job = job;
      const events: string[] = [];
      await new Promise<void>((resolve) => {
        let asked = false;
        t.client.jobEvents(job.id, { previews: false }).subscribe({
          next: (e) => {
            events.push(e.type);
            if (!asked && (e.type === 'started' || e.type === 'progress')) {
              asked = true;
              void t.client.cancelJob(job.id).catch(() => undefined); // it may have finished already
            }
          },
          complete: resolve,
          error: () => resolve(),
        });
      });
      return `render+cancel: ${events.at(-1) ?? 'none'}`;
    }
    case 'resume': {
      if (!last.job || !['failed', 'cancelled', 'interrupted'].includes((await t.client.getJob(last.job.id)).job.state))
        return 'resume: nothing to resume';
      await t.client.resumeJob(last.job.id);
      return `resume: ${await settle(last.job)}`;
    }
    case 'delete': {
      if (!last.job) return 'delete: no job';
      const { deleted } = await t.client.deleteOutputs(last.job.id);
      return `delete outputs: ${deleted.length} files`;
    }
  }
}

describe('user files in and around an output folder', () => {
  it('stay byte-identical whatever jobs render, force, cancel, resume or delete there', async () => {
    const seen = new Map<string, number>();
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(harmless, { minLength: 1 }),
        fc.option(fc.constantFrom(...colliding, ...firstOnly), { freq: 2 }),
        fc.uniqueArray(randomName, { maxLength: 3 }),
        fc.array(op, { minLength: 1, maxLength: 6 }),
        async (safe, collide, names, ops) => {
          const planted = collide ? [...safe, collide] : safe;
          run++;
          const out = path.join(work, `run-${run}`);
          const outside = path.join(work, `outside-${run}`);
          mkdirSync(out);
          mkdirSync(outside);
          for (const p of planted) {
            // Two plants for one name (a file and a symlink): the first one stays.
            try {
              p.plant(out, outside);
            } catch {}
          }
          for (const n of names) writeFileSync(path.join(out, n), `user file ${n}`);
          const before = new Map([...snapshot(out), ...snapshot(outside)]);
          const last: { job?: JobSummary } = {};
          const log: string[] = [];
          const everything = () => new Map([...snapshot(out), ...snapshot(outside)]);
          for (const o of ops) {
            if (o.kind !== 'plant') {
              log.push(await apply(o, out, outside, last));
              continue;
            }
            // Whatever a plant adds is the user's from then on.
            const pre = everything();
            log.push(await apply(o, out, outside, last));
            for (const [f, c] of everything()) if (!pre.has(f)) before.set(f, c);
          }
          for (const line of log) {
            const key = line.replace(/\d+ files/, 'n files');
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
          const after = new Map([...snapshot(out), ...snapshot(outside)]);
          for (const [file, content] of before) {
            expect(after.get(file), `${file} after ${log.join('; ')}`).toBe(content);
          }
        },
      ),
      { numRuns: 40 },
    );
    expect(seen.size).toBeGreaterThan(3);
    // The table says what was asserted; which outcomes the random runs met, and how often, changes with each run
    // (fast-check draws new cases), so those counts go to the artifacts only.
    rows.push({
      case: `${run} random folders, every user file and symlink byte-identical afterwards`,
      input: plants.map((p) => p.label).join(', '),
      via: 'HTTP',
      outcome:
        'every user file and symlink byte-identical after each run of 1-6 operations: render (PNG or ProRes, with or ' +
        'without preview, with or without --force), render then cancel, resume the last job, delete its outputs, ' +
        'the user adds a colliding file',
      seconds: (performance.now() - t0) / 1000,
      figures: Object.fromEntries([...seen.entries()].sort()),
    });
  });
});
