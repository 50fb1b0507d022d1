import {existsSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';

/* The local git checkout's branch and commit, read from its files: no `git` process, no network. */

export interface Checkout {
  branch?: string;
  revision?: string;
}

/** Branch and commit of the checkout around `dir`, read from `.git` (worktrees and packed refs included). */
export function readCheckout(dir: string): Checkout | undefined {
  const gitDir = findGitDir(resolve(dir));
  if (!gitDir) return undefined;
  try {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return {revision: head};
    const common = commonDir(gitDir);
    return {branch: ref.replace(/^refs\/heads\//, ''), revision: readRef(gitDir, ref) ?? readRef(common, ref)};
  } catch {
    return undefined;
  }
}

/** The folder holding the `.git` of the checkout around `start`: the top of its work tree. */
export function checkoutTop(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function findGitDir(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, '.git');
    if (existsSync(candidate)) {
      if (statSync(candidate).isDirectory()) return candidate;
      const pointer = /^gitdir: (.+)$/m.exec(readFileSync(candidate, 'utf8'))?.[1];
      return pointer ? resolve(dir, pointer.trim()) : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function commonDir(gitDir: string): string {
  try {
    return resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    return gitDir;
  }
}

function readRef(gitDir: string, ref: string): string | undefined {
  try {
    return readFileSync(join(gitDir, ref), 'utf8').trim();
  } catch {
    // not a loose ref: look in packed-refs
  }
  try {
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
    return packed.split('\n').find(line => line.endsWith(` ${ref}`))?.split(' ')[0];
  } catch {
    return undefined;
  }
}
