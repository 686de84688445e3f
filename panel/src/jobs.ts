/**
 * The "Recent" list: the bridge's jobs, newest first, with what the panel remembers about each (which layers it was
 * made from, whether it was imported) so that re-import works after the panel was closed.
 */
import type { LayerRect } from '../../bridge/src/api/host.js';
import type { JobSummary } from '../../bridge/src/api/schema.js';
import { baseName, h } from './dom.js';

export interface JobMeta {
  portraitId: number;
  performanceId: number | null;
  portraitName: string;
  performanceName: string;
  /** The part of the portrait an exported portrait's file shows (for importing it later). */
  portraitRect?: LayerRect | null;
  imported?: boolean;
}

export const JOBS_KEY = 'reenact.jobs.v1';

export function loadJobMeta(storage: Storage = localStorage): Record<string, JobMeta> {
  try {
    return (JSON.parse(storage.getItem(JOBS_KEY) ?? '{}') as Record<string, JobMeta>) ?? {};
  } catch {
    return {};
  }
}

export function saveJobMeta(meta: Record<string, JobMeta>, storage: Storage = localStorage): void {
  // Keep the 50 newest ids (ids sort by time).
  const kept = Object.keys(meta).sort().slice(-50);
  const out: Record<string, JobMeta> = {};
  for (const id of kept) out[id] = meta[id];
  try {
    storage.setItem(JOBS_KEY, JSON.stringify(out));
  } catch {}
}

export type JobAction = 'rerun' | 'reveal' | 'reimport';

function stateText(job: JobSummary, meta: JobMeta | undefined): string {
  switch (job.state) {
    case 'done':
      return meta?.imported ? '✓ imported' : '✓ done';
    case 'failed':
      if (job.error?.code === 'OUTPUT_EXISTS') return '✗ folder holds another render';
      // The first sentence; the whole message is the tooltip.
      return `✗ ${(job.error?.message ?? 'failed').split(/(?<=\.)\s/)[0]}`;
    case 'running':
      return job.progress ? `${Math.round((100 * job.progress.done) / Math.max(1, job.progress.total))}%` : 'running';
    default:
      return job.state;
  }
}

export function renderJobs(
  list: HTMLElement,
  jobs: JobSummary[],
  meta: Record<string, JobMeta>,
  canReveal: boolean,
  onAction: (action: JobAction, job: JobSummary) => void,
): void {
  list.textContent = '';
  const recent = [...jobs].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 6);
  if (!recent.length) {
    list.append(h('li', { class: 'empty' }, 'No renders yet.'));
    return;
  }
  for (const job of recent) {
    const m = meta[job.id];
    const name = m
      ? `${m.portraitName} ← ${m.performanceName}`
      : `${baseName(job.spec.source)} ← ${baseName(job.spec.driving)}`;
    const state = h(
      'span',
      { class: 'job-state', 'data-state': job.state, title: job.error?.message ?? '' },
      stateText(job, m),
    );
    const buttons = h('span', { class: 'job-buttons' });
    const button = (action: JobAction, text: string, label: string) => {
      const b = h('button', { type: 'button', 'data-action': action, 'aria-label': `${label}: ${name}` }, text);
      b.addEventListener('click', () => onAction(action, job));
      buttons.append(b);
    };
    const active = job.state === 'running' || job.state === 'queued';
    if (!active) button('rerun', 'Re-run', 'Render again');
    if (canReveal) button('reveal', 'Reveal', 'Show the output folder');
    if (job.state === 'done') button('reimport', 'Re-import', 'Import into the comp again');
    list.append(h('li', { 'data-job': job.id }, h('span', { class: 'job-name', title: name }, name), state, buttons));
  }
}
