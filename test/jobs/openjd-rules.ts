/**
 * The OpenJD job-template rules (specification 2023-09, plus the TASK_CHUNKING extension) that reenact's template
 * relies on, checked by tests on the parsed YAML: required keys, name lengths and characters, parameter types and
 * defaults, step dependencies, and that every {{format string}} reference names something defined in its scope.
 * Returns the list of broken rules (empty = fine). A test oracle, not a full schema validator.
 */
type Doc = Record<string, unknown>;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const JOB_PARAM_TYPES = ['STRING', 'INT', 'FLOAT', 'PATH'];
const TASK_PARAM_TYPES = ['INT', 'FLOAT', 'STRING', 'PATH', 'CHUNK[INT]'];
const EXTENSIONS = ['TASK_CHUNKING'];

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

function references(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]);
}

export function openJdProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(doc.specificationVersion === 'jobtemplate-2023-09', 'specificationVersion must be jobtemplate-2023-09');
  need(typeof doc.name === 'string' && doc.name.length >= 1 && doc.name.length <= 128, 'name: 1-128 characters');
  const extensions = (doc.extensions ?? []) as string[];
  need(Array.isArray(extensions) && extensions.every((e) => EXTENSIONS.includes(e)), 'extensions: known names only');
  const params = (doc.parameterDefinitions ?? []) as Doc[];
  const paramNames = new Set<string>();
  for (const p of params) {
    const name = String(p.name);
    need(IDENT.test(name), `parameter ${name}: identifier of at most 64 characters`);
    need(!paramNames.has(name), `parameter ${name}: unique`);
    paramNames.add(name);
    need(JOB_PARAM_TYPES.includes(String(p.type)), `parameter ${name}: type one of ${JOB_PARAM_TYPES}`);
    if (p.type === 'INT') {
      need(p.default === undefined || Number.isInteger(p.default), `parameter ${name}: INT default`);
      if (typeof p.minValue === 'number')
        need((p.default as number) >= p.minValue, `parameter ${name}: default ≥ minValue`);
      if (typeof p.maxValue === 'number')
        need((p.default as number) <= p.maxValue, `parameter ${name}: default ≤ maxValue`);
    }
    if (p.type === 'STRING' || p.type === 'PATH')
      need(p.default === undefined || typeof p.default === 'string', `parameter ${name}: string default`);
    if (p.type === 'PATH') {
      need(['FILE', 'DIRECTORY'].includes(String(p.objectType ?? 'FILE')), `parameter ${name}: objectType`);
      need(['IN', 'OUT', 'INOUT', 'NONE'].includes(String(p.dataFlow ?? 'NONE')), `parameter ${name}: dataFlow`);
    }
  }
  const steps = doc.steps as Doc[];
  need(Array.isArray(steps) && steps.length >= 1, 'steps: at least one');
  const stepNames = new Set<string>();
  for (const step of steps ?? []) {
    const name = String(step.name);
    need(name.length >= 1 && name.length <= 64, `step ${name}: name 1-64 characters`);
    need(!stepNames.has(name), `step ${name}: unique`);
    stepNames.add(name);
  }
  for (const step of steps ?? []) {
    const name = String(step.name);
    for (const d of (step.dependencies ?? []) as Doc[])
      need(stepNames.has(String(d.dependsOn)) && d.dependsOn !== name, `step ${name}: depends on another defined step`);
    const onRun = ((step.script as Doc)?.actions as Doc)?.onRun as Doc | undefined;
    need(typeof onRun?.command === 'string' && onRun.command.length > 0, `step ${name}: script.actions.onRun.command`);
    need(
      onRun?.args === undefined || (Array.isArray(onRun.args) && onRun.args.every((a) => typeof a === 'string')),
      `step ${name}: args are strings`,
    );
    const taskParams = (((step.parameterSpace as Doc)?.taskParameterDefinitions ?? []) as Doc[]) ?? [];
    const taskNames = new Set(taskParams.map((t) => String(t.name)));
    for (const t of taskParams) {
      need(IDENT.test(String(t.name)), `step ${name} task parameter ${t.name}: identifier`);
      need(TASK_PARAM_TYPES.includes(String(t.type)), `step ${name} task parameter ${t.name}: type`);
      if (t.type === 'CHUNK[INT]') {
        need(extensions.includes('TASK_CHUNKING'), 'CHUNK[INT] needs the TASK_CHUNKING extension');
        const chunks = t.chunks as Doc | undefined;
        need(
          t.range !== undefined && chunks?.defaultTaskCount !== undefined,
          `step ${name}: CHUNK[INT] range and chunks.defaultTaskCount`,
        );
        need(
          ['CONTIGUOUS', 'NONCONTIGUOUS'].includes(String(chunks?.rangeConstraint)),
          `step ${name}: chunks.rangeConstraint`,
        );
      }
    }
    need(taskParams.filter((t) => t.type === 'CHUNK[INT]').length <= 1, `step ${name}: at most one CHUNK[INT]`);
    for (const text of strings(step))
      for (const ref of references(text)) {
        const [scope, kind, param] = ref.split('.');
        const ok =
          ((scope === 'Param' || scope === 'RawParam') && paramNames.has(kind)) ||
          (scope === 'Task' && (kind === 'Param' || kind === 'RawParam') && taskNames.has(param)) ||
          ref === 'Session.WorkingDirectory';
        need(ok, `step ${name}: format string reference {{${ref}}} names nothing defined here`);
      }
  }
  for (const text of strings(doc.parameterDefinitions))
    for (const ref of references(text)) problems.push(`parameter definitions may not reference {{${ref}}}`);
  return problems;
}

/** "0-47" with chunks of 20, CONTIGUOUS → ["0-19", "20-39", "40-47"]. */
export function expandChunks(range: string, size: number): string[] {
  const m = /^(\d+)-(\d+)$/.exec(range);
  if (!m) throw new Error(`unsupported range ${range}`);
  const out: string[] = [];
  for (let a = Number(m[1]); a <= Number(m[2]); a += size) out.push(`${a}-${Math.min(a + size - 1, Number(m[2]))}`);
  return out;
}
