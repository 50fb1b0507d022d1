import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {OtlpReceiver, type ReceivedSpan} from '../support/otlp-receiver';
import {runJest} from '../support/run-jest';
import {testSpans} from '../support/spans';

/*
 * `code.line.number` and `code.column.number` of each test are where it is declared in the original source, under
 * babel-jest (a hoisted `jest.mock` moves every line of the transformed code): the same as without any transform,
 * where V8's own positions are the source's, and, for a few, the position read off the source text.
 */

const FIXTURE = join(__dirname, '..', 'fixtures', 'locations');

function locations(spans: ReceivedSpan[]): Record<string, [unknown, unknown]> {
  return Object.fromEntries(testSpans(spans).map(span => [span.name, [span.attributes['code.line.number'], span.attributes['code.column.number']]]));
}

async function tracedLocations(args: string[]): Promise<Record<string, [unknown, unknown]>> {
  const receiver = await new OtlpReceiver().start();
  try {
    await runJest('locations', {args: ['--runInBand', ...args], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
    return locations(receiver.spans);
  } finally {
    await receiver.stop();
  }
}

/** Line and column (1-based) of the first occurrence of `text` in the fixture's test file. */
function positionOf(text: string): [number, number] {
  const lines = readFileSync(join(FIXTURE, 'locations.test.js'), 'utf8').split('\n');
  const line = lines.findIndex(content => content.includes(text));
  return [line + 1, lines[line].indexOf(text) + 1];
}

test('test locations under babel-jest are those of the original source', async () => {
  const [transformed, untransformed] = [await tracedLocations([]), await tracedLocations(['--transform={}'])];
  expect(Object.keys(transformed).sort()).toEqual([
    'nested after code on the line spread',
    'nested deeper in two describes',
    'nested each 1',
    'nested each 2',
    'nested loop 3',
    'nested loop 4',
    'nested skipped',
    'nested todo',
    'at the top',
    'through a helper',
  ].sort());
  expect(transformed).toEqual(untransformed);
  expect(transformed['at the top']).toEqual(positionOf("test('at the top'"));
  expect(transformed['nested deeper in two describes']).toEqual(positionOf("it('in two describes'"));
  expect(transformed['nested after code on the line spread']).toEqual(positionOf('test(`after code'));
  expect(transformed['through a helper']).toEqual(positionOf("declare('through a helper'"));
  expect(transformed['nested loop 3']).toEqual(transformed['nested loop 4']);
});
