/**
 * The one typed description of reenact's CEP extension. `CSXS/manifest.xml`, the panel icons and the dev-only
 * `.debug` file are generated from it (scripts/gen-manifest.ts); a test fails when the committed files drift.
 * Facts behind the values (manifest rules, AE ↔ CEP versions, the .debug file): docs/cep.md.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Size {
  width: number;
  height: number;
}

export type IconType = 'Normal' | 'RollOver' | 'Disabled' | 'DarkNormal' | 'DarkRollOver';

export interface PanelConfig {
  /** Extension id: the bundle id plus a suffix (CEP looks panels up by it; .debug maps it to a port). */
  id: string;
  /** Window ▸ Extensions menu text. */
  menu: string;
  /** Relative to the extension root, starting with "./" (XSD RelativePath). */
  mainPath: string;
  /** The host script CEP loads into AE's ExtendScript engine when the panel starts. */
  scriptPath: string;
  /** Default, smallest and largest panel sizes in px. UX: usable docked as narrow as 280 px. */
  size: Size;
  minSize: Size;
  maxSize: Size;
  /** CEF switches: Node in the panel, with Node and the page sharing one context. */
  cefParameters: string[];
  /** Icon files per type, relative to the extension root; each has an "@2x" sibling for HiDPI. */
  icons: Record<IconType, string>;
  /** Remote-debugging port written to .debug in dev builds only (open http://localhost:<port> in Chrome). */
  debugPort: number;
}

export interface CepConfig {
  bundleId: string;
  bundleName: string;
  /** ExtensionBundleVersion: major.minor.micro (package.json version). */
  version: string;
  /** Manifest schema version; XSD 7.0 is the newest and covers CEP 8–12. */
  manifestVersion: '7.0';
  /** AE's host code and version range: AE 2022 (22.0) onward; 99.9 leaves room for future majors. */
  host: { name: 'AEFT'; version: string };
  /** Lowest CEP runtime we need: CEP 11 ships with AE 2022–2024, CEP 12 with AE 2025–2026. */
  runtime: { name: 'CSXS'; version: string };
  panel: PanelConfig;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

export const CEP_CONFIG: CepConfig = {
  bundleId: 'com.reenact.ae',
  bundleName: 'reenact',
  version: pkg.version,
  manifestVersion: '7.0',
  host: { name: 'AEFT', version: '[22.0,99.9]' },
  runtime: { name: 'CSXS', version: '11.0' },
  panel: {
    id: 'com.reenact.ae.panel',
    menu: 'reenact',
    mainPath: './panel/dist/index.html',
    scriptPath: './host-scripts/reenact.jsx',
    size: { width: 360, height: 640 },
    minSize: { width: 280, height: 320 },
    maxSize: { width: 1600, height: 2400 },
    cefParameters: ['--enable-nodejs', '--mixed-context'],
    icons: {
      Normal: './CSXS/icons/reenact-normal.png',
      RollOver: './CSXS/icons/reenact-rollover.png',
      Disabled: './CSXS/icons/reenact-disabled.png',
      DarkNormal: './CSXS/icons/reenact-dark-normal.png',
      DarkRollOver: './CSXS/icons/reenact-dark-rollover.png',
    },
    debugPort: 8860,
  },
};
