import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {SUPPORTED_NODE, unsupportedNodeWarning} from '../../src/shared/node-support';

describe('the warning for a Node.js below the supported one', () => {
  test.each(['22.15.0', '22.23.3', '24.0.0', '26.1.0', '23.0.0'])('%s is supported: no warning', version => {
    expect(unsupportedNodeWarning(version, true)).toBeUndefined();
  });

  test('below 22.12, node:http client spans are named as missing, with the reason', () => {
    expect(unsupportedNodeWarning('20.20.2', true)).toMatch(/^Node\.js 20\.20\.2 is below the supported 22\.15\.0 .* Outgoing node:http\/https requests are not traced: .* from 22\.12\.0/);
    expect(unsupportedNodeWarning('22.11.9', true)).toContain('Outgoing node:http/https requests are not traced');
  });

  test('from 22.12, or with http tracing off, only the unsupported version is said', () => {
    for (const warning of [unsupportedNodeWarning('22.12.0', true), unsupportedNodeWarning('22.14.1', true), unsupportedNodeWarning('20.20.2', false)]) {
      expect(warning).toContain(`is below the supported ${SUPPORTED_NODE}`);
      expect(warning).not.toContain('node:http');
    }
  });
});

test('the supported Node.js is the one package.json engines names', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {engines: {node: string}};
  expect(manifest.engines.node).toBe(`>=${SUPPORTED_NODE}`);
});
