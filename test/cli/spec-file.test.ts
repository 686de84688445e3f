/**
 * Spec files as people write them (issue #20 item 5): `fps: 29.97` as a number (exactly 30000/1001), `range: "0-5"`,
 * `output:` as a folder, face choices as on the command line, `portrait:` or `source:` in spec files and batch
 * entries alike; errors name the file and the key; `render --spec` names the engine and device that run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();

describe('spec files', () => {
  it('reads a number fps, a text range, an output folder and a text face choice', async () => {
    const file = path.join(dir, 'natural.yaml');
    writeFileSync(
      file,
      [
        `portrait: ${PORTRAIT}`,
        `driving: ${DRIVING}`,
        'output: natural-out',
        'range: 0-5',
        'fps: 29.97',
        'face: { driving: "index:0" }',
      ].join('\n'),
    );
    const r = await runCli(['render', '--spec', file]);
    expect(r.stderr).not.toContain('reenact:');
    expect(r.code).toBe(0);
    // The header names what really runs: never "engine undefined · device undefined".
    expect(r.stdout.split('\n')[0]).toBe('reenact · engine meshwarp · device cpu');
    const m = JSON.parse(readFileSync(path.join(dir, 'natural-out', 'reenact.json'), 'utf8'));
    expect(m.fps).toBe('30000/1001');
    expect(m.spec).toMatchObject({
      source: PORTRAIT,
      fps: '30000/1001',
      range: { start: 0, end: 5 },
      output: { dir: path.join(dir, 'natural-out'), format: 'png' },
      face: { driving: { by: 'index', index: 0 } },
    });
    expect(m.frameCount).toBe(9); // 6 clip frames at 20 fps → 0.3 s → 9 frames at 29.97
  });

  it('names the file and the key of a bad value', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, `source: ${PORTRAIT}\ndriving: ${DRIVING}\noutput: o\ncontrols: { mouth: 7 }\nrange: 0-x\n`);
    const r = await runCli(['render', '--spec', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Invalid job spec (${file}): `);
    expect(r.stderr).toMatch(/controls\.mouth: .*4/);
    expect(r.stderr).toContain('range: Expected clip frames START-END like "0-99" but received "0-x"');
  });

  it('batch entries use the spec keys (source, flat options) and errors name entries[i] and the key as written', async () => {
    const file = path.join(dir, 'batch.yaml');
    const entry = (name: string, extra: string) =>
      `  - { name: ${name}, source: ${PORTRAIT}, driving: ${DRIVING}, output: ${name}, ${extra} }`;
    writeFileSync(
      file,
      [
        'entries:',
        entry('a', 'range: 0-2, engine: { name: fixture }'),
        entry('b', 'options: { range: "0-2", engine: { name: fixture } }'),
        entry('c', 'options: { face: { driving: "index:x" } }'),
        entry('d', 'fps: "fast"'),
      ].join('\n'),
    );
    const r = await runCli(['batch', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Invalid batch (${file}): `);
    expect(r.stderr).toContain(
      'entries[2].options.face.driving: Expected largest, index:N, id:N or point:X,Y but received "index:x"',
    );
    expect(r.stderr).toMatch(
      /entries\[3\]\.fps: Expected a positive output frame rate \(fps\) like 25, 29\.97 or 30000\/1001 but received "fast"/,
    );
    expect(r.stderr).not.toContain('entries[0]');
    expect(r.stderr).not.toContain('entries[1]');
  });
});
