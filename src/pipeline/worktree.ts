import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readFileSync, renameSync, statSync, writeFileSync} from 'node:fs';
import {isAbsolute, join, relative} from 'node:path';
import {claimFile} from '../shared/claim-file';
import {runTempFolder} from '../shared/diag';
import {invocationId} from '../shared/run-id';

/*
 * Whether the code under test is the commit's. `vcs.ref.head.revision` names the commit checked out; runs of one
 * commit with different uncommitted edits are runs of different code, and `jest-otel flaky` must not compare them.
 * Git alone knows which files differ from the commit (the index's stat cache, ignore rules), so this asks it, once
 * per run (one process asks, the run's others read its answer) and without waiting for it: the resource's two
 * worktree attributes settle before the first export (src/pipeline/late-resource.ts). `git status` for tracked and
 * untracked changes, and when there are any, `git diff HEAD` and the untracked files' contents for a digest that is
 * the same for the same edits. `GIT_OPTIONAL_LOCKS=0` keeps `git status` from writing the index (the user may be
 * running git, and a process whose claim went stale may ask at the same time as another).
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

/** `git` in `cwd`, without waiting for it: its output, or the error it ended with. */
function git(cwd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['--no-pager', ...args],
      {
        cwd,
        env: {...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C'},
        encoding: 'buffer',
        timeout: TIMEOUT_MS,
        maxBuffer: MAX_BUFFER,
        windowsHide: true,
      },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ).stdin?.end();
  });
}

/**
 * The state of the work tree whose top folder is `top`, leaving out the `excluded` folders (the trace store, which
 * every run writes to); undefined when git is not there or cannot read it. Never rejects.
 */
export async function readWorktreeState(top: string, excluded: string[] = []): Promise<WorktreeState | undefined> {
  const pathspec = ['--', '.', ...excluded.map(folder => relative(top, folder)).filter(inside).map(path => `:(exclude)${path}`)];
  let status: string;
  try {
    status = (await git(top, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none', ...pathspec])).toString('utf8');
  } catch {
    return undefined;
  }
  if (status === '') return {dirty: false};
  try {
    const hash = createHash('sha256');
    hash.update(await git(top, ['diff', 'HEAD', '--binary', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', ...pathspec]));
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

/**
 * `readWorktreeState` once per `jest` run rather than once per worker: the first process to claim it in the run's
 * temporary folder asks git and leaves the answer there; the others wait for that answer (polling, without holding
 * the process open) instead of starting a `git` of their own. An answer is taken only while fresh (a watch-mode run
 * of the same `jest` process asks again); a claim whose answer does not come in time is given up, and the process
 * asks git itself. Never rejects.
 */
export async function sharedWorktreeState(top: string, excluded: string[] = []): Promise<WorktreeState | undefined> {
  let answer: string;
  try {
    const key = createHash('sha256').update([top, ...excluded].join('\0')).digest('hex').slice(0, 16);
    answer = join(runTempFolder(invocationId()), `worktree-${key}.json`);
  } catch {
    return readWorktreeState(top, excluded);
  }
  const claim = `${answer}.claim`;
  const fresh = readAnswer(answer);
  if (fresh) return fresh.state;
  // A stale claim is taken over; where none can be made, this process asks git itself.
  if (claimFile(claim, {staleMs: FRESH_MS}).outcome !== 'taken') {
    const state = await readWorktreeState(top, excluded);
    try {
      writeFileSync(`${answer}.${process.pid}`, JSON.stringify({state: state ?? null}));
      renameSync(`${answer}.${process.pid}`, answer);
    } catch {
      // the others ask git themselves
    }
    return state;
  }
  const waited = await waitForAnswer(answer);
  return waited ? waited.state : readWorktreeState(top, excluded);
}

/** How long an answer serves the processes of a run that start after it: workers start within this of each other. */
const FRESH_MS = 10_000;
/** The longest a process waits for another's answer: git's two calls at their timeout, and a margin. */
const WAIT_MS = 2 * TIMEOUT_MS + 1_000;
const POLL_MS = 10;

function readAnswer(path: string): {state: WorktreeState | undefined} | undefined {
  try {
    if (Date.now() - statSync(path).mtimeMs > FRESH_MS) return undefined;
    const {state} = JSON.parse(readFileSync(path, 'utf8')) as {state: WorktreeState | null};
    return {state: state ?? undefined};
  } catch {
    return undefined;
  }
}

function waitForAnswer(path: string): Promise<{state: WorktreeState | undefined} | undefined> {
  const until = Date.now() + WAIT_MS;
  return new Promise(resolve => {
    const poll = () => {
      const answer = readAnswer(path);
      if (answer || Date.now() > until) resolve(answer);
      else setTimeout(poll, POLL_MS).unref();
    };
    poll();
  });
}

function inside(path: string): boolean {
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}
