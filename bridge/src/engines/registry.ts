/**
 * The engine registry: the one table of engines (in the spirit of transformers.js' task table). Each entry says
 * what the engine is called, how the panel labels it, which options it takes (a strict zod schema whose field
 * defaults are the engine's defaults), where its code is (the folder's index.ts, whose `create` builds it), and, for
 * an engine that can be unavailable, how to tell (a light file of the folder). Everything else derives from it: the job spec's
 * `engine.name`/`engine.options` checks, the CLI's `--engine` choices and help, `GET /engines` and so the panel's
 * engine menu, and the pipeline's factory.
 *
 * Adding an engine: a folder `engines/<name>/` (index.ts exporting `create`, config.ts with the options schema) and
 * one `registerEngine({...})` entry at the end of this file.
 *
 * Browser-safe on purpose: the job spec (shared with the panel) checks engines here, so engine code is imported
 * only when a job builds one, by a computed specifier that neither the panel's bundle nor its type check follow.
 */
import { z } from 'zod';
import { messageOf, ReenactError } from '../errors.js';
import type { DeviceRequest } from '../onnx/devices.js';
import { describeIssue, issuePath } from '../util/zod-errors.js';
import { LivePortraitOptionsSchema } from './liveportrait/config.js';
import { MeshwarpConfigSchema } from './meshwarp/config.js';
import type { Engine, EngineModule, EngineState, Env } from './types.js';

/** An engine as `GET /engines` lists it. */
export interface EngineListing extends EngineState {
  name: string;
  /** What the panel's engine menu shows. */
  label: string;
  /** A test engine: menus hide it unless already chosen. */
  testOnly?: boolean;
}

export interface EngineDefinition<S extends z.ZodObject = z.ZodObject> {
  /** The spec's and CLI's name: lower case, no spaces. */
  readonly name: string;
  /** What the panel's engine menu shows. */
  readonly label: string;
  /** One line for `reenact render --help`. */
  readonly summary: string;
  /** Strict schema of `engine.options`; its field defaults are the engine's defaults. */
  readonly options: S;
  /** Kept out of the panel's menu unless the settings already name it (test engines). */
  readonly testOnly?: boolean;
  /** The engine's code (its folder's index.ts), loaded when a job builds the engine. */
  load(): Promise<EngineModule<z.output<S>>>;
  /** Whether it can run here (models installed…); absent = always. Must stay light: `GET /engines` calls it. */
  availability?(env: Env): Promise<EngineState>;
}

const ENGINES = new Map<string, EngineDefinition>();

/**
 * Adds an engine to the registry (the entries below; tests add toy engines). Returns a function that removes it.
 * @throws ReenactError INTERNAL when the name is taken or not a plain lower-case name.
 */
export function registerEngine<S extends z.ZodObject>(definition: EngineDefinition<S>): () => void {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name) || ENGINES.has(definition.name))
    throw new ReenactError('INTERNAL', `Engine name "${definition.name}" is taken or not a lower-case name.`);
  ENGINES.set(definition.name, definition as unknown as EngineDefinition);
  return () => {
    ENGINES.delete(definition.name);
  };
}

/** Every registered engine, in registration order (the default first). */
export function engineDefinitions(): EngineDefinition[] {
  return [...ENGINES.values()];
}

export function engineNames(): string[] {
  return [...ENGINES.keys()];
}

/** @throws ReenactError USAGE 'Expected one of meshwarp, liveportrait, fixture for engine.name but received "x".' */
export function engineDefinition(name: string): EngineDefinition {
  const found = ENGINES.get(name);
  if (!found)
    throw new ReenactError(
      'USAGE',
      `Expected one of ${engineNames().join(', ')} for engine.name but received ${JSON.stringify(name)}.`,
    );
  return found;
}

/** One problem with a spec's engine block: where (relative to `engine`) and what. */
export interface EngineProblem {
  path: (string | number)[];
  message: string;
}

/**
 * What is wrong with an `engine` block's name or options, for the job spec's schema (empty when nothing is):
 * `[{path: ['options', 'ringScale'], message: 'Expected a value ≤ 4 for meshwarp.ringScale but received 9.'}]`.
 */
export function engineProblems(engine: { name: string; options: unknown }): EngineProblem[] {
  const definition = ENGINES.get(engine.name);
  if (!definition)
    return [
      {
        path: ['name'],
        message: `Expected one of ${engineNames().join(', ')} for engine.name but received ${JSON.stringify(engine.name)}.`,
      },
    ];
  const result = definition.options.safeParse(engine.options ?? {});
  if (result.success) return [];
  const known = Object.keys(definition.options.shape);
  return result.error.issues.map((issue) => {
    const path = issuePath(issue).map((k) => (typeof k === 'number' ? k : String(k)));
    const name = `${engine.name}.${path.join('.')}`;
    return { path: ['options', ...path], message: describeIssue(issue, engine.options, { name, known }) };
  });
}

/**
 * An engine block's options as the engine runs with them: validated, every default filled (what a frame's key holds,
 * so a changed default re-renders frames that `{}` asked for).
 * @throws ReenactError USAGE for an unknown engine or bad options.
 */
export function resolvedEngineOptions(engine: { name: string; options: unknown }): Record<string, unknown> {
  const result = engineDefinition(engine.name).options.safeParse(engine.options ?? {});
  if (!result.success) throw new ReenactError('USAGE', engineProblems(engine)[0].message);
  return result.data;
}

/**
 * Builds the engine a job spec names (name and options as the spec validated them).
 * @throws ReenactError USAGE for an unknown engine or bad options; whatever the factory throws (MISSING_MODEL…).
 */
export async function createEngine(engine: { name: string; device: DeviceRequest; options: unknown }): Promise<Engine> {
  const options = resolvedEngineOptions(engine);
  return (await engineDefinition(engine.name).load()).create({ device: engine.device, options });
}

/** Each engine and whether it can run here (`GET /engines`, the panel's menu). */
export async function engineAvailability(env: Env): Promise<EngineListing[]> {
  return Promise.all(
    engineDefinitions().map(async (d) => {
      let state: EngineState;
      try {
        state = d.availability ? await d.availability(env) : { available: true };
      } catch (err) {
        state = { available: false, reason: `Could not check whether ${d.name} can run: ${messageOf(err)}` };
      }
      return { name: d.name, label: d.label, ...(d.testOnly ? { testOnly: true } : {}), ...state };
    }),
  );
}

/**
 * A module of an engine folder, imported on first use. The specifier is computed so that the panel's bundle and type
 * check, which read this file through the job spec, never take in an engine's Node code; test/engines/registry.test.ts
 * checks that each folder's exports fit what is asked of them here.
 */
function lazy<T>(file: string): () => Promise<T> {
  const specifier = `./${file}`;
  return async () => (await import(specifier)) as T;
}

/** An engine folder's index.js (its `create`). */
function folder<O>(name: string): () => Promise<EngineModule<O>> {
  return lazy<EngineModule<O>>(`${name}/index.js`);
}

// -------------------------------------------------------------------------------------------------------------
// The engines. The first is the default.

registerEngine({
  name: 'meshwarp',
  label: 'Default · offline',
  summary: 'warps the portrait along its face mesh, no models to download',
  options: MeshwarpConfigSchema,
  load: folder('meshwarp'),
});

registerEngine({
  name: 'liveportrait',
  label: 'Neural',
  summary: 'neural: LivePortrait models, installed by `reenact models install`, run on --device',
  options: LivePortraitOptionsSchema,
  load: folder('liveportrait'),
  async availability(env) {
    const check = await lazy<{ availability(env: Env): Promise<EngineState> }>('liveportrait/availability.js')();
    return check.availability(env);
  },
});

registerEngine({
  name: 'fixture',
  label: 'Test fixture',
  summary: 'a cheap deterministic stand-in for tests, not for artists',
  options: z.strictObject({}),
  testOnly: true,
  load: folder('fixture'),
});
