// A newcomer can open everything the project points at: no tracked file names a folder that exists only beside the
// checkout (the sessions' shared notes, a workspace path), and every relative link in the docs reaches a file.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const isText = (file: string) =>
  !/\.(png|jpe?g|mp4|mov|onnx|bin|zip|zxp)$/i.test(file) && !file.startsWith('test/fixtures/');

describe('paths a newcomer can open', () => {
  it('no tracked file names a path outside the repository', () => {
    // Built from pieces so this file does not match itself.
    const outside = new RegExp(['\\.\\./shared/', '/wo' + 'rk/', '\\.\\./\\.library'].join('|'));
    const hits = tracked
      .filter((f) => isText(f) && existsSync(path.join(ROOT, f)))
      .flatMap((f) =>
        text(f)
          .split('\n')
          .flatMap((line, i) => (outside.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(hits).toEqual([]);
  });

  it('every relative link in the docs reaches a file of the repository', () => {
    const docs = tracked.filter((f) => f.endsWith('.md') && !f.startsWith('test/fixtures/'));
    const broken: string[] = [];
    for (const doc of docs) {
      for (const [, target] of text(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const file = target.split('#')[0];
        if (!existsSync(path.resolve(ROOT, path.dirname(doc), file))) broken.push(`${doc} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
