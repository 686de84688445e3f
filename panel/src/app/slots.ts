/**
 * The portrait and performance slots and the face picker: "Use selected" asks the host which layers are selected,
 * the portrait becomes a file the bridge can read (its footage, or a PNG the host renders once), the bridge lists
 * the faces of both, and "Set to current time" picks the reference frame.
 */

import type { LayerInfo, LayerRect } from '../../../bridge/src/api/host.js';
import { waitForCompletePng } from '../../../bridge/src/api/png-ready.js';
import { messageOf } from '../../../bridge/src/errors.js';
import { callHost } from '../cep.js';
import { $, notice } from '../dom.js';
import { renderChips } from '../faces.js';
import { joinPath } from '../launch.js';
import { drivingFaces, layerSummary, timecode } from '../model.js';
import { type PanelContext, PERFORMANCE_KINDS, PORTRAIT_KINDS } from './context.js';

type Slot = 'portrait' | 'performance';

/** The portrait as the bridge reads it, and the part of the layer that file shows (null: the whole image file). */
export interface PortraitFile {
  file: string;
  rect: LayerRect | null;
}

export class Slots {
  /** The portrait file of each layer id, made once: every caller shares the one export in flight. */
  private readonly portraitFiles = new Map<number, Promise<PortraitFile>>();
  private faceScan = 0;

  constructor(private readonly ctx: PanelContext) {}

  bind(): void {
    for (const slot of ['portrait', 'performance'] as const) {
      $(`${slot}-use`).addEventListener('click', () => void this.useSelected(slot));
      $(`${slot}-clear`).addEventListener('click', () => this.clear(slot));
    }
    $('swap').addEventListener('click', () => this.swap());
    $('ref-now').addEventListener('click', () => void this.referenceNow());
    $('ref-auto').addEventListener('click', () => {
      this.ctx.s.referenceFrame = 'auto';
      this.ctx.s.referenceFrom = '';
      this.ctx.render();
    });
  }

  private async useSelected(target: Slot): Promise<void> {
    const { s } = this.ctx;
    const msg = $('selection-message');
    notice(msg, '');
    try {
      const picked = await callHost('pickInputs');
      s.comp = picked.comp;
      if (!picked.portrait && !picked.performance) throw new Error('Nothing usable is selected.');
      if (target === 'portrait' && !picked.portrait && picked.performance && !s.performance) {
        // One clip selected from the portrait slot: it is the performance.
      } else if (target === 'portrait' && !picked.portrait) {
        notice(
          msg,
          `Layer "${picked.performance?.name}" is a video clip: it drives the performance. Select a still image (or a comp, text or shape layer) for the portrait.`,
        );
      } else if (target === 'performance' && !picked.performance) {
        notice(
          msg,
          `Layer "${picked.portrait?.name}" is a still: it has no motion to follow. Select the video layer of the performance.`,
        );
      }
      if (picked.portrait) s.portrait = picked.portrait;
      if (picked.performance) this.setPerformance(picked.performance);
      this.afterSlotsChanged();
    } catch (err) {
      notice(msg, messageOf(err), 'error');
      this.ctx.render();
    }
  }

  private setPerformance(layer: LayerInfo): void {
    const { s } = this.ctx;
    s.performance = layer;
    s.referenceFrame = 'auto';
    s.referenceFrom = '';
    void callHost('readNeutralMarker', layer.id)
      .then((marker) => {
        if (marker && s.performance?.id === layer.id) {
          s.referenceFrame = marker.frame;
          s.referenceFrom = 'marker';
          this.ctx.render();
        }
      })
      .catch(() => {});
  }

  private clear(slot: Slot): void {
    this.ctx.s[slot] = null;
    notice($('selection-message'), '');
    this.afterSlotsChanged();
  }

  private swap(): void {
    const { s } = this.ctx;
    const { portrait, performance } = s;
    notice($('selection-message'), '');
    s.portrait = performance;
    s.performance = portrait;
    this.afterSlotsChanged();
  }

  /** Plain-word reasons the slots cannot be used as they are, or ''. */
  problem(): string {
    const { portrait, performance } = this.ctx.s;
    if (performance && !PERFORMANCE_KINDS.includes(performance.kind)) {
      return `Layer "${performance.name}" is a ${performance.kind} layer: it has no motion to follow. Select a video clip for the performance (or swap back).`;
    }
    if (portrait && !PORTRAIT_KINDS.includes(portrait.kind)) {
      return `Layer "${portrait.name}" is a ${portrait.kind} layer, which has no face to use. Select a still image for the portrait.`;
    }
    if (portrait && performance && portrait.id === performance.id) {
      return `Layer "${portrait.name}" is in both slots. Select a different portrait.`;
    }
    return '';
  }

  private afterSlotsChanged(): void {
    const { s } = this.ctx;
    s.faces = { source: [], driving: [], source_pick: 0, scanned: false };
    const problem = this.problem();
    if (problem) notice($('selection-message'), problem, 'error');
    this.ctx.render();
    if (!problem && s.portrait) void this.scanFaces();
  }

  /**
   * The portrait as a file the bridge can read: the footage file, or a PNG the host renders once. Asked twice at
   * once (a face scan started by the slot and another by the bridge connecting), both get the one export.
   */
  portraitFile(layer: LayerInfo): Promise<PortraitFile> {
    let known = this.portraitFiles.get(layer.id);
    if (!known) {
      known = this.makePortraitFile(layer);
      this.portraitFiles.set(layer.id, known);
      // A failed export is tried again next time.
      known.catch(() => this.portraitFiles.delete(layer.id));
    }
    return known;
  }

  private async makePortraitFile(layer: LayerInfo): Promise<PortraitFile> {
    if (!layer.needsExport && layer.kind !== 'video' && layer.file) return { file: layer.file, rect: null };
    const { deps, s } = this.ctx;
    if (!deps || !s.conn) {
      throw new Error(
        `Layer "${layer.name}" must first be rendered to a PNG, which needs the local bridge. Click Reconnect, then try again.`,
      );
    }
    // The folder is made here: ExtendScript may not create folders (Allow Scripts to Write Files is off by default).
    const folder = joinPath(deps.platform, deps.tmpdir, 'reenact', 'stills');
    await deps.mkdir(folder);
    const out = joinPath(deps.platform, folder, `still_${layer.id}_${Date.now()}.png`);
    const still = await callHost('exportStill', layer.id, null, out);
    // Recent AE writes the PNG after the call returns: wait for its last chunk before the bridge reads it.
    if (!still.written) await waitForCompletePng(still.file, (f) => deps.readBytes(f), { intervalMs: 100 });
    // saveFrameToPng premultiplies the colour: read a straight copy, or the edges come out dark.
    const { file } = await s.conn.client.straightStill(still.file);
    return { file, rect: still.rect };
  }

  async scanFaces(): Promise<void> {
    const { portrait, performance, conn } = this.ctx.s;
    if (!portrait || !conn) return;
    const scan = ++this.faceScan;
    const msg = $('faces-message');
    notice(msg, 'Looking for faces…', 'info');
    $('faces').hidden = false;
    try {
      const { file: source } = await this.portraitFile(portrait);
      const driving = performance?.file && PERFORMANCE_KINDS.includes(performance.kind) ? performance.file : undefined;
      const range = performance?.range ?? undefined;
      const res = await conn.client.faces({
        source,
        driving,
        samples: 5,
        thumbSize: 64,
        ...(driving && range ? { range } : {}),
      });
      if (scan !== this.faceScan) return;
      const f = this.ctx.s.faces;
      f.source = res.source.faces;
      f.driving = drivingFaces(res.driving);
      f.source_pick = 0; // largest first
      f.driving_pick = f.driving[0]?.id;
      f.scanned = true;
      if (!f.source.length) {
        notice(
          msg,
          `No face found in "${portrait.name}". Use a portrait where the face is clearly visible, facing the camera, at least about 100 px tall.`,
          'error',
        );
      } else if (driving && !f.driving.length) {
        notice(
          msg,
          `No face found in the frames of "${performance?.name}" that were sampled. Check the range (Output ▸ range) or choose a clip where the face is visible.`,
          'error',
        );
      } else {
        notice(msg, '');
      }
    } catch (err) {
      if (scan !== this.faceScan) return;
      this.ctx.s.faces.scanned = false;
      notice(msg, `Faces could not be listed: ${messageOf(err)} The render will use the largest face.`);
    }
    this.ctx.render();
  }

  private async referenceNow(): Promise<void> {
    const { s } = this.ctx;
    const perf = s.performance;
    if (!perf) return;
    try {
      // The frame under the time indicator of the performance's own comp, as the host maps it (stretch, reversal).
      const { layer } = await callHost('describeLayer', perf.id);
      s.referenceFrame = layer.frameAtTime ?? 0;
      s.referenceFrom = 'time';
    } catch (err) {
      notice($('selection-message'), messageOf(err), 'error');
    }
    this.ctx.render();
  }

  /** Repaints both slots, the face chips and the reference frame line. */
  paint(): void {
    const { portrait, performance, comp } = this.ctx.s;
    const slot = (name: Slot, layer: LayerInfo | null, empty: string) => {
      $(`slot-${name}`).dataset.empty = String(!layer);
      $(`${name}-name`).textContent = layer ? layer.name : 'none';
      $(`${name}-meta`).textContent = layer && comp ? layerSummary(layer, comp) : empty;
      $<HTMLButtonElement>(`${name}-clear`).disabled = !layer;
    };
    slot('portrait', portrait, 'select a still layer');
    slot('performance', performance, 'select a video layer');
    $<HTMLButtonElement>('swap').disabled = !portrait && !performance;
    $('faces').hidden = !portrait;
    this.paintFaces();
  }

  private paintFaces(): void {
    const { s } = this.ctx;
    const f = s.faces;
    const pick = (key: 'index' | 'id', value: number) => {
      if (key === 'index') f.source_pick = value;
      else f.driving_pick = value;
      this.ctx.render();
    };
    renderChips($('faces-source'), f.source, f.source_pick, 'index', 'Portrait', pick);
    renderChips($('faces-driving'), f.driving, f.driving_pick, 'id', 'Performance', pick);
    $('faces-arrow').hidden = !(f.source.length && f.driving.length);
    const perf = s.performance;
    const ref = s.referenceFrame;
    $('ref-text').textContent =
      ref === 'auto'
        ? 'first frame with a face'
        : `frame ${ref}${perf?.sourceFps ? ` (${timecode(ref / (perf.sourceFps.num / perf.sourceFps.den), perf.sourceFps)})` : ''}${s.referenceFrom === 'marker' ? ' · from marker' : ''}`;
    $<HTMLButtonElement>('ref-now').disabled = !perf;
  }
}
