import {DETECTORS, webUrl, type CiFacts, type Env} from './ci-providers';
import {checkoutTop, readCheckout} from './git-checkout';
import {redactUrl, SECRET_QUERY_PARAMS} from './redact';
import {ATTR_JEST_VCS_WORKTREE_CHANGES, ATTR_JEST_VCS_WORKTREE_DIRTY, sharedWorktreeState} from './worktree';
import {
  ATTR_CICD_PIPELINE_NAME,
  ATTR_CICD_PIPELINE_RUN_ID,
  ATTR_CICD_PIPELINE_RUN_URL,
  ATTR_CICD_PIPELINE_TASK_NAME,
  ATTR_CICD_PIPELINE_TASK_TYPE,
  ATTR_CICD_PIPELINE_TASK_RUN_ID,
  ATTR_CICD_PIPELINE_TASK_RUN_URL,
  ATTR_CICD_WORKER_ID,
  ATTR_CICD_WORKER_NAME,
  ATTR_VCS_PROVIDER_NAME,
  ATTR_VCS_OWNER_NAME,
  ATTR_VCS_REPOSITORY_NAME,
  ATTR_VCS_REPOSITORY_URL,
  ATTR_VCS_REF_HEAD_NAME,
  ATTR_VCS_REF_HEAD_REVISION,
  ATTR_VCS_REF_HEAD_TYPE,
  ATTR_VCS_REF_BASE_NAME,
  ATTR_VCS_REF_BASE_REVISION,
  ATTR_VCS_REF_BASE_TYPE,
  ATTR_VCS_CHANGE_ID,
  ATTR_JEST_VCS_CHANGE_URL,
  ATTR_JEST_CI_PROVIDER,
  ATTR_JEST_CI_ACTOR,
} from '../shared/semconv';

/*
 * CI and VCS metadata as resource attributes, from each CI's own environment variables (src/pipeline/ci-providers.ts) and,
 * outside CI, from the local git checkout's files. No network; one `git` process per run (src/pipeline/worktree.ts) says
 * whether the work tree has uncommitted changes, later than the rest: its attributes come as a promise.
 */

export interface RunContext {
  attributes: Record<string, string>;
  /** The work tree's attributes (`jest.vcs.worktree.*`), once git answered: `{}` when it cannot say. Never rejects. */
  worktree?: Promise<Record<string, string | boolean>>;
}

/**
 * Resource attributes describing the CI run and the code under test; none when nothing is known. `written` are
 * folders the run writes to (the trace store): changes there are not changes of the code.
 */
export function detectRunContext(env: Env, rootDir: string, written: string[] = []): RunContext {
  const facts = DETECTORS.reduce<CiFacts | undefined>((found, detect) => found ?? detect(env), undefined) ?? fromGit(rootDir);
  if (!facts) return {attributes: {}};
  // Only where a checkout is there to ask: a CI job that runs without one (an artifact's tests) has no work tree.
  const top = checkoutTop(rootDir);
  const worktree = top
    ? sharedWorktreeState(top, written).then(state =>
        state ? {[ATTR_JEST_VCS_WORKTREE_DIRTY]: state.dirty, ...(state.changes ? {[ATTR_JEST_VCS_WORKTREE_CHANGES]: state.changes} : {})} : {},
      )
    : undefined;
  const inCi = facts.provider !== 'git';
  const secretParams = new Set(SECRET_QUERY_PARAMS);
  const url = (value: string | undefined) => (value ? redactUrl(value, secretParams) : undefined);
  const path = repositoryPath(facts.repository);
  const attributes: Record<string, string | undefined> = {
    [ATTR_JEST_CI_PROVIDER]: inCi ? facts.provider : undefined,
    [ATTR_CICD_PIPELINE_NAME]: facts.pipeline,
    [ATTR_CICD_PIPELINE_RUN_ID]: facts.runId,
    [ATTR_CICD_PIPELINE_RUN_URL]: url(facts.runUrl),
    [ATTR_CICD_PIPELINE_TASK_NAME]: facts.task,
    // The task running Jest runs tests.
    [ATTR_CICD_PIPELINE_TASK_TYPE]: inCi ? 'test' : undefined,
    [ATTR_CICD_PIPELINE_TASK_RUN_ID]: facts.taskRunId,
    [ATTR_CICD_PIPELINE_TASK_RUN_URL]: url(facts.taskRunUrl),
    [ATTR_CICD_WORKER_ID]: facts.workerId,
    [ATTR_CICD_WORKER_NAME]: facts.workerName,
    [ATTR_VCS_PROVIDER_NAME]: facts.vcsProvider ?? providerOfHost(path?.host),
    [ATTR_VCS_OWNER_NAME]: facts.owner || path?.owner,
    [ATTR_VCS_REPOSITORY_NAME]: facts.repositoryName || path?.name,
    [ATTR_VCS_REPOSITORY_URL]: url(facts.repository),
    [ATTR_VCS_REF_HEAD_NAME]: facts.branch,
    [ATTR_VCS_REF_HEAD_REVISION]: facts.revision,
    [ATTR_VCS_REF_HEAD_TYPE]: facts.branch ? (facts.tag ? 'tag' : 'branch') : undefined,
    [ATTR_VCS_REF_BASE_NAME]: facts.baseBranch,
    [ATTR_VCS_REF_BASE_REVISION]: facts.baseBranch ? facts.baseRevision : undefined,
    [ATTR_VCS_REF_BASE_TYPE]: facts.baseBranch ? 'branch' : undefined,
    [ATTR_VCS_CHANGE_ID]: facts.changeId,
    [ATTR_JEST_VCS_CHANGE_URL]: url(facts.changeUrl),
    [ATTR_JEST_CI_ACTOR]: facts.actor,
  };
  const known = Object.fromEntries(Object.entries(attributes).filter((entry): entry is [string, string] => Boolean(entry[1])));
  return {attributes: known, worktree};
}

function fromGit(dir: string): CiFacts | undefined {
  const checkout = readCheckout(dir);
  return checkout && {provider: 'git', ...checkout};
}

/** Host, owner (the path's leading segments: a GitLab group may be nested) and short name of a repository URL. */
function repositoryPath(repository: string | undefined): {host: string; owner?: string; name: string} | undefined {
  const web = webUrl(repository);
  if (!web) return undefined;
  try {
    const {hostname, pathname} = new URL(web);
    const segments = pathname.split('/').filter(Boolean);
    const name = segments.pop();
    // Azure Repos: https://dev.azure.com/org/project/_git/repo
    if (segments.at(-1) === '_git') segments.pop();
    return name ? {host: hostname, owner: segments.join('/') || undefined, name} : undefined;
  } catch {
    return undefined;
  }
}

/** `vcs.provider.name` of the well-known hosts (and self-hosted ones named after their software). */
function providerOfHost(host: string | undefined): string | undefined {
  return ['github', 'gitlab', 'bitbucket', 'gitea'].find(provider => host?.split('.').some(label => label === provider || label.startsWith(`${provider}-`)));
}
