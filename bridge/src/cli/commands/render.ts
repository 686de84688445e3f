/**
 * `reenact render`: one portrait, one driving clip → frames + reenact.json. Re-running resumes; --force starts over.
 * Ctrl-C cancels cleanly (exit 130) leaving only complete frames.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { FrameControlsSchema } from '../../engines/controls.js';
import { engineDefinitions, engineNames } from '../../engines/registry.js';
import { asReenactError, messageOf, ReenactError } from '../../errors.js';
import type { FaceChoice } from '../../face/types.js';
import { formatPath } from '../../jobs/batch.js';
import { parseChunk } from '../../jobs/chunks.js';
import { isCompletePngFile } from '../../media/png-sequence.js';
import { DEVICES, type DeviceRequest } from '../../onnx/devices.js';
import type { JobEvent } from '../../pipeline/events.js';
import { outputLayout, readManifest } from '../../pipeline/output.js';
import { parseJobSpec } from '../../pipeline/parse.js';
import { renderJob } from '../../pipeline/render.js';
import { ControlCurvesSchema, type JobSpecInput, JobSpecSchema, type Manifest } from '../../pipeline/spec.js';
import { faceChoiceFromText, spanFromText } from '../../pipeline/spec-text.js';
import { intFlag, numberFlag } from '../flags.js';
import { formatSeconds, printJson, printLine } from '../output.js';
import { createEventView } from '../progress-view.js';

/** "largest" | "index:N" | "id:N" | "point:X,Y" | "N" (index) → FaceChoice, read as spec files read it. */
export function parseFaceChoice(text: string): FaceChoice {
  const choice = faceChoiceFromText(text);
  if (!choice)
    throw new ReenactError(
      'USAGE',
      `Expected --face to be largest, index:N, id:N or point:X,Y but received "${text}".`,
    );
  return choice;
}

/** "a-b" (inclusive clip frames) → range, read as spec files read it. */
export function parseRange(text: string): { start: number; end: number } {
  const span = spanFromText(text);
  if (!span || span.end < span.start)
    throw new ReenactError('USAGE', `Expected --range as START-END clip frames (e.g. 0-99) but received "${text}".`);
  return span;
}

function parseReference(text: string): number | 'neutral' {
  if (text === 'neutral') return 'neutral';
  return intFlag('--ref-frame', 0)(text);
}

/**
 * One `--engine-option key=value` into the accumulated options: the value as JSON when it parses (numbers, true,
 * false), else as text. The engine checks names and values (`reenact render --engine-option teeth=source`).
 */
export function parseEngineOption(text: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const m = /^([A-Za-z][\w]*)=(.*)$/.exec(text);
  if (!m)
    throw new ReenactError('USAGE', `Expected --engine-option name=value (e.g. teeth=source) but received "${text}".`);
  let value: unknown = m[2];
  try {
    value = JSON.parse(m[2]);
  } catch {}
  return { ...previous, [m[1]]: value };
}

interface RenderFlags {
  source?: string;
  driving?: string;
  out?: string;
  engine: string;
  device: DeviceRequest;
  face?: string;
  drivingFace?: string;
  refFrame?: number | 'neutral';
  intensity?: number;
  head?: number;
  brows?: number;
  eyes?: number;
  mouth?: number;
  blink?: number;
  smooth?: number;
  range?: string;
  chunk?: string;
  fps?: string;
  conform: 'motion' | 'nearest';
  format: 'png' | 'prores';
  preview?: boolean;
  force?: boolean;
  json?: boolean;
  onFrameFailure: 'hold' | 'neutral' | 'fail';
  spec?: string;
  curves?: string;
  engineOption?: Record<string, unknown>;
  onlyChanged?: boolean;
}

/** Region gains the command line can set, beside the global intensity. */
const GAINS = ['head', 'brows', 'eyes', 'mouth', 'blink'] as const;

/** The controls given as flags (intensity defaults to 1; a region gain only when given). */
function gainsFromFlags(o: RenderFlags): Record<string, number> {
  const controls: Record<string, number> = { intensity: o.intensity ?? 1 };
  for (const g of GAINS) if (o[g] !== undefined) controls[g] = o[g];
  return controls;
}

/** A spec input whose output is the object form (what the flags build). */
type FlagSpec = Omit<JobSpecInput, 'output'> & { output: Exclude<JobSpecInput['output'], string> };

export function specFromFlags(o: RenderFlags): FlagSpec {
  return {
    source: o.source ?? '',
    driving: o.driving ?? '',
    output: { dir: o.out ?? '', format: o.format, preview: Boolean(o.preview), force: Boolean(o.force) },
    engine: { name: o.engine, device: o.device, options: o.engineOption ?? {} },
    face: { source: parseFaceChoice(o.face ?? 'largest'), driving: parseFaceChoice(o.drivingFace ?? 'largest') },
    referenceFrame: o.refFrame ?? 'auto',
    ...(o.range ? { range: parseRange(o.range) } : {}),
    ...(o.chunk ? { chunk: parseChunk(o.chunk) } : {}),
    ...(o.fps ? { fps: o.fps } : {}),
    conform: o.conform,
    ...(o.smooth !== undefined ? { smoothing: o.smooth } : {}),
    controls: gainsFromFlags(o),
    onFrameFailure: o.onFrameFailure,
  };
}

async function readJsonOrYaml(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ReenactError('BAD_INPUT', `Cannot read the ${what} (${path.resolve(file)}). Check the path.`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ReenactError(
      'BAD_INPUT',
      `The ${what} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${path.resolve(file)}): ${messageOf(err)}`,
    );
  }
}

/** Flag name → the spec fields it sets (for "flags override the spec file"). */
const FLAG_FIELDS: Record<string, (flags: FlagSpec) => Partial<JobSpecInput>> = {
  refFrame: (f) => ({ referenceFrame: f.referenceFrame }),
  range: (f) => ({ range: f.range }),
  fps: (f) => ({ fps: f.fps }),
  conform: (f) => ({ conform: f.conform }),
  smooth: (f) => ({ smoothing: f.smoothing }),
  onFrameFailure: (f) => ({ onFrameFailure: f.onFrameFailure }),
  chunk: (f) => ({ chunk: f.chunk }),
};

/**
 * The job spec from --spec, checked on its own first so its errors name the file and the key (paths relative to its
 * folder; --source, --driving and --out stand in for what it leaves out), then the flags given on the command line
 * on top, then --curves.
 * @throws ReenactError USAGE when source, driving or output are missing from both; BAD_INPUT for a bad spec file.
 */
export async function buildSpec(o: RenderFlags, given: (flag: string) => boolean): Promise<JobSpecInput> {
  const fromFlags = specFromFlags(o);
  let spec: JobSpecInput = fromFlags;
  if (o.spec) {
    const file = path.resolve(o.spec);
    const data = await readJsonOrYaml(file, 'job spec file');
    const raw = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const needs = { source: 'source', driving: 'driving', out: 'output' } as const;
    const stand = Object.fromEntries(
      Object.entries(needs)
        .filter(([flag, key]) => given(flag) && raw[key] === undefined && !(key === 'source' && raw.portrait))
        .map(([, key]) => [key, key === 'output' ? fromFlags.output : fromFlags[key]]),
    );
    const parsed = parseJobSpec(Array.isArray(data) ? data : { ...raw, ...stand }, {
      baseDir: path.dirname(file),
      where: file,
    });
    spec = parsed;
    for (const [flag, fields] of Object.entries(FLAG_FIELDS)) if (given(flag)) spec = { ...spec, ...fields(fromFlags) };
    if (given('source')) spec.source = fromFlags.source;
    if (given('driving')) spec.driving = fromFlags.driving;
    const output = { ...parsed.output };
    if (given('out')) output.dir = fromFlags.output.dir;
    if (given('format')) output.format = o.format;
    if (given('preview')) output.preview = Boolean(o.preview);
    if (given('force')) output.force = Boolean(o.force);
    spec.output = output;
    if (given('engine') || given('device') || given('engineOption'))
      spec.engine = {
        ...parsed.engine,
        ...(given('engine') ? { name: o.engine } : {}),
        ...(given('device') ? { device: o.device } : {}),
        ...(given('engineOption') ? { options: { ...parsed.engine.options, ...o.engineOption } } : {}),
      };
    if (given('face') || given('drivingFace'))
      spec.face = {
        ...parsed.face,
        ...(given('face') ? { source: fromFlags.face?.source } : {}),
        ...(given('drivingFace') ? { driving: fromFlags.face?.driving } : {}),
      };
    for (const name of ['intensity', ...GAINS] as const)
      if (given(name)) spec.controls = { ...parsed.controls, ...spec.controls, [name]: o[name] };
  }
  if (o.curves) {
    // Checked on their own, so a bad value is named in the curves file ("frames[3].mouth"), not in the job.
    const file = path.resolve(o.curves);
    const curves = ControlCurvesSchema.safeParse(await readJsonOrYaml(file, 'control curves file'));
    if (!curves.success)
      throw new ReenactError(
        'BAD_INPUT',
        `Invalid control curves file (${file}): ${curves.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}.`,
      );
    spec = { ...spec, curves: curves.data };
  }
  if (!spec.source || !spec.driving || !outputDir(spec.output)) {
    throw new ReenactError('USAGE', 'Expected --source, --driving and --out (or a --spec file that names them).');
  }
  return spec;
}

/** "meshwarp: warps …; liveportrait: …", from the registry, for --help. */
function engineHelp(): string {
  return engineDefinitions()
    .map((d) => `${d.name} (${d.summary})`)
    .join('; ');
}

/** Each engine's option names, from the registry's schemas, for --help. */
function engineOptionHelp(): string {
  return engineDefinitions()
    .filter((d) => Object.keys(d.options.shape).length)
    .map((d) => `${d.name}: ${Object.keys(d.options.shape).join(', ')}`)
    .join('; ');
}

/**
 * "31 frames: 0 rendered, 31 kept" (a resume or update in place says what it kept), then frames that were not
 * rendered from a face: "(2 held, 1 no-face)".
 */
export function describeFrames(m: Pick<Manifest, 'frameCount' | 'frames' | 'stats'>): string {
  const other: Record<string, number> = {};
  for (const f of m.frames) if (f.status !== 'rendered') other[f.status] = (other[f.status] ?? 0) + 1;
  const rendered = m.stats?.rendered ?? m.frames.length;
  const kept = m.stats?.kept ?? 0;
  const notes = Object.entries(other).map(([k, v]) => `${v} ${k}`);
  return `${m.frameCount} frames: ${rendered} rendered${kept ? `, ${kept} kept` : ''}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/**
 * A cancelled render (Ctrl-C) says how many frames are complete on disk and how to go on; other errors pass through.
 */
async function explainCancel(err: unknown, spec: JobSpecInput, total?: number): Promise<unknown> {
  const e = asReenactError(err);
  if (e.code !== 'CANCELLED') return err;
  try {
    const parsed = parseJobSpec(spec);
    const manifest = await readManifest(outputLayout(parsed).manifest);
    const layout = outputLayout(parsed);
    let done = 0;
    for (const f of manifest?.frames ?? []) if (await isCompletePngFile(layout.framePath(f.index))) done++;
    return new ReenactError(
      'CANCELLED',
      `Cancelled: ${done}${total ? ` of ${total}` : ''} frame(s) are complete and kept in ${layout.dir}. Run the same command again to resume from there.`,
      { cause: err },
    );
  } catch {
    return err;
  }
}

/** The folder of a spec's output, in either of its forms. */
function outputDir(output: JobSpecInput['output']): string {
  return typeof output === 'string' ? output : output.dir;
}

export function register(program: Command): void {
  program
    .command('render')
    .description('Render the portrait performing the driving clip into an output folder (frames + reenact.json).')
    .option('-s, --source <image>', 'portrait still (PNG, JPEG, TIFF…)')
    .option('-d, --driving <clip>', 'driving performance clip')
    .option('-o, --out <dir>', 'output folder (created; re-running resumes)')
    .option('--spec <file>', 'job spec file (JSON or YAML; every key in docs/jobs.md); flags given here override it')
    .option('--curves <file>', 'per-frame control curves (JSON {start, frames: [{mouth: 0.5}, …]}, as sampled from AE)')
    .option('--only-changed', 'update the render in --out: keep frames whose inputs and controls are unchanged')
    .addOption(
      new Option('-e, --engine <name>', `animation engine: ${engineHelp()}`)
        .choices(engineNames())
        .default(engineNames()[0]),
    )
    .addOption(new Option('--device <device>', 'execution device for neural engines').choices(DEVICES).default('auto'))
    .option(
      '--engine-option <name=value>',
      `an engine setting, repeatable, e.g. maxYawDeg=30 or regions=lips (docs/neural-engine.md). ${engineOptionHelp()}`,
      parseEngineOption,
    )
    .option('--face <choice>', 'portrait face: largest | index:N | id:N | point:X,Y', 'largest')
    .option('--driving-face <choice>', 'driving face: largest | index:N | id:N | point:X,Y', 'largest')
    .option(
      '--ref-frame <n|neutral>',
      'neutral driving frame: a clip frame number, or "neutral" for the most neutral face (default: the first frame with a face)',
      parseReference,
    )
    .option(
      '--intensity <x>',
      'motion intensity (0 = still, 1 = as performed)',
      numberFlag('--intensity', FrameControlsSchema.shape.intensity),
    )
    .option(
      '--head <x>',
      'head motion gain (roll, shift, scale, turn; 1 = as performed)',
      numberFlag('--head', FrameControlsSchema.shape.head),
    )
    .option('--brows <x>', 'eyebrow motion gain', numberFlag('--brows', FrameControlsSchema.shape.brows))
    .option('--eyes <x>', 'eyelid motion gain', numberFlag('--eyes', FrameControlsSchema.shape.eyes))
    .option('--mouth <x>', 'mouth motion gain', numberFlag('--mouth', FrameControlsSchema.shape.mouth))
    .option(
      '--blink <x>',
      'blink gain on top of --eyes (0 = never blink)',
      numberFlag('--blink', FrameControlsSchema.shape.blink),
    )
    .option(
      '--smooth <s>',
      'landmark smoothing 0 (off) … 1 (heavy)',
      numberFlag('--smooth', JobSpecSchema.shape.smoothing),
    )
    .option('--range <a-b>', 'driving clip frames to use, inclusive (e.g. 0-99)')
    .option('--chunk <a-b>', 'render only these output frames, into <out>/chunks/A-B/ (then: reenact merge <out>)')
    .option('--fps <rate>', 'conform output to this rate (e.g. 24, 29.97, 30000/1001)')
    .addOption(
      new Option(
        '--conform <how>',
        'with --fps: motion interpolates the performance to every output frame; nearest repeats or skips clip frames',
      )
        .choices(['motion', 'nearest'])
        .default('motion'),
    )
    .addOption(
      new Option('--format <format>', 'output: PNG sequence or ProRes 4444 with alpha')
        .choices(['png', 'prores'])
        .default('png'),
    )
    .addOption(
      new Option('--on-frame-failure <policy>', 'when a frame has no face or fails')
        .choices(['hold', 'neutral', 'fail'])
        .default('hold'),
    )
    .option('--preview', 'also write preview.mp4 (driving | result side by side)')
    .option('--force', 'start over, replacing an earlier render in the folder')
    .option('--json', 'print one JSON event per line instead of progress bars')
    .action(async (o: RenderFlags, command: Command) => {
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigint);
      const view = createEventView({ json: o.json });
      try {
        const spec = await buildSpec(o, (flag) => command.getOptionValueSource(flag) === 'cli');
        const out = path.resolve(outputDir(spec.output));
        if (o.onlyChanged && !(await readManifest(path.join(out, 'reenact.json')))) {
          throw new ReenactError(
            'USAGE',
            `Nothing to update in ${out}: it holds no earlier render. Run without --only-changed first.`,
          );
        }
        // The header names the device that really runs ("auto" resolved), so it waits for the engine to start.
        let total: number | undefined;
        const onEvent = (e: JobEvent) => {
          if (e.type === 'started' && !o.json) printLine(`reenact · engine ${e.engine} · device ${e.device}`);
          if (e.type === 'started') total = e.totalFrames;
          view.onEvent(e);
        };
        const manifest = await renderJob(spec, { signal: controller.signal, onEvent, previewEvery: 0 }).catch(
          async (err: unknown) => {
            view.stop();
            throw await explainCancel(err, spec, total);
          },
        );
        view.stop();
        const dir = outputLayout(manifest.spec).dir;
        if (o.json)
          printJson({
            type: 'result',
            manifest: path.join(dir, 'reenact.json'),
            frames: manifest.frameCount,
            stats: manifest.stats,
          });
        else {
          printLine(
            `→ ${path.join(dir, manifest.output)} (${manifest.format === 'png' ? 'PNG sequence' : 'ProRes 4444'}, ${manifest.fps} fps, ${describeFrames(manifest)}) + reenact.json in ${formatSeconds(manifest.timings.totalSeconds)}`,
          );
          if (manifest.preview) printLine(`→ ${path.join(dir, manifest.preview)} (driving | result)`);
        }
      } finally {
        view.stop();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
}
