import {createHash} from 'node:crypto';
import {closeSync, existsSync, openSync} from 'node:fs';
import {join} from 'node:path';
import {runTempFolder, runTempPath} from '../shared/diag';
import {makeDirectory} from '../shared/make-directory';
import {invocationId} from '../shared/run-id';

/*
 * Which test files of this `jest` invocation had this environment, whichever Jest process ran them: a marker per file
 * in the invocation's temp folder (not the run id's, which CI may share between invocations), made only when the run
 * has this package's reporter. The reporter names the others, so that a file on another environment (a docblock's, a
 * project's) is not left untraced without a word.
 */

function markerOf(testPath: string, folder = tracedFolder()): string {
  return join(folder, createHash('sha256').update(testPath).digest('hex').slice(0, 32));
}

function tracedFolder(): string {
  return join(runTempPath(invocationId()), 'traced');
}

/** The marker folder this process has made: made once per process, not once per file. */
let madeFolder: string | undefined;

export function markTraced(testPath: string): void {
  const folder = tracedFolder();
  const marker = markerOf(testPath, folder);
  if (madeFolder === folder) {
    try {
      closeSync(openSync(marker, 'w'));
      return;
    } catch {
      // The folder went away: made again below.
    }
  }
  runTempFolder(invocationId());
  makeDirectory(folder);
  madeFolder = folder;
  closeSync(openSync(marker, 'w'));
}

export function untracedFiles(testPaths: readonly string[]): string[] {
  return testPaths.filter(testPath => !existsSync(markerOf(testPath)));
}

const LISTED = 5;

/** The one line that names the files that ran on another environment, and how to trace them; undefined for none. */
export function untracedMessage(untraced: readonly string[], total: number, display: (path: string) => string): string | undefined {
  if (untraced.length === 0) return undefined;
  const names = untraced.map(display).sort().slice(0, LISTED).join(', ');
  const more = untraced.length > LISTED ? ` and ${untraced.length - LISTED} more` : '';
  return (
    `${untraced.length} of ${total} test ${total === 1 ? 'file' : 'files'} ran untraced, on an environment other than jest-environment-otel: ${names}${more}. ` +
    'To trace every file on its own environment, set testRunner: "jest-environment-otel/runner"; ' +
    'or name their environment in testEnvironmentOptions.otel.baseEnvironment (with testEnvironment "otel"), or in a docblock: @jest-environment otel/jsdom.'
  );
}
