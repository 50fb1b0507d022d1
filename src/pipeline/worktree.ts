import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {isAbsolute, join, relative} from 'node:path';

/*
 * Whether the code under test is the commit's. `vcs.ref.head.revision` names the commit checked out; runs of one
 * commit with different uncommitted edits are runs of different code, and `jest-otel flaky` must not compare them.
 * Git alone knows which files differ from the commit (the index's stat cache, ignore rules), so this asks it, once
 * per process: `git status` for tracked and untracked changes, and when there are any, `git diff HEAD` and the
 * untracked files' contents for a digest that is the same for the same edits. `GIT_OPTIONAL_LOCKS=0` keeps
 * `git status` from writing the index (workers run it at once, and the user may be running git).
 */

export const ATTR_JEST_VCS_WORKTREE_DIRTY = 'jest.vcs.worktree.dirty';
export const ATTR_JEST_VCS_WORKTREE_CHANGES = 'jest.vcs.worktree.changes';

export interface WorktreeState {
  dirty: boolean;
  /** A digest of the uncommitted changes; undefined when clean, or when they could not be read whole. */
  changes?: string;
}

const TIMEOUT_MS = 5_000;
const MAX_BUFFER = 64 * 1024 * 1024;

function git(cwd: string, args: string[]): Buffer {
  return execFileSync('git', ['--no-pager', ...args], {
    cwd,
    env: {...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C'},
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: TIMEOUT_MS,
    maxBuffer: MAX_BUFFER,
    windowsHide: true,
  });
}

/**
 * The state of the work tree whose top folder is `top`, leaving out the `excluded` folders (the trace store, which
 * every run writes to); undefined when git is not there or cannot read it.
 */
export function readWorktreeState(top: string, excluded: string[] = []): WorktreeState | undefined {
  const pathspec = ['--', '.', ...excluded.map(folder => relative(top, folder)).filter(inside).map(path => `:(exclude)${path}`)];
  let status: string;
  try {
    status = git(top, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none', ...pathspec]).toString('utf8');
  } catch {
    return undefined;
  }
  if (status === '') return {dirty: false};
  try {
    const hash = createHash('sha256');
    hash.update(git(top, ['diff', 'HEAD', '--binary', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', ...pathspec]));
    for (const entry of status.split('\0')) {
      if (!entry.startsWith('?? ')) continue;
      const path = entry.slice(3);
      hash.update(`\0untracked ${path}\0`).update(readFileSync(join(top, path)));
    }
    return {dirty: true, changes: hash.digest('hex').slice(0, 16)};
  } catch {
    return {dirty: true};
  }
}

function inside(path: string): boolean {
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}
