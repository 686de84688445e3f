/**
 * Runs the shipped host bundle the way AE would, as far as Node allows: inside a `vm` realm from which the ES5
 * library ExtendScript lacks has been deleted (JSON, Array#map/forEach/indexOf/filter…, Object.keys, String#trim,
 * Date.now, Function#bind…), with the simulated AE DOM as its globals. Calls go in as source text, as the panel's
 * evalScript sends them, and come back as strings. The source is parsed as ES3 first, as ExtendScript parses it:
 * there U+2028 and U+2029 end a line, so inside a string literal they are a syntax error (ECMA-262 3rd edition,
 * 7.3 and 7.8.4), which the panel sees as CEP's "EvalScript error.".
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { parse } from 'acorn';
import { HOST_BUNDLE } from '../../scripts/build-host.js';
import type { AeSim } from './ae-sim.js';

/** Deleted inside the realm before the bundle loads: what ES3 ExtendScript does not have. */
export const STRIP_ES5 = `
(function (g) {
  var gone = ['JSON', 'Symbol', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Reflect', 'Proxy'];
  var arr = ['map', 'forEach', 'indexOf', 'lastIndexOf', 'filter', 'reduce', 'reduceRight', 'some', 'every',
    'find', 'findIndex', 'includes', 'fill', 'keys', 'values', 'entries', 'flat', 'flatMap', 'at'];
  var obj = ['keys', 'create', 'defineProperty', 'defineProperties', 'freeze', 'seal', 'getPrototypeOf',
    'getOwnPropertyNames', 'getOwnPropertyDescriptor', 'assign', 'entries', 'values', 'isFrozen'];
  var str = ['trim', 'trimStart', 'trimEnd', 'includes', 'startsWith', 'endsWith', 'repeat', 'padStart', 'padEnd'];
  var i;
  for (i = 0; i < gone.length; i++) { delete g[gone[i]]; }
  for (i = 0; i < arr.length; i++) { delete Array.prototype[arr[i]]; }
  for (i = 0; i < obj.length; i++) { delete Object[obj[i]]; }
  for (i = 0; i < str.length; i++) { delete String.prototype[str[i]]; }
  delete Array.isArray;
  delete Array.from;
  delete Date.now;
  delete Function.prototype.bind;
}(this));
`;

export interface HostError {
  code: string;
  message: string;
}
export type Envelope<T = unknown> = { ok: true; value: T } | { ok: false; error: HostError };

/** What CEP's evalScript hands the panel when the script did not parse or threw (CSInterface's EvalScript_ErrMessage). */
export const EVAL_SCRIPT_ERROR = 'EvalScript error.';

export interface HostRealm {
  context: vm.Context;
  /** What CEP's evalScript answers for `script`: its result as a string, or "EvalScript error.". */
  evalScript(script: string): string;
  /** Evaluates `expr` (e.g. `reenact.getSelection()`) in the realm; asserts it returned a string; parses it. */
  call<T = unknown>(expr: string): Envelope<T>;
  /** Like call, but throws unless ok, returning the value. */
  value<T = unknown>(expr: string): T;
  /** Globals the bundle added to the realm. */
  leaked: string[];
}

export function loadHost(sim: AeSim, bundle = readFileSync(HOST_BUNDLE, 'utf8')): HostRealm {
  const context = vm.createContext({});
  vm.runInContext(STRIP_ES5, context);
  Object.assign(context, sim.globals);
  vm.runInContext('this.$ = { global: this };', context);
  const makeArray = vm.runInContext('(function () { return []; })', context) as () => unknown[];
  sim.attachRealm(<T>(items: T[]) => {
    const out = makeArray() as T[];
    for (const x of items) out.push(x);
    return out;
  });
  const before = new Set(Object.getOwnPropertyNames(context));
  vm.runInContext(bundle, context, { filename: 'reenact.jsx' });
  const leaked = Object.getOwnPropertyNames(context).filter((k) => !before.has(k));
  const evalScript = (script: string): string => {
    try {
      parse(script, { ecmaVersion: 3, allowReserved: 'never', sourceType: 'script' });
      return String(vm.runInContext(script, context, { filename: 'evalScript' }));
    } catch {
      return EVAL_SCRIPT_ERROR;
    }
  };
  const call = <T>(expr: string): Envelope<T> => {
    parse(expr, { ecmaVersion: 3, allowReserved: 'never', sourceType: 'script' });
    const out: unknown = vm.runInContext(expr, context, { filename: 'evalScript' });
    if (typeof out !== 'string') throw new Error(`Host call ${expr} returned ${typeof out}, not a string`);
    return JSON.parse(out) as Envelope<T>;
  };
  const value = <T>(expr: string): T => {
    const r = call<T>(expr);
    if (!r.ok) throw new Error(`Host call ${expr} failed: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  return { context, evalScript, call, value, leaked };
}

/** Source text for a JS string literal argument (what the panel builds for evalScript). */
export function arg(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value));
}
