import {execFileSync} from 'node:child_process';
import {rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {REPO, WORK} from '../support/paths';
import {outcomes, runJest} from '../support/run-jest';
import {childrenOf, onlySpan, testSpans} from '../support/spans';

test('the globals are typed for TypeScript users through jest-environment-otel/globals', () => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const project = join(WORK, 'typescript');
  const compile = () => execFileSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], {encoding: 'utf8', stdio: 'pipe'});
  expect(compile).not.toThrow();
  // …and the types are real: a misuse does not compile.
  const misuse = join(project, 'misuse.ts');
  writeFileSync(misuse, 'otelTest.setAttributes(42);\nconst id: number = otelTracer.startSpan("x");\n');
  try {
    let output = '';
    try {
      compile();
    } catch (error) {
      output = String((error as {stdout?: string}).stdout);
    }
    expect(output).toContain("misuse.ts(1,24): error TS2345: Argument of type 'number' is not assignable to parameter of type 'Attributes'");
    expect(output).toContain("misuse.ts(2,7): error TS2322: Type 'Span' is not assignable to type 'number'");
  } finally {
    rmSync(misuse);
  }
});

test('the trace assertions are typed for @types/jest and @jest/globals through jest-environment-otel/expect', () => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const project = join(WORK, 'typescript');
  const compile = () => execFileSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], {encoding: 'utf8', stdio: 'pipe'});
  // assertions.ts and assertions-globals.ts use them as documented.
  expect(compile).not.toThrow();
  const misuse = join(project, 'misuse-assertions.ts');
  writeFileSync(
    misuse,
    [
      "import {expect} from '@jest/globals';",
      "import {testTrace} from 'jest-environment-otel/expect';",
      "export const a = expect(testTrace()).toHaveSpan({status: 'failed'});",
      "export const b = expect(testTrace()).toHaveSpanTimes({kind: 'client'});",
      'export const c = testTrace({timeout: 5});',
      "export const d: number = testTrace().spans();",
      '',
    ].join('\n'),
  );
  try {
    let output = '';
    try {
      compile();
    } catch (error) {
      output = String((error as {stdout?: string}).stdout);
    }
    expect(output).toContain("misuse-assertions.ts(3,50): error TS2322: Type '\"failed\"' is not assignable to type 'number | SpanStatusName | undefined'");
    expect(output).toContain('misuse-assertions.ts(4,38): error TS2554: Expected 2 arguments, but got 1.');
    expect(output).toContain("misuse-assertions.ts(5,29): error TS2353: Object literal may only specify known properties, and 'timeout' does not exist in type 'TraceWaitOptions'");
    expect(output).toContain("misuse-assertions.ts(6,14): error TS2322: Type 'Promise<TraceSpan[]>' is not assignable to type 'number'");
  } finally {
    rmSync(misuse);
  }
});

test('a ts-jest test file is traced, with the typed test API', async () => {
  const receiver = await new OtlpReceiver().start();
  try {
    const run = await runJest('typescript', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
    expect(outcomes(run.results)).toEqual({'typed.test.ts › typed uses the typed globals': 'passed'});
    const span = onlySpan(testSpans(receiver.spans), 'typed uses the typed globals');
    expect(span.attributes['order.total']).toBe(12.5);
    expect(span.events.map(event => event.name)).toEqual(['typed event']);
    expect(childrenOf(receiver.spans, span).map(child => child.name)).toEqual(['typed step']);
    expect(span.attributes['code.line.number']).toBe(4);
  } finally {
    await receiver.stop();
  }
});
