import {renameSync, rmSync, writeFileSync} from 'node:fs';
import {dirname} from 'node:path';
import {makeDirectory} from '../shared/make-directory';

/**
 * Writes the same page to each file (creating folders), each through a temporary file and a rename so that a reader
 * never sees half a page. A file that cannot be written does not stop the others.
 */
export function writeReport(html: string, files: readonly string[]): {written: string[]; failed: Array<{file: string; error: unknown}>} {
  const written: string[] = [];
  const failed: Array<{file: string; error: unknown}> = [];
  for (const file of new Set(files)) {
    const partial = `${file}.${process.pid}.partial`;
    try {
      makeDirectory(dirname(file));
      writeFileSync(partial, html);
      renameSync(partial, file);
      written.push(file);
    } catch (error) {
      failed.push({file, error});
      try {
        rmSync(partial, {force: true});
      } catch {
        // its folder is not there either
      }
    }
  }
  return {written, failed};
}
