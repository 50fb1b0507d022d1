import {existsSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {redactUrl, SECRET_QUERY_PARAMS} from './redact';
import {ATTR_JEST_VCS_WORKTREE_CHANGES, ATTR_JEST_VCS_WORKTREE_DIRTY, readWorktreeState} from './worktree';

/*
 * CI and VCS metadata as resource attributes, read from each CI's own environment variables (an allowlist: no other
 * variable is ever read, so tokens and secrets cannot become attributes) and, outside CI, from the local git
 * checkout's files. No network; one `git` process per worker (src/worktree.ts) says whether the work tree has
 * uncommitted changes.
 */

export const ATTR_CICD_PIPELINE_NAME = 'cicd.pipeline.name';
export const ATTR_CICD_PIPELINE_RUN_ID = 'cicd.pipeline.run.id';
export const ATTR_CICD_PIPELINE_RUN_URL = 'cicd.pipeline.run.url.full';
export const ATTR_CICD_PIPELINE_TASK_NAME = 'cicd.pipeline.task.name';
export const ATTR_VCS_REPOSITORY_URL = 'vcs.repository.url.full';
export const ATTR_VCS_REF_HEAD_NAME = 'vcs.ref.head.name';
export const ATTR_VCS_REF_HEAD_REVISION = 'vcs.ref.head.revision';
export const ATTR_VCS_CHANGE_ID = 'vcs.change.id';
export const ATTR_JEST_VCS_CHANGE_URL = 'jest.vcs.change.url.full';
export const ATTR_JEST_CI_PROVIDER = 'jest.ci.provider';
export const ATTR_JEST_CI_ACTOR = 'jest.ci.actor';

type Env = Record<string, string | undefined>;

interface CiFacts {
  provider: string;
  pipeline?: string;
  runId?: string;
  runUrl?: string;
  task?: string;
  repository?: string;
  branch?: string;
  revision?: string;
  changeId?: string;
  changeUrl?: string;
  actor?: string;
}

type Detector = (env: Env) => CiFacts | undefined;

const github: Detector = env => {
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : undefined;
  const changeId = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  return {
    provider: 'github_actions',
    pipeline: env.GITHUB_WORKFLOW,
    runId: env.GITHUB_RUN_ID,
    runUrl: repository && env.GITHUB_RUN_ID ? `${repository}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    task: env.GITHUB_JOB,
    repository,
    branch: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME,
    revision: env.GITHUB_SHA,
    changeId,
    changeUrl: repository && changeId ? `${repository}/pull/${changeId}` : undefined,
    actor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR,
  };
};

const gitlab: Detector = env => {
  if (env.GITLAB_CI !== 'true') return undefined;
  const changeId = env.CI_MERGE_REQUEST_IID;
  return {
    provider: 'gitlab_ci',
    pipeline: env.CI_PIPELINE_NAME || env.CI_PROJECT_PATH,
    runId: env.CI_PIPELINE_ID,
    runUrl: env.CI_PIPELINE_URL,
    task: env.CI_JOB_NAME,
    repository: env.CI_PROJECT_URL,
    branch: env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME || env.CI_COMMIT_REF_NAME,
    revision: env.CI_COMMIT_SHA,
    changeId,
    changeUrl: env.CI_PROJECT_URL && changeId ? `${env.CI_PROJECT_URL}/-/merge_requests/${changeId}` : undefined,
    actor: env.GITLAB_USER_LOGIN,
  };
};

const circleci: Detector = env => {
  if (env.CIRCLECI !== 'true') return undefined;
  const changeUrl = env.CIRCLE_PULL_REQUEST;
  return {
    provider: 'circleci',
    pipeline: env.CIRCLE_PROJECT_REPONAME,
    runId: env.CIRCLE_WORKFLOW_ID,
    runUrl: env.CIRCLE_BUILD_URL,
    task: env.CIRCLE_JOB,
    repository: env.CIRCLE_REPOSITORY_URL,
    branch: env.CIRCLE_BRANCH,
    revision: env.CIRCLE_SHA1,
    changeId: /\/(\d+)\/?$/.exec(changeUrl ?? '')?.[1],
    changeUrl,
    actor: env.CIRCLE_USERNAME,
  };
};

const buildkite: Detector = env => {
  if (env.BUILDKITE !== 'true') return undefined;
  const changeId = env.BUILDKITE_PULL_REQUEST && env.BUILDKITE_PULL_REQUEST !== 'false' ? env.BUILDKITE_PULL_REQUEST : undefined;
  const web = webUrl(env.BUILDKITE_REPO);
  return {
    provider: 'buildkite',
    pipeline: env.BUILDKITE_PIPELINE_NAME || env.BUILDKITE_PIPELINE_SLUG,
    runId: env.BUILDKITE_BUILD_ID,
    runUrl: env.BUILDKITE_BUILD_URL,
    task: env.BUILDKITE_LABEL,
    repository: env.BUILDKITE_REPO,
    branch: env.BUILDKITE_BRANCH,
    revision: env.BUILDKITE_COMMIT,
    changeId,
    changeUrl: web && changeId && web.includes('github') ? `${web}/pull/${changeId}` : undefined,
    actor: env.BUILDKITE_BUILD_CREATOR || env.BUILDKITE_BUILD_AUTHOR,
  };
};

const jenkins: Detector = env => {
  if (!env.JENKINS_URL) return undefined;
  return {
    provider: 'jenkins',
    pipeline: env.JOB_NAME,
    runId: env.BUILD_TAG || env.BUILD_NUMBER,
    runUrl: env.BUILD_URL,
    task: env.STAGE_NAME,
    repository: env.GIT_URL,
    branch: env.CHANGE_BRANCH || env.BRANCH_NAME || env.GIT_BRANCH,
    revision: env.GIT_COMMIT,
    changeId: env.CHANGE_ID,
    changeUrl: env.CHANGE_URL,
    actor: env.CHANGE_AUTHOR || env.BUILD_USER_ID,
  };
};

const azure: Detector = env => {
  if (env.TF_BUILD?.toLowerCase() !== 'true') return undefined;
  const collection = env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI;
  const repository = env.BUILD_REPOSITORY_URI;
  const changeId = env.SYSTEM_PULLREQUEST_PULLREQUESTNUMBER || env.SYSTEM_PULLREQUEST_PULLREQUESTID;
  const changeUrl =
    repository && changeId
      ? repository.includes('github.com')
        ? `${repository.replace(/\.git$/, '')}/pull/${changeId}`
        : `${repository}/pullrequest/${changeId}`
      : undefined;
  return {
    provider: 'azure_pipelines',
    pipeline: env.BUILD_DEFINITIONNAME,
    runId: env.BUILD_BUILDID,
    runUrl: collection && env.SYSTEM_TEAMPROJECT && env.BUILD_BUILDID
      ? `${collection}${encodeURIComponent(env.SYSTEM_TEAMPROJECT)}/_build/results?buildId=${env.BUILD_BUILDID}`
      : undefined,
    task: env.SYSTEM_JOBDISPLAYNAME,
    repository,
    branch: (env.SYSTEM_PULLREQUEST_SOURCEBRANCH || env.BUILD_SOURCEBRANCH)?.replace(/^refs\/heads\//, '') || env.BUILD_SOURCEBRANCHNAME,
    revision: env.BUILD_SOURCEVERSION,
    changeId,
    changeUrl,
    actor: env.BUILD_REQUESTEDFOR,
  };
};

const bitbucket: Detector = env => {
  if (!env.BITBUCKET_BUILD_NUMBER) return undefined;
  const origin = env.BITBUCKET_GIT_HTTP_ORIGIN;
  const changeId = env.BITBUCKET_PR_ID;
  return {
    provider: 'bitbucket_pipelines',
    pipeline: env.BITBUCKET_REPO_FULL_NAME || env.BITBUCKET_REPO_SLUG,
    runId: env.BITBUCKET_PIPELINE_UUID || env.BITBUCKET_BUILD_NUMBER,
    runUrl: origin ? `${origin}/pipelines/results/${env.BITBUCKET_BUILD_NUMBER}` : undefined,
    task: env.BITBUCKET_STEP_UUID,
    repository: origin,
    branch: env.BITBUCKET_BRANCH,
    revision: env.BITBUCKET_COMMIT,
    changeId,
    changeUrl: origin && changeId ? `${origin}/pull-requests/${changeId}` : undefined,
    actor: env.BITBUCKET_STEP_TRIGGERER_UUID,
  };
};

const DETECTORS: Detector[] = [github, gitlab, circleci, buildkite, jenkins, azure, bitbucket];

/**
 * Resource attributes describing the CI run and the code under test; `{}` when nothing is known. `written` are
 * folders the run writes to (the trace store): changes there are not changes of the code.
 */
export function detectRunContext(env: Env, rootDir: string, written: string[] = []): Record<string, string | boolean> {
  const facts = DETECTORS.reduce<CiFacts | undefined>((found, detect) => found ?? detect(env), undefined) ?? fromGit(rootDir);
  if (!facts) return {};
  // Only where a checkout is there to ask: a CI job that runs without one (an artifact's tests) has no work tree.
  const top = checkoutTop(resolve(rootDir));
  const worktree = top ? readWorktreeState(top, written) : undefined;
  const secretParams = new Set(SECRET_QUERY_PARAMS);
  const url = (value: string | undefined) => (value ? redactUrl(value, secretParams) : undefined);
  const attributes: Record<string, string | undefined> = {
    [ATTR_JEST_CI_PROVIDER]: facts.provider === 'git' ? undefined : facts.provider,
    [ATTR_CICD_PIPELINE_NAME]: facts.pipeline,
    [ATTR_CICD_PIPELINE_RUN_ID]: facts.runId,
    [ATTR_CICD_PIPELINE_RUN_URL]: url(facts.runUrl),
    [ATTR_CICD_PIPELINE_TASK_NAME]: facts.task,
    [ATTR_VCS_REPOSITORY_URL]: url(facts.repository),
    [ATTR_VCS_REF_HEAD_NAME]: facts.branch,
    [ATTR_VCS_REF_HEAD_REVISION]: facts.revision,
    [ATTR_VCS_CHANGE_ID]: facts.changeId,
    [ATTR_JEST_VCS_CHANGE_URL]: url(facts.changeUrl),
    [ATTR_JEST_CI_ACTOR]: facts.actor,
    [ATTR_JEST_VCS_WORKTREE_CHANGES]: worktree?.changes,
  };
  const known = Object.fromEntries(Object.entries(attributes).filter((entry): entry is [string, string] => Boolean(entry[1])));
  return worktree ? {...known, [ATTR_JEST_VCS_WORKTREE_DIRTY]: worktree.dirty} : known;
}

/** `git@host:owner/repo.git` or `https://host/owner/repo.git` → `https://host/owner/repo`. */
function webUrl(repository: string | undefined): string | undefined {
  if (!repository) return undefined;
  const scp = /^[^@/]+@([^:]+):(.+?)(?:\.git)?$/.exec(repository);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  return repository.replace(/\.git$/, '');
}

/** Branch and commit of the checkout around `dir`, read from `.git` (worktrees and packed refs included). */
function fromGit(dir: string): CiFacts | undefined {
  const gitDir = findGitDir(resolve(dir));
  if (!gitDir) return undefined;
  try {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return {provider: 'git', revision: head};
    const common = commonDir(gitDir);
    return {provider: 'git', branch: ref.replace(/^refs\/heads\//, ''), revision: readRef(gitDir, ref) ?? readRef(common, ref)};
  } catch {
    return undefined;
  }
}

/** The folder holding the `.git` of the checkout around `start`: the top of its work tree. */
function checkoutTop(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
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
