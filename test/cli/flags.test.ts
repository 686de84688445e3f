// Number flags across the CLI's commands are checked as they are read, before anything runs, and worded like every
// other validation message (the job spec's, the API's): "Expected <what> for <flag> but received <value>." (exit 2).
// The control flags take their bounds from the job spec's own schema, so a flag and a spec file say the same.
import { describe, expect, it } from 'vitest';
import { cliHere } from '../helpers/cli.js';

const cases: [string[], string][] = [
  [['render', '--intensity', '5'], 'Expected a value ≤ 4 for --intensity but received 5.'],
  [['render', '--smooth', 'abc'], 'Expected a number for --smooth but received "abc".'],
  [['render', '--ref-frame', '2.5'], 'Expected a whole number for --ref-frame but received 2.5.'],
  [['batch', 'b.yaml', '--concurrency', '0'], 'Expected a value ≥ 1 for --concurrency but received 0.'],
  [['worker', '--concurrency', '1.5'], 'Expected a whole number for --concurrency but received 1.5.'],
  [['worker', '--lock-duration', '50'], 'Expected a value ≥ 100 for --lock-duration but received 50.'],
  [['queue', 'submit', '--chunk-size', '0'], 'Expected a value ≥ 1 for --chunk-size but received 0.'],
  [['farm', 'export', '--priority', '101'], 'Expected a value ≤ 100 for --priority but received 101.'],
  [['farm', 'export', '--min-memory', '0'], 'Expected a value > 0 for --min-memory but received 0.'],
  [['serve', '--port', '70000'], 'Expected a value ≤ 65535 for --port but received 70000.'],
  [['serve', '--preview-every', '-1'], 'Expected a value ≥ 0 for --preview-every but received -1.'],
];

describe('number flags', () => {
  it.each(cases)('%j is refused with one wording, exit 2', async (args, message) => {
    const r = await cliHere(...args);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
  });
});

// --range, --chunk and --face are read by the spec files' own readers (pipeline/spec-text.ts); a number past the safe
// integers would be silently rounded, so it is refused where it is typed.
const texts: [string[], string][] = [
  [
    ['render', '--range', '0-99999999999999999999'],
    'Expected --range as START-END clip frames (e.g. 0-99) but received "0-99999999999999999999".',
  ],
  [['render', '--range', ' 5 - 9 ', '--range', '9-5'], 'Expected --range as START-END clip frames (e.g. 0-99)'],
  [
    ['render', '--chunk', '12345678901234567890-12345678901234567899'],
    'Expected --chunk as START-END output frames (e.g. 0-49) but received "12345678901234567890-12345678901234567899".',
  ],
  [
    ['render', '--face', 'index:99999999999999999999'],
    'Expected --face to be largest, index:N, id:N or point:X,Y but received "index:99999999999999999999".',
  ],
];

describe('frame spans and face choices', () => {
  it.each(texts)('%j is refused where it is typed, exit 2', async (args, message) => {
    const r = await cliHere(...args);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
  });
});
