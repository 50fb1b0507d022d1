/*
 * What each CI says about its run, read from its own environment variables: an allowlist, so no other variable (no
 * token, no secret) is ever read. src/pipeline/ci.ts turns the facts into resource attributes.
 */

export type Env = Record<string, string | undefined>;

export interface CiFacts {
  provider: string;
  pipeline?: string;
  runId?: string;
  runUrl?: string;
  task?: string;
  taskRunId?: string;
  taskRunUrl?: string;
  workerId?: string;
  workerName?: string;
  /** `vcs.provider.name` where the CI says it; else derived from the repository's host. */
  vcsProvider?: string;
  /** Owner and short name where the CI says them; else derived from the repository URL's path. */
  owner?: string;
  repositoryName?: string;
  repository?: string;
  branch?: string;
  /** Set when the head is a tag rather than a branch. */
  tag?: boolean;
  revision?: string;
  /** The pull request's target branch and, where the CI gives it, its commit. */
  baseBranch?: string;
  baseRevision?: string;
  changeId?: string;
  changeUrl?: string;
  actor?: string;
}

export type Detector = (env: Env) => CiFacts | undefined;

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
    workerName: env.RUNNER_NAME,
    vcsProvider: 'github',
    owner: env.GITHUB_REPOSITORY_OWNER,
    repository,
    branch: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME,
    tag: env.GITHUB_REF_TYPE === 'tag',
    revision: env.GITHUB_SHA,
    baseBranch: env.GITHUB_BASE_REF,
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
    taskRunId: env.CI_JOB_ID,
    taskRunUrl: env.CI_JOB_URL,
    workerId: env.CI_RUNNER_ID,
    workerName: env.CI_RUNNER_DESCRIPTION,
    vcsProvider: 'gitlab',
    owner: env.CI_PROJECT_NAMESPACE,
    repositoryName: env.CI_PROJECT_NAME,
    repository: env.CI_PROJECT_URL,
    branch: env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME || env.CI_COMMIT_REF_NAME,
    tag: Boolean(env.CI_COMMIT_TAG),
    revision: env.CI_COMMIT_SHA,
    baseBranch: env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME,
    baseRevision: env.CI_MERGE_REQUEST_TARGET_BRANCH_SHA || env.CI_MERGE_REQUEST_DIFF_BASE_SHA,
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
    taskRunId: env.CIRCLE_WORKFLOW_JOB_ID,
    owner: env.CIRCLE_PROJECT_USERNAME,
    repositoryName: env.CIRCLE_PROJECT_REPONAME,
    repository: env.CIRCLE_REPOSITORY_URL,
    branch: env.CIRCLE_BRANCH || env.CIRCLE_TAG,
    tag: !env.CIRCLE_BRANCH && Boolean(env.CIRCLE_TAG),
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
    taskRunId: env.BUILDKITE_JOB_ID,
    taskRunUrl: env.BUILDKITE_BUILD_URL && env.BUILDKITE_JOB_ID ? `${env.BUILDKITE_BUILD_URL}#${env.BUILDKITE_JOB_ID}` : undefined,
    workerId: env.BUILDKITE_AGENT_ID,
    workerName: env.BUILDKITE_AGENT_NAME,
    repository: env.BUILDKITE_REPO,
    branch: env.BUILDKITE_TAG || env.BUILDKITE_BRANCH,
    tag: Boolean(env.BUILDKITE_TAG),
    revision: env.BUILDKITE_COMMIT,
    baseBranch: changeId ? env.BUILDKITE_PULL_REQUEST_BASE_BRANCH : undefined,
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
    workerName: env.NODE_NAME,
    repository: env.GIT_URL,
    branch: env.CHANGE_BRANCH || env.BRANCH_NAME || env.GIT_BRANCH,
    revision: env.GIT_COMMIT,
    baseBranch: env.CHANGE_TARGET,
    changeId: env.CHANGE_ID,
    changeUrl: env.CHANGE_URL,
    actor: env.CHANGE_AUTHOR || env.BUILD_USER_ID,
  };
};

/** Azure's BUILD_REPOSITORY_PROVIDER values that name a `vcs.provider.name` (TfsGit, Azure Repos, has none). */
const AZURE_REPOSITORY_PROVIDERS: Record<string, string | undefined> = {GitHub: 'github', GitHubEnterprise: 'github', Bitbucket: 'bitbucket'};

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
    taskRunId: env.SYSTEM_JOBID,
    workerId: env.AGENT_ID,
    workerName: env.AGENT_NAME,
    vcsProvider: AZURE_REPOSITORY_PROVIDERS[env.BUILD_REPOSITORY_PROVIDER ?? ''],
    repository,
    branch: (env.SYSTEM_PULLREQUEST_SOURCEBRANCH || env.BUILD_SOURCEBRANCH)?.replace(/^refs\/(heads|tags)\//, '') || env.BUILD_SOURCEBRANCHNAME,
    tag: !env.SYSTEM_PULLREQUEST_SOURCEBRANCH && Boolean(env.BUILD_SOURCEBRANCH?.startsWith('refs/tags/')),
    revision: env.BUILD_SOURCEVERSION,
    baseBranch: env.SYSTEM_PULLREQUEST_TARGETBRANCH?.replace(/^refs\/heads\//, ''),
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
    taskRunId: env.BITBUCKET_STEP_UUID,
    vcsProvider: 'bitbucket',
    owner: env.BITBUCKET_WORKSPACE,
    repositoryName: env.BITBUCKET_REPO_SLUG,
    repository: origin,
    branch: env.BITBUCKET_BRANCH || env.BITBUCKET_TAG,
    tag: !env.BITBUCKET_BRANCH && Boolean(env.BITBUCKET_TAG),
    revision: env.BITBUCKET_COMMIT,
    baseBranch: env.BITBUCKET_PR_DESTINATION_BRANCH,
    baseRevision: env.BITBUCKET_PR_DESTINATION_COMMIT,
    changeId,
    changeUrl: origin && changeId ? `${origin}/pull-requests/${changeId}` : undefined,
    actor: env.BITBUCKET_STEP_TRIGGERER_UUID,
  };
};

export const DETECTORS: Detector[] = [github, gitlab, circleci, buildkite, jenkins, azure, bitbucket];

/** `git@host:owner/repo.git` or `https://host/owner/repo.git` → `https://host/owner/repo`. */
export function webUrl(repository: string | undefined): string | undefined {
  if (!repository) return undefined;
  const scp = /^[^@/]+@([^:]+):(.+?)(?:\.git)?$/.exec(repository);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  return repository.replace(/\.git$/, '');
}
