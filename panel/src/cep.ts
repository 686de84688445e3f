/**
 * The panel's only contact with CEP's host bridge (`window.__adobe_cep__`): a typed, Promise-based evalScript that
 * turns the host scripts' `{ok:false}` envelopes into HostError, the theme (AE's panel colours), and the
 * extension folder. A small wrapper of our own instead of Adobe's CSInterface.js: three calls are all we need, and
 * they are typed here.
 *
 * Every host call is one short verb of `reenact.*` (bridge/src/api/host.ts); evalScript itself is asynchronous,
 * so the panel never waits on AE: it awaits a Promise while the UI stays live.
 */
import type { HostApi, HostEnvelope, HostErrorCode } from '../../bridge/src/api/host.js';

/** The part of CEP's `window.__adobe_cep__` the panel uses. */
export interface CepHost {
  evalScript(script: string, callback: (result: string) => void): void;
  getHostEnvironment(): string;
  getSystemPath(kind: string): string;
  addEventListener(type: string, listener: (event: unknown) => void, obj?: unknown): void;
}

/** Codes of the host scripts plus the panel-side failures of the call itself. */
export type HostCallErrorCode = HostErrorCode | 'NO_HOST' | 'NOT_LOADED' | 'TIMEOUT' | 'BAD_REPLY';

export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly code: HostCallErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const THEME_EVENT = 'com.adobe.csxs.events.ThemeColorChanged';

export function cepHost(): CepHost | undefined {
  return (window as unknown as { __adobe_cep__?: CepHost }).__adobe_cep__;
}

/**
 * Source text of one call: `reenact.name(arg, …)` with every argument as a JS literal (objects as JSON strings).
 * U+2028/U+2029 are escaped: JSON leaves them raw, and in ExtendScript (ES3) they end the line inside a string.
 */
export function callSource(name: string, args: readonly unknown[]): string {
  const es3 = (text: string) => text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const literal = (a: unknown): string => {
    if (a === undefined || a === null) return 'null';
    if (typeof a === 'object') return es3(JSON.stringify(JSON.stringify(a)));
    return es3(JSON.stringify(a));
  };
  return `reenact.${name}(${args.map(literal).join(',')})`;
}

/** Parses what evalScript answered for `script` into the value, or throws HostError. */
export function parseReply<T>(script: string, reply: string): T {
  if (reply === 'EvalScript error.') {
    throw new HostError(
      'NOT_LOADED',
      `After Effects could not run ${script.split('(')[0]}: the reenact host script is not loaded. Close and reopen the panel (Window ▸ Extensions ▸ reenact).`,
    );
  }
  let envelope: HostEnvelope<T>;
  try {
    envelope = JSON.parse(reply) as HostEnvelope<T>;
  } catch {
    throw new HostError('BAD_REPLY', `After Effects answered ${script.split('(')[0]} with ${reply.slice(0, 80)}.`);
  }
  if (!envelope || typeof envelope !== 'object' || !('ok' in envelope)) {
    throw new HostError('BAD_REPLY', `After Effects answered ${script.split('(')[0]} without a result envelope.`);
  }
  if (!envelope.ok) throw new HostError(envelope.error.code, envelope.error.message);
  return envelope.value;
}

/** Evaluates raw ExtendScript source; resolves with its string result. Rejects after `timeoutMs`. */
export function evalRaw(script: string, timeoutMs = 30_000, host = cepHost()): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!host) {
      reject(new HostError('NO_HOST', 'This panel runs outside After Effects: there is no host to ask.'));
      return;
    }
    const timer = setTimeout(
      () =>
        reject(
          new HostError(
            'TIMEOUT',
            `After Effects did not answer ${script.split('(')[0]} within ${timeoutMs / 1000} s.`,
          ),
        ),
      timeoutMs,
    );
    host.evalScript(script, (result) => {
      clearTimeout(timer);
      resolve(String(result));
    });
  });
}

type Args<K extends keyof HostApi> = Parameters<HostApi[K]>;
type Result<K extends keyof HostApi> = ReturnType<HostApi[K]>;

/** One host verb: `await callHost('pickInputs')`. @throws HostError with the host's code and message. */
export async function callHost<K extends keyof HostApi>(name: K, ...args: Args<K>): Promise<Result<K>> {
  const script = callSource(name, args);
  return parseReply<Result<K>>(script, await evalRaw(script));
}

/** Path of the saved project file, or null when the project was never saved (ES3 source, no envelope needed). */
export async function projectFile(): Promise<string | null> {
  const out = await evalRaw("(function(){var f=app.project.file;return f?f.fsName:'';})()");
  return out && out !== 'EvalScript error.' ? out : null;
}

export interface Theme {
  background: string;
  light: boolean;
}

/** AE's panel background colour from the host environment (CSInterface's appSkinInfo). */
export function readTheme(host = cepHost()): Theme | undefined {
  if (!host) return undefined;
  try {
    const env = JSON.parse(host.getHostEnvironment()) as {
      appSkinInfo?: { panelBackgroundColor?: { color?: { red: number; green: number; blue: number } } };
    };
    const c = env.appSkinInfo?.panelBackgroundColor?.color;
    if (!c) return undefined;
    const [r, g, b] = [c.red, c.green, c.blue].map((v) => Math.max(0, Math.min(255, Math.round(v))));
    const luma = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    return { background: `rgb(${r}, ${g}, ${b})`, light: luma > 0.5 };
  } catch {
    return undefined;
  }
}

/** Applies a theme as CSS variables: `data-theme` picks the palette, `--bg` matches AE's panel exactly. */
export function applyTheme(theme: Theme | undefined, root = document.documentElement): void {
  root.dataset.theme = theme?.light ? 'light' : 'dark';
  if (theme) root.style.setProperty('--bg', theme.background);
}

/** Follows AE's theme: applies it now and on every ThemeColorChanged event. */
export function followTheme(host = cepHost()): void {
  applyTheme(readTheme(host));
  host?.addEventListener(THEME_EVENT, () => applyTheme(readTheme(host)));
}

/** The extension's folder as a native path (CSInterface.getSystemPath(EXTENSION) without its file:// prefix). */
export function extensionFolder(host = cepHost()): string | undefined {
  const raw = host?.getSystemPath('extension');
  if (!raw) return undefined;
  const decoded = decodeURI(raw);
  if (/^file:\/\/\/[A-Za-z]:/.test(decoded)) return decoded.slice(8);
  return decoded.replace(/^file:\/\//, '');
}
