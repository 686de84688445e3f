/**
 * The panel controller. Its sections live in app/: the bridge connection (connection.ts), the layer slots and faces
 * (slots.ts), rendering with live progress and the import (run.ts), the AE-native controls (controls.ts) and the
 * Recent list (recent.ts); they share one state object and each other through PanelContext (app/context.ts).
 *
 * How the DOM is updated: render() repaints what follows from the state (the slots, the face chips, the reference
 * line, which panels show and which buttons are enabled) and runs after every state change. What arrives as a
 * stream is written straight to its element as it comes instead, without a repaint: the status line (connection),
 * progress bar and text, preview image and message lines (run), and the Recent list (recent, redrawn from the bridge).
 */

import { Connection } from './app/connection.js';
import type { PanelContext, Sections, State } from './app/context.js';
import { Controls } from './app/controls.js';
import { Recent } from './app/recent.js';
import { Runs } from './app/run.js';
import { Slots } from './app/slots.js';
import { $, notice } from './dom.js';
import { type JobMeta, loadJobMeta } from './jobs.js';
import { cepNodeDeps, type NodeDeps } from './launch.js';
import { bindOptions } from './options.js';
import type { Settings } from './settings.js';
import { loadSettings } from './settings.js';

export class PanelApp implements PanelContext {
  readonly settings: Settings = loadSettings();
  readonly deps: NodeDeps | undefined = cepNodeDeps();
  readonly meta: Record<string, JobMeta> = loadJobMeta();
  readonly s: State = {
    engines: [],
    portrait: null,
    performance: null,
    faces: { source: [], driving: [], source_pick: 0, scanned: false },
    referenceFrame: 'auto',
    referenceFrom: '',
    jobs: [],
    busy: false,
  };
  readonly sections: Sections = {
    connection: new Connection(this),
    slots: new Slots(this),
    runs: new Runs(this),
    controls: new Controls(this),
    recent: new Recent(this),
  };

  start(): void {
    bindOptions(this.settings, () => this.render());
    const { connection, slots, runs, controls } = this.sections;
    connection.bind();
    slots.bind();
    runs.bind();
    controls.bind();
    this.render();
    void connection.connect();
  }

  jobMessage(text: string, kind: 'error' | 'warn' | 'info' = 'error'): void {
    notice($('job-message'), text, kind);
  }

  render(): void {
    const { s, settings, sections } = this;
    const { portrait, performance, conn, job, faces } = s;
    sections.slots.paint();
    $('custom-range').hidden = settings.range !== 'custom';
    const noFace = faces.scanned && (!faces.source.length || (!!performance && !faces.driving.length));
    const ready = !!portrait && !!performance && !!conn && !sections.slots.problem() && !noFace;
    const animate = $<HTMLButtonElement>('animate');
    animate.disabled = !ready || s.busy || !!job;
    animate.title = !conn
      ? 'Waiting for the bridge'
      : !portrait || !performance
        ? 'Fill both slots first (Use selected)'
        : '';
    $('progress').hidden = !job;
    $<HTMLButtonElement>('cancel').disabled = !job;
    $('result').hidden = !s.result;
    $<HTMLButtonElement>('add-controls').disabled = !!job || !s.result;
    $<HTMLButtonElement>('update').disabled = !!job || !s.result || !conn;
  }
}
