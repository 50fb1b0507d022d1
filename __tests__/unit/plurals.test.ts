import {ExportResultCode, type ExportResult} from '@opentelemetry/core';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import {SpanLedger} from '../../src/pipeline/ledger';
import {untracedMessage} from '../../src/pipeline/traced-files';

/* Counts in messages agree with their nouns and verbs: "1 span was", "1 of 1 test file". */

test('a lost span is "1 of 1 span was", three "3 of 3 spans were"', () => {
  const say = (ended: number, lost: number) => {
    const ledger = new SpanLedger();
    const exporter = ledger.track(
      {
        export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => done({code: ExportResultCode.FAILED, error: new Error('refused')}),
        shutdown: () => Promise.resolve(),
      },
      'http://127.0.0.1:1/v1/traces',
    );
    for (let index = 0; index < ended; index += 1) ledger.onEnd();
    exporter.export(Array.from({length: lost}, () => ({}) as ReadableSpan), () => undefined);
    return ledger.losses();
  };
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(say(1, 1)).toEqual(['1 of 1 span was not exported to http://127.0.0.1:1/v1/traces: 1 in exports that failed (refused).']);
    expect(say(3, 2)).toEqual([
      '3 of 3 spans were not exported to http://127.0.0.1:1/v1/traces: 2 in exports that failed (refused); ' + '1 still waiting for export when the process exited.',
    ]);
  } finally {
    stderr.mockRestore();
  }
});

test('untraced files: "1 of 1 test file", "2 of 3 test files"', () => {
  expect(untracedMessage(['a.test.js'], 1, path => path)).toMatch(/^1 of 1 test file ran untraced/);
  expect(untracedMessage(['a.test.js', 'b.test.js'], 3, path => path)).toMatch(/^2 of 3 test files ran untraced/);
});
