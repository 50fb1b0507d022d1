import {mkdirSync, statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';

/*
 * `mkdir -p`, one level at a time. Node's recursive mkdir never returns for some paths: under /proc, mkdir answers
 * ENOENT although the parent exists, and Node's recursive walk retries that forever — a worker stuck there hangs the
 * whole Jest run. Made level by level, a folder that cannot be created fails at once, with the level that failed.
 */
export function makeDirectory(path: string): void {
  const missing: string[] = [];
  for (let level = resolve(path); !isDirectory(level); level = dirname(level)) {
    missing.unshift(level);
    if (dirname(level) === level) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(level)) continue;
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new Error(level === resolve(path) ? `${path} is a file, not a folder` : `cannot create ${path}: ${level} is a file, not a folder`);
      }
      throw new Error(`cannot create ${path}: ${(error as Error).message}`);
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
