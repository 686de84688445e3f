// ES3 is a gate (STYLE 3): every shipped .jsx parses as ES3, the bundle `npm run build` wrote is current, it runs in a realm
// without the ES5 library, and only `reenact` lands in AE's shared global scope.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { parse } from 'acorn';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bundleHostScripts, HOST_BUNDLE, HOST_SRC, ROOT, readHostSources } from '../../scripts/build-host.js';
import { createAeSim } from './ae-sim.js';
import { arg, loadHost, STRIP_ES5 } from './host-realm.js';

function jsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? jsxFiles(join(dir, d.name)) : d.name.endsWith('.jsx') ? [join(dir, d.name)] : [],
  );
}

describe('host scripts are ES3', () => {
  const files = jsxFiles(join(ROOT, 'host-scripts'));

  it('finds the bundle and its sources', () => {
    expect(files).toContain(HOST_BUNDLE);
    expect(files.filter((f) => f.startsWith(HOST_SRC)).length).toBeGreaterThanOrEqual(6);
  });

  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s parses with acorn ecmaVersion 3', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(() => parse(text, { ecmaVersion: 3, allowReserved: 'never', sourceType: 'script' })).not.toThrow();
  });

  it('keeps to ASCII (ExtendScript may read files without a BOM as Latin-1)', () => {
    for (const f of files) expect(readFileSync(f, 'utf8')).toMatch(/^[\t\n\r -~]*$/);
  });

  it('type-checks against AE 22’s scripting DOM (types-for-adobe) with only the ES3 library (host-scripts/tsconfig.json)', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'host-scripts', 'tsconfig.json')], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the gate rejects ES5+ syntax', () => {
    for (const bad of ['let a = 1;', 'var f = () => 1;', 'var o = {a: 1,};', 'var s = `x`;', 'o.default = 1;']) {
      expect(() => parse(bad, { ecmaVersion: 3, allowReserved: 'never' })).toThrow();
    }
  });

  it('the bundle `npm run build` wrote equals a fresh build of host-scripts/src (else run npm run build)', () => {
    expect(readFileSync(HOST_BUNDLE, 'utf8')).toBe(bundleHostScripts(readHostSources()));
  });
});

describe('ES3 realm', () => {
  it('has no ES5 library after stripping', () => {
    const ctx = vm.createContext({});
    vm.runInContext(STRIP_ES5, ctx);
    const probe = `[typeof JSON, typeof [].map, typeof [].forEach, typeof [].indexOf, typeof [].filter,
      typeof Object.keys, typeof ''.trim, typeof Date.now, typeof function () {}.bind, typeof Array.isArray].join()`;
    expect(vm.runInContext(probe, ctx)).toBe(Array(10).fill('undefined').join());
    expect(typeof JSON).toBe('object'); // the test's own realm is untouched
  });

  it('defines only `reenact` on the global object, with every entry point', () => {
    const host = loadHost(createAeSim());
    expect(host.leaked).toEqual(['reenact']);
    const names = vm.runInContext(
      'var n = [], k; for (k in reenact) { if (typeof reenact[k] === "function") { n.push(k); } } n.sort().join()',
      host.context,
    );
    expect(names).toBe(
      'addControls,describeLayer,exportStill,finishExports,getSelection,hostInfo,importResult,listBatchLayers,pickInputs,readNeutralMarker,sampleControls,setNeutralMarker',
    );
  });
});

describe('bundled JSON (json2-style, no eval)', () => {
  // The json object is private to the bundle; load its source file alone into a stripped realm to test it directly.
  const ctx = vm.createContext({});
  vm.runInContext(STRIP_ES5, ctx);
  vm.runInContext(readFileSync(join(HOST_SRC, '00-json.jsx'), 'utf8'), ctx);
  const reStringify = (text: string): string =>
    vm.runInContext(`json.stringify(json.parse(${JSON.stringify(text)}))`, ctx) as string;

  it.each([
    [{ a: 'quote " backslash \\ slash / tab \t nl \n cr \r bs \b ff \f', b: [1, -2.5, 1e-7, 3e21, 0, -0.001] }],
    [{ unicode: 'é ✓ \u2028 \u2029 \u0001 \u007f \u0085', empty: {}, list: [[], [null, true, false]] }],
    ['plain'],
    [[{ nested: { deeper: [1, 2, { x: 'y' }] } }]],
    [-12],
  ])('round-trips %j exactly like JSON', (value) => {
    const text = JSON.stringify(value, null, 2);
    expect(JSON.parse(reStringify(text))).toEqual(value);
    expect(reStringify(text)).toBe(
      JSON.stringify(value).replace(
        /[\u007f-\u009f\u2028\u2029]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    );
  });

  it('reads \\u escapes and leaves out undefined and functions', () => {
    expect(vm.runInContext(`json.parse('"\\\\u00e9\\\\u2713"')`, ctx)).toBe('é✓');
    expect(vm.runInContext('json.stringify({a: undefined, f: function () {}, n: NaN, i: 1/0})', ctx)).toBe(
      '{"n":null,"i":null}',
    );
  });

  it.each([
    ['{"a": 1,}', 'Expected a string at character 8 of the JSON argument but received "}".'],
    ['[1 2]', 'Expected "," at character 3 of the JSON argument but received "2]".'],
    ['tru', 'Expected "e" at character 3 of the JSON argument but received "".'],
    ['"abc', 'Expected a closing quote at character 4 of the JSON argument but received "".'],
    ['{"a":1} x', 'Expected the end of the JSON text at character 8 of the JSON argument but received "x".'],
    ['01', 'Expected the end of the JSON text at character 1 of the JSON argument but received "1".'],
  ])('rejects %s with a clear message', (text, message) => {
    expect(
      vm.runInContext(
        `(function () { try { json.parse(${JSON.stringify(text)}); return 'parsed'; } catch (e) { return e.message; } })()`,
        ctx,
      ),
    ).toBe(message);
  });

  it('a malformed argument comes back as a BAD_ARGUMENT envelope, never a throw', () => {
    const host = loadHost(createAeSim());
    expect(host.call(`reenact.importResult(${arg('{"file": "a.png", ')})`)).toEqual({
      ok: false,
      error: {
        code: 'BAD_ARGUMENT',
        message:
          'Expected JSON for the import request but received "{"file": "a.png", ". Expected a string at character 18 of the JSON argument but received "".',
      },
    });
  });
});

describe('envelope contract', () => {
  const entries = [
    'hostInfo',
    'getSelection',
    'pickInputs',
    'listBatchLayers',
    'describeLayer',
    'exportStill',
    'finishExports',
    'importResult',
    'addControls',
    'sampleControls',
    'readNeutralMarker',
    'setNeutralMarker',
  ];
  const argLists = ['', '1', '"x"', 'null, null, null', '{}', '-1, 1e99, 0, 0, 0', '"{\\"file\\":1}"', '[1,2]'];

  it.each(entries)('%s answers a JSON envelope string for any arguments, with or without an active comp', (name) => {
    const temp = mkdtempSync(join(tmpdir(), 'reenact-envelope-'));
    process.env.REENACT_SIM_TEMP = temp;
    onTestFinished(() => rmSync(temp, { recursive: true, force: true }));
    for (const withComp of [false, true]) {
      const sim = createAeSim();
      const host = loadHost(sim);
      if (withComp) {
        const comp = sim.addComp({ name: 'C' });
        sim.addLayer(comp, 'text', { name: 'T', selected: true });
        sim.openComp(comp);
      }
      for (const args of argLists) {
        const r = host.call(`reenact.${name}(${args})`);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) {
          expect(r.error.code).toMatch(/^[A-Z_]+$/);
          expect(r.error.message.length).toBeGreaterThan(10);
          expect(r.error.code).not.toBe('INTERNAL'); // bad input is reported as such, not as a crash
        }
        expect(sim.state.undoDepth).toBe(0);
      }
    }
  });
});
