import {isAbsolute, resolve} from 'node:path';
import type {EnvironmentClass} from './environment';

/*
 * The environment that `baseEnvironment` (or an entry such as `jest-environment-otel/jsdom`) names, found the way Jest
 * finds `testEnvironment`: `jest-environment-<name>` first, then `<name>`, as a package or a path from rootDir.
 */

export const BASE_OPTION = 'testEnvironmentOptions.otel.baseEnvironment';

/** The file of the named environment. Throws a message that names `option` and what it expected. */
export function resolveEnvironment(name: string, rootDir: string, option: string = BASE_OPTION): string {
  const spec = name.replace(/^<rootDir>/, rootDir);
  const isPath = isAbsolute(spec) || spec.startsWith('.');
  const candidates = isPath ? [resolve(rootDir, spec)] : [`jest-environment-${spec}`, spec];
  for (const candidate of candidates) {
    try {
      return require.resolve(candidate, {paths: [rootDir, __dirname]});
    } catch {
      // the next candidate
    }
  }
  const tried = candidates.map(candidate => `"${candidate}"`).join(' or ');
  throw new Error(`${option}: cannot find ${tried} from ${rootDir}; expected "jsdom", "node", or a package or path exporting a Jest environment class (is it installed?).`);
}

/** The environment class a module exports, as Jest reads it: its `default` export, else the module itself. */
export function loadEnvironment(file: string, option: string = BASE_OPTION): EnvironmentClass {
  const loaded = require(file) as {default?: unknown; TestEnvironment?: unknown} | undefined;
  const candidate = loaded?.default ?? loaded?.TestEnvironment ?? loaded;
  if (typeof candidate !== 'function') throw new Error(`${option}: ${file} does not export a Jest environment class.`);
  return candidate as EnvironmentClass;
}
