import {isAbsolute, join, relative, resolve} from 'node:path';
import type {Config} from '@jest/types';
import type {ResolvedConfig} from '../shared/config';
import {tellOncePerRun} from '../shared/diag';
import {runId} from '../shared/run-id';
import {runFolder} from './store';

/*
 * Where this run's traces went, said once per run (not per file, not per worker) when nothing else says it: without
 * the reporter, a run that stores or sends its traces would otherwise print nothing about them.
 */

type Reporters = Config.GlobalConfig['reporters'] | undefined;

/** Whether Jest runs this package's reporter: by its package path as written, or as Jest resolved it. */
export function usesOurReporter(reporters: Reporters, ourReporter = join(__dirname, 'reporter.js')): boolean {
  return (reporters ?? []).some(entry => {
    const name = Array.isArray(entry) ? entry[0] : entry;
    return typeof name === 'string' && (/(^|[\\/])jest-environment-otel[\\/]reporter$/.test(name) || resolve(name) === ourReporter);
  });
}

/** `traces of this run: .jest-otel/runs/1a2b… and http://127.0.0.1:4318/v1/traces`; undefined with only `console`. */
export function destinationMessage(config: ResolvedConfig, rootDir: string, run: string, cwd = process.cwd()): string | undefined {
  const places: string[] = [];
  for (const name of config.exporters) {
    if (name === 'store') places.push(display(runFolder(resolve(rootDir, config.storeDir), run), cwd));
    if (name === 'otlp') places.push(config.otlp.url);
  }
  if (places.length === 0) return undefined;
  const report = config.exporters.includes('store') ? ' (add the reporter "jest-environment-otel/reporter" for an HTML timeline of them)' : '';
  return `traces of this run: ${places.join(' and ')}${report}`;
}

export function tellDestination(config: ResolvedConfig, globalConfig: Pick<Config.GlobalConfig, 'reporters' | 'silent'>, rootDir: string): void {
  if (!config.enabled || globalConfig.silent || usesOurReporter(globalConfig.reporters)) return;
  const message = destinationMessage(config, rootDir, runId());
  if (message) tellOncePerRun('traces-destination', message);
}

function display(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}
