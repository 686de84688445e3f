/** Request bodies nested deeper than MAX_JSON_DEPTH are refused before parsing, naming where (issue #19 item 5). */
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, tooDeep } from '../../bridge/src/server/json-depth.js';

const nest = (depth: number) => `${'{"a":'.repeat(depth - 1)}[1]${'}'.repeat(depth - 1)}`;

describe('tooDeep', () => {
  it('takes nesting up to the limit and names the path of the first level past it', () => {
    expect(tooDeep(nest(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBeUndefined();
    expect(tooDeep(nest(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(`${Array(MAX_JSON_DEPTH).fill('a').join('.')}…`);
    expect(tooDeep('{"engine":{"options":{"x":[1,[2,[3]]]}}}', 5)).toBe('engine.options.x.1.1…');
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(tooDeep(`{"name":"${'[{'.repeat(100)}\\"${'[{'.repeat(100)}"}`, 2)).toBeUndefined();
    expect(tooDeep('[1,2,{"k":"v"},[[]]]', 3)).toBeUndefined();
  });
});
