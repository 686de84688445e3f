/**
 * The Motion, Output and Engine groups: every control is bound once to the persisted settings (each change is saved
 * at once), and the engine and device menus list what the bridge offers, with the reason beside what it cannot run.
 */
import type { DeviceAvailability, EngineAvailability } from '../../bridge/src/api/schema.js';
import { DEVICE_LABELS } from '../../bridge/src/onnx/devices.js';
import { $, h } from './dom.js';
import { type Settings, saveSettings } from './settings.js';

/**
 * Fills the engine and device menus with what the bridge's registry lists, by label; a test engine shows only when
 * the settings already name it. An engine that only lacks its models reads "needs models" (the Install models button
 * below says the rest).
 */
export function fillEngineChoices(
  engines: EngineAvailability[],
  devices: DeviceAvailability[],
  settings: Settings,
): EngineAvailability[] {
  const shown = engines.filter((e) => !e.testOnly || settings.engine === e.name);
  const engine = $<HTMLSelectElement>('engine');
  engine.textContent = '';
  for (const e of shown) {
    const why = e.needsModels ? 'needs models' : (e.reason ?? 'unavailable');
    const text = `${e.label}${e.available ? '' : ` · ${why}`}`;
    const o = h('option', { value: e.name }, text);
    o.disabled = !e.available;
    engine.append(o);
  }
  engine.value = settings.engine;
  const device = $<HTMLSelectElement>('device');
  device.textContent = '';
  for (const d of devices) {
    const label = DEVICE_LABELS[d.name] ?? d.name;
    const o = h('option', { value: d.name }, d.experimental ? `${label} (experimental)` : label);
    o.disabled = !d.available;
    if (d.reason) o.title = d.reason;
    device.append(o);
  }
  device.value = settings.device;
  return shown;
}

/** Binds every option control to `st`; `changed` repaints what depends on them (custom range fields). */
export function bindOptions(st: Settings, changed: () => void): void {
  const persist = () => saveSettings(st);
  for (const key of ['intensity', 'smoothing', 'eyes', 'brows', 'mouth', 'head'] as const) {
    const input = $<HTMLInputElement>(key);
    const out = $(`${key}-out`);
    input.value = String(st[key]);
    out.textContent = st[key].toFixed(2);
    input.addEventListener('input', () => {
      st[key] = Number(input.value);
      out.textContent = st[key].toFixed(2);
      persist();
    });
  }
  const select = <K extends 'range' | 'format' | 'engine' | 'device' | 'onFrameFailure'>(id: string, key: K) => {
    const el = $<HTMLSelectElement>(id);
    el.value = st[key];
    el.addEventListener('change', () => {
      (st as unknown as Record<string, string>)[key] = el.value;
      persist();
      changed();
    });
  };
  select('range', 'range');
  select('format', 'format');
  select('engine', 'engine');
  select('device', 'device');
  select('face-lost', 'onFrameFailure');
  const text = (id: string, key: 'folder' | 'nodePath' | 'bridgeUrl' | 'bridgeToken') => {
    const el = $<HTMLInputElement>(id);
    el.value = st[key];
    el.addEventListener('change', () => {
      st[key] = el.value.trim();
      persist();
    });
  };
  text('folder', 'folder');
  text('node-path', 'nodePath');
  text('bridge-url', 'bridgeUrl');
  text('bridge-token', 'bridgeToken');
  for (const [id, key] of [
    ['range-start', 'customStart'],
    ['range-end', 'customEnd'],
  ] as const) {
    const el = $<HTMLInputElement>(id);
    el.value = String(st[key]);
    el.addEventListener('change', () => {
      st[key] = Math.max(0, Math.round(Number(el.value) || 0));
      persist();
    });
  }
  for (const g of ['motion', 'output', 'engine'] as const) {
    const d = $<HTMLDetailsElement>(`group-${g}`);
    d.open = st.open[g];
    d.addEventListener('toggle', () => {
      st.open[g] = d.open;
      persist();
    });
  }
  const choose = $('folder-choose');
  const cepFs = (
    window as unknown as { cep?: { fs?: { showOpenDialogEx?: (...a: unknown[]) => { data?: string[] } } } }
  ).cep?.fs;
  if (cepFs?.showOpenDialogEx) {
    choose.hidden = false;
    choose.addEventListener('click', () => {
      const r = cepFs.showOpenDialogEx?.(false, true, 'Output folder for reenact', st.folder || '');
      const dir = r?.data?.[0];
      if (dir) {
        st.folder = dir;
        $<HTMLInputElement>('folder').value = dir;
        persist();
      }
    });
  }
}
