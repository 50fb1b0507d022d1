import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {loadEnvironment, resolveEnvironment} from '../../src/environment/base-environment';
import {resolveConfig} from '../../src/shared/config';

/* How `baseEnvironment` is found and what is said when it cannot be. */

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'otel-base-'));
});
afterEach(() => rmSync(root, {recursive: true, force: true}));

test('a short name is found as jest-environment-<name>, a path from rootDir, <rootDir> replaced', () => {
  expect(resolveEnvironment('jsdom', root)).toBe(require.resolve('jest-environment-jsdom'));
  expect(resolveEnvironment('jest-environment-node', root)).toBe(require.resolve('jest-environment-node'));
  writeFileSync(join(root, 'env.js'), 'module.exports = class {};');
  expect(resolveEnvironment('./env.js', root)).toBe(join(root, 'env.js'));
  expect(resolveEnvironment('<rootDir>/env.js', root)).toBe(join(root, 'env.js'));
});

test('a base that cannot be found, or is not a class, is one message naming the option', () => {
  expect(() => resolveEnvironment('./missing.js', root)).toThrow(
    `testEnvironmentOptions.otel.baseEnvironment: cannot find "${join(root, 'missing.js')}" from ${root}; expected "jsdom", "node", or a package or path exporting a Jest environment class (is it installed?).`,
  );
  expect(() => resolveEnvironment('happy-dom-nope', root, 'jest-environment-otel/x')).toThrow(
    /^jest-environment-otel\/x: cannot find "jest-environment-happy-dom-nope" or "happy-dom-nope" from /,
  );
  writeFileSync(join(root, 'not-a-class.js'), 'module.exports = {answer: 42};');
  expect(() => loadEnvironment(join(root, 'not-a-class.js'))).toThrow(
    `testEnvironmentOptions.otel.baseEnvironment: ${join(root, 'not-a-class.js')} does not export a Jest environment class.`,
  );
});

test('baseEnvironment of the wrong type is reported and ignored', () => {
  const {config, problems} = resolveConfig({baseEnvironment: 42}, {});
  expect(config.baseEnvironment).toBeUndefined();
  expect(problems).toEqual(['testEnvironmentOptions.otel.baseEnvironment must be a non-empty string; got 42.']);
});
