// Every dependency that ships an install script is decided in package.json `allowScripts` (npm 11 runs an undecided
// one and only warns; npm 12 will skip it): a new dependency cannot slip a script in unreviewed. ffmpeg-static is
// denied: its script downloads an ffmpeg binary from the internet at install time, which fails offline (render nodes,
// studios without internet) and fetches an executable the lockfile's integrity hashes do not cover. The locator
// (bridge/src/media/locator.ts) then finds no ffmpeg-static binary and takes the bundled or the system ffmpeg.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));

describe('install scripts of dependencies', () => {
  const pkg = json('package.json') as { allowScripts: Record<string, boolean> };
  const lock = json('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages)
    .filter(([where, p]) => where.startsWith('node_modules/') && p.hasInstallScript)
    .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));

  it('are each allowed or denied in package.json allowScripts', () => {
    expect(withScripts.length).toBeGreaterThan(3);
    expect(withScripts.filter((name) => typeof pkg.allowScripts[name] !== 'boolean')).toEqual([]);
  });

  it('deny ffmpeg-static, whose script downloads its binary at install time', () => {
    expect(pkg.allowScripts['ffmpeg-static']).toBe(false);
  });
});
