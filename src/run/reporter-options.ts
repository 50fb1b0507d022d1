import {resolve} from 'node:path';
import {DEFAULTS} from '../shared/config';
import type {ReceiverOptions} from './receiver/options';

/** Options of `jest-environment-otel/reporter`: `reporters: ['default', ['jest-environment-otel/reporter', {…}]]`. */
export interface OtelReporterOptions {
  /** Where the HTML report is written, relative to rootDir. Default: `report.html` in the store folder; a copy is also kept in the run's folder. */
  outputFile?: string;
  /** A trace's URL in your backend, with `{traceId}` in it (e.g. `http://localhost:16686/trace/{traceId}`): a link per failed test. Default: none. */
  traceUrlTemplate?: string;
  /** Folder of the local trace store, relative to rootDir. Default: the project's `testEnvironmentOptions.otel.storeDir`, else `.jest-otel`. */
  storeDir?: string;
  /** The OTLP/HTTP receiver of the services' spans: `false` turns it off. Default: on, on 127.0.0.1:4318. */
  receiver?: false | ReceiverOptions;
}

const OPTION_NAMES: ReadonlyArray<keyof OtelReporterOptions> = ['outputFile', 'traceUrlTemplate', 'storeDir', 'receiver'];
const PREFIX = 'jest-environment-otel/reporter option';

/**
 * The reporter's options, checked. A value of the wrong type is an error (a configuration mistake, like one Jest
 * itself rejects); anything else odd is a warning and the option is ignored.
 */
export function readReporterOptions(raw: unknown): {options: OtelReporterOptions; errors: string[]; warnings: string[]} {
  const options: OtelReporterOptions = {};
  const errors: string[] = [];
  const warnings: string[] = [];
  if (raw === undefined || raw === null) return {options, errors, warnings};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(`jest-environment-otel/reporter options must be an object, got ${JSON.stringify(raw)}`);
    return {options, errors, warnings};
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      warnings.push(`unknown jest-environment-otel/reporter option "${key}" is ignored (known: ${OPTION_NAMES.join(', ')})`);
      continue;
    }
    // Read by the receiver's own reader (src/run/receiver/options.ts).
    if (value === undefined || key === 'receiver') continue;
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push(`${PREFIX} ${key} must be a non-empty string, got ${JSON.stringify(value)}`);
      continue;
    }
    if (key === 'traceUrlTemplate' && !value.includes('{traceId}')) {
      warnings.push(`${PREFIX} traceUrlTemplate must contain {traceId} (e.g. http://localhost:16686/trace/{traceId}); no trace links are shown`);
      continue;
    }
    options[key as 'outputFile' | 'traceUrlTemplate' | 'storeDir'] = value;
  }
  return {options, errors, warnings};
}

/** What the reporter needs of a Jest project: its rootDir and the environment's options. */
export interface ProjectLike {
  config: {rootDir: string; testEnvironmentOptions?: Record<string, unknown>};
}

/**
 * The store folders of this run: the reporter's `storeDir` (relative to the run's rootDir) when given, else each
 * project's `testEnvironmentOptions.otel.storeDir` (relative to that project's rootDir), else `.jest-otel`.
 */
export function storeDirsOf(rootDir: string, storeDir: string | undefined, projects: Iterable<ProjectLike>): string[] {
  if (storeDir) return [resolve(rootDir, storeDir)];
  const dirs = new Set<string>();
  for (const {config} of projects) {
    const otel = config.testEnvironmentOptions?.otel as {storeDir?: unknown} | undefined;
    const dir = typeof otel?.storeDir === 'string' && otel.storeDir.trim() !== '' ? otel.storeDir : DEFAULTS.storeDir;
    dirs.add(resolve(config.rootDir, dir));
  }
  if (dirs.size === 0) dirs.add(resolve(rootDir, DEFAULTS.storeDir));
  return [...dirs];
}

/** Colour where a person reads the output: a TTY, unless NO_COLOR is set; FORCE_COLOR (other than 0/false) forces it. */
export function useColor(stream: {isTTY?: boolean}, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true;
}
