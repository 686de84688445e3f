// CSXS/manifest.xml is generated from scripts/cep-config.ts (STYLE 5): the committed files must equal the
// generator's output, and the manifest must meet the CEP rules we rely on (ae-cep.md §1): well-formed XML, one
// extension id used consistently, AEFT from AE 2022 on, CSXS 11 runtime, Node-enabled panel, sizes, icons.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/build-host.js';
import { CEP_CONFIG } from '../../scripts/cep-config.js';
import { generatedFiles, hiDpiPath, renderDebugFile } from '../../scripts/gen-manifest.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['Extension', 'Host', 'Parameter', 'Icon'].includes(name),
});
const manifestText = readFileSync(join(ROOT, 'CSXS', 'manifest.xml'), 'utf8');

/** CEP RangedVersion: "22.0" (that or newer), "[a,b]" inclusive, "(a,b)" exclusive, mixed allowed. */
function inRange(range: string, version: number): boolean {
  const m = /^([[(])\s*([\d.]+)\s*,\s*([\d.]+)\s*([\])])$/.exec(range);
  if (!m) return version >= Number(range);
  const [, open, lo, hi, close] = m;
  const above = open === '[' ? version >= Number(lo) : version > Number(lo);
  const below = close === ']' ? version <= Number(hi) : version < Number(hi);
  return above && below;
}

describe('CSXS/manifest.xml', () => {
  it('equals what scripts/gen-manifest.ts generates (manifest and icons; run it after editing cep-config.ts)', () => {
    for (const [rel, data] of generatedFiles()) {
      expect(existsSync(join(ROOT, rel)), rel).toBe(true);
      expect(readFileSync(join(ROOT, rel)).equals(data), `${rel} is stale`).toBe(true);
    }
  });

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(manifestText)).toBe(true);
    expect(XMLValidator.validate(manifestText.replace('</ExtensionList>', ''))).not.toBe(true); // the check can fail
  });

  const doc = parser.parse(manifestText) as { ExtensionManifest: Node };
  const m = doc.ExtensionManifest as Node & {
    ExtensionList: { Extension: Node[] };
    ExecutionEnvironment: {
      HostList: { Host: Node[] };
      RequiredRuntimeList: { RequiredRuntime: Node };
      LocaleList: { Locale: Node };
    };
    DispatchInfoList: { Extension: (Node & { DispatchInfo: Node })[] };
  };

  it('declares bundle id, version and schema version in the forms the XSD allows', () => {
    expect(m['@Version']).toBe('7.0');
    expect(m['@ExtensionBundleId']).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(m['@ExtensionBundleVersion']).toMatch(/^\d{1,9}(\.\d{1,9}){0,3}$/);
    expect(m['@ExtensionBundleVersion']).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('uses the same extension ids in ExtensionList and DispatchInfoList, under the bundle id', () => {
    const listed = m.ExtensionList.Extension.map((e) => e['@Id']);
    const dispatched = m.DispatchInfoList.Extension.map((e) => e['@Id']);
    expect(listed).toEqual(dispatched);
    expect(new Set(listed).size).toBe(listed.length);
    for (const id of listed) expect(String(id).startsWith(`${m['@ExtensionBundleId']}.`)).toBe(true);
  });

  it('targets AE 2022 onward with the CSXS 11 runtime', () => {
    const hosts = m.ExecutionEnvironment.HostList.Host;
    expect(hosts).toHaveLength(1);
    expect(hosts[0]['@Name']).toBe('AEFT');
    const range = String(hosts[0]['@Version']);
    for (const v of [22.0, 23.6, 24.6, 25.0, 26.3]) expect(inRange(range, v), `AE ${v}`).toBe(true);
    for (const v of [18.4, 21.9]) expect(inRange(range, v), `AE ${v}`).toBe(false);
    expect(m.ExecutionEnvironment.RequiredRuntimeList.RequiredRuntime).toEqual({ '@Name': 'CSXS', '@Version': '11.0' });
    expect(m.ExecutionEnvironment.LocaleList.Locale['@Code']).toBe('All');
  });

  it('describes a Node-enabled panel with its pages, sizes and icons', () => {
    const info = m.DispatchInfoList.Extension[0].DispatchInfo as {
      Resources: { MainPath: string; ScriptPath: string; CEFCommandLine: { Parameter: string[] } };
      UI: {
        Type: string;
        Menu: string;
        Geometry: Record<'Size' | 'MinSize' | 'MaxSize', { Width: number; Height: number }>;
        Icons: { Icon: Node[] };
      };
    };
    expect(info.Resources.MainPath).toBe('./panel/dist/index.html');
    expect(info.Resources.ScriptPath).toBe('./host-scripts/reenact.jsx');
    expect(existsSync(join(ROOT, info.Resources.ScriptPath))).toBe(true);
    expect(info.Resources.CEFCommandLine.Parameter).toEqual(['--enable-nodejs', '--mixed-context']);
    expect(info.UI.Type).toBe('Panel');
    expect(info.UI.Menu).toBe('reenact');
    const g = info.UI.Geometry;
    expect(g.MinSize.Width).toBe(280);
    expect(g.Size.Width).toBeGreaterThanOrEqual(g.MinSize.Width);
    expect(g.Size.Width).toBeLessThanOrEqual(g.MaxSize.Width);
    expect(g.Size.Height).toBeGreaterThanOrEqual(g.MinSize.Height);
    const icons = info.UI.Icons.Icon;
    expect(icons.map((i) => i['@Type'])).toEqual(['Normal', 'RollOver', 'Disabled', 'DarkNormal', 'DarkRollOver']);
    for (const icon of icons) {
      const rel = String(icon['#text']);
      expect(rel).toMatch(/^\.\/[^#&]+\.png$/);
      for (const [file, size] of [
        [rel, 23],
        [hiDpiPath(rel), 46],
      ] as const) {
        const png = PNG.sync.read(readFileSync(join(ROOT, file)));
        expect([png.width, png.height]).toEqual([size, size]);
      }
    }
  });
});

describe('.debug (dev builds only)', () => {
  it('maps the panel id to a remote-debugging port for AEFT', () => {
    const text = renderDebugFile(CEP_CONFIG);
    expect(XMLValidator.validate(text)).toBe(true);
    const d = parser.parse(text) as { ExtensionList: { Extension: (Node & { HostList: { Host: Node[] } })[] } };
    const ext = d.ExtensionList.Extension[0];
    expect(ext['@Id']).toBe(CEP_CONFIG.panel.id);
    expect(ext.HostList.Host[0]).toEqual({ '@Name': 'AEFT', '@Port': '8860' });
    expect(existsSync(join(ROOT, '.debug'))).toBe(false);
  });
});
