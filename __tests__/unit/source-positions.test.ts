import {transformSync} from '@babel/core';
import {originalPositionFor, TraceMap} from '@jridgewell/trace-mapping';
import {decodeLines, originalPositions, segmentAt} from '../../src/environment/source-positions';

/*
 * The partial decoding of a source map must answer exactly what @jridgewell/trace-mapping (what Jest's stack formatter
 * maps with) answers, for every generated position: checked on babel-jest's own kind of output (jest.mock hoisted).
 */

const SOURCE = `const {a} = require('./a');
jest.mock('./a', () => ({a: 1}));

describe('outer', () => {
  test.each([1, 2])('each %i', value => {
    expect(value).toBeGreaterThan(0);
  });
  for (const n of [1, 2]) test(\`loop \${n}\`, () => {});
  const x = 1;  it('after code', () => expect(x).toBe(1));
});
`;

test('every generated position maps as trace-mapping maps it', () => {
  const output = transformSync(SOURCE, {filename: '/repo/a.test.js', presets: [require.resolve('babel-preset-jest')], sourceMaps: true, babelrc: false, configFile: false})!;
  const map = output.map!;
  const tracer = new TraceMap(map as never);
  const lines = output.code!.split('\n');
  const decoded = decodeLines(map.mappings, new Set(lines.map((_, index) => index)));
  let compared = 0;
  lines.forEach((text, index) => {
    for (let column = 0; column <= text.length; column += 1) {
      const expected = originalPositionFor(tracer, {line: index + 1, column});
      const segment = segmentAt(decoded.get(index), column);
      const actual = !segment || segment.length === 1 ? null : {line: segment[2] + 1, column: segment[3]};
      expect(actual).toEqual(expected.source === null ? null : {line: expected.line, column: expected.column});
      compared += 1;
    }
  });
  expect(compared).toBeGreaterThan(300);
  // The hoisting moved the lines: the comparison is not of an identity.
  expect(lines.findIndex(line => line.includes("'each %i'"))).not.toBe(4);
});

test('only the lines asked for are decoded, and the scan stops after the last of them', () => {
  const decoded = decodeLines('AAAA;AACA,EAAE;!!!not base64', new Set([1]));
  expect([...decoded.keys()]).toEqual([1]);
  expect(decoded.get(1)).toEqual([
    [0, 0, 1, 0],
    [2, 0, 1, 2],
  ]);
  expect(() => decodeLines('AAAA;!', new Set([1]))).toThrow();
});

test('segments out of column order are looked up as if sorted; the first of equal columns wins', () => {
  const segments = [
    [10, 0, 5, 0],
    [0, 0, 1, 0],
    [10, 0, 6, 0],
  ];
  expect(segmentAt(segments, 12)).toEqual([10, 0, 6, 0]);
  expect(segmentAt(segments, 10)).toEqual([10, 0, 5, 0]);
  expect(segmentAt(segments, 3)).toEqual([0, 0, 1, 0]);
  expect(segmentAt([[4, 0, 1, 0]], 3)).toBeUndefined();
});

test('without a registry from Jest, it leaves the answer to the stack formatter', () => {
  expect(originalPositions('/repo/a.test.js', [{line: 1, column: 1}])).toBeUndefined();
});
