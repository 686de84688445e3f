/**
 * How farm software reads reenact's job bundles, as strictly as the real thing, so tests can submit a bundle from
 * wherever it was moved to:
 * - Deadline Cloud CLI (`deadline bundle submit <bundle>`): job parameter values, per aws-deadline/deadline-cloud
 *   src/deadline/client/job_bundle/parameters.py, read_job_bundle_parameters(): values from parameter_values.yaml win;
 *   a PATH parameter left at its default must have a RELATIVE default that resolves inside the bundle (an absolute one
 *   is an error: "PATH values must be relative, and must resolve within the Job Bundle directory") and is joined to
 *   the bundle folder; a parameter with neither is an error at submission ("No parameter value provided for Job
 *   Template parameter …", apply_job_parameters()).
 * - Deadline 10: `deadlinecommand -SubmitMultipleJobs -dependent -job <JobInfo> <PluginInfo> [auxiliary files…] -job …`
 *   copies each job's auxiliary files into its repository job folder, synced to the worker, and the CommandLine
 *   plugin replaces <AUXFILE#> with the path of auxiliary file # (Deadline 10 manual, "Manual Job Submission").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

interface ParameterDefinition {
  name: string;
  type: string;
  default?: string | number;
  allowedValues?: unknown[];
}

/** The value of every template parameter for `deadline bundle submit <bundle>` (as strings, for format strings). */
export function bundleParameters(bundle: string): Record<string, string> {
  const template = parseYaml(readFileSync(path.join(bundle, 'template.yaml'), 'utf8')) as {
    parameterDefinitions: ParameterDefinition[];
  };
  let values: { name: string; value: string | number }[] = [];
  try {
    values = parseYaml(readFileSync(path.join(bundle, 'parameter_values.yaml'), 'utf8'))?.parameterValues ?? [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const given = new Map(values.map((v) => [v.name, v.value]));
  const out: Record<string, string> = {};
  for (const p of template.parameterDefinitions) {
    if (given.has(p.name)) {
      out[p.name] = String(given.get(p.name));
      continue;
    }
    if (p.default === undefined || p.default === '')
      throw new Error(
        `Job Template for job bundle ${bundle}: No parameter value provided for Job Template parameter ${p.name}, and it has no default value.`,
      );
    if (p.type === 'PATH' && !p.allowedValues) {
      const d = String(p.default);
      if (path.isAbsolute(d))
        throw new Error(
          `Job Template for job bundle ${bundle}: Default PATH '${d}' for parameter '${p.name}' is absolute. PATH values must be relative, and must resolve within the Job Bundle directory.`,
        );
      const resolved = path.resolve(bundle, d);
      if (path.relative(bundle, resolved).startsWith('..'))
        throw new Error(`Default PATH '${resolved}' for parameter '${p.name}' specifies files outside of ${bundle}.`);
      out[p.name] = resolved;
    } else out[p.name] = String(p.default);
  }
  return out;
}

/** The auxiliary files the submit command in submit.txt sends with the job whose PluginInfo is `pluginInfo`. */
export function deadlineAuxFiles(submitText: string, pluginInfo: string): string[] {
  const line = submitText.split('\n').find((l) => l.includes('deadlinecommand -SubmitMultipleJobs'));
  if (!line) throw new Error('submit.txt has no deadlinecommand -SubmitMultipleJobs line');
  const words = line.trim().split(/\s+/);
  const at = words.indexOf(pluginInfo);
  if (at < 0 || words[at - 2] !== '-job')
    throw new Error(`submit.txt does not submit ${pluginInfo} as -job <info> <plugin>`);
  const aux: string[] = [];
  for (let i = at + 1; i < words.length && words[i] !== '-job'; i++) aux.push(words[i]);
  return aux;
}
