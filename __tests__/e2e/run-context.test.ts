import {execFileSync} from 'node:child_process';
import {OtlpReceiver} from '../support/otlp-receiver';
import {REPO} from '../support/paths';
import {ourWarnings, runJest, type JestRun} from '../support/run-jest';
import {onlySpan, testSpans} from '../support/spans';

/*
 * Run context on real Jest runs of the "small" fixture: CI/VCS resource attributes for each CI, the local git
 * checkout outside CI, TRACEPARENT, static and per-file attributes, shards.
 */

/** Every variable a CI detector looks at first: cleared so that the machine running these tests does not leak in. */
const NO_CI = {
  GITHUB_ACTIONS: undefined,
  GITLAB_CI: undefined,
  CIRCLECI: undefined,
  BUILDKITE: undefined,
  JENKINS_URL: undefined,
  TF_BUILD: undefined,
  BITBUCKET_BUILD_NUMBER: undefined,
};

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(() => receiver.stop());

const run = (env: Record<string, string | undefined>, args: string[] = []): Promise<JestRun> =>
  runJest('small', {args: ['--runInBand', ...args], env: {...NO_CI, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env}});

const CI_CASES: Array<[string, Record<string, string>, Record<string, string>]> = [
  [
    'GitHub Actions',
    {
      GITHUB_ACTIONS: 'true', GITHUB_WORKFLOW: 'tests', GITHUB_RUN_ID: '9001', GITHUB_JOB: 'unit', GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF: 'refs/pull/42/merge', GITHUB_HEAD_REF: 'fix-cart', GITHUB_SHA: 'abc123',
      GITHUB_ACTOR: 'octocat', GITHUB_TOKEN: 'SECRET_GH_TOKEN', RUNNER_NAME: 'GitHub Actions 3', GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_BASE_REF: 'main', GITHUB_REF_TYPE: 'branch',
    },
    {
      'jest.ci.provider': 'github_actions', 'cicd.pipeline.name': 'tests', 'cicd.pipeline.run.id': '9001',
      'cicd.pipeline.run.url.full': 'https://github.com/acme/shop/actions/runs/9001', 'cicd.pipeline.task.name': 'unit',
      'vcs.repository.url.full': 'https://github.com/acme/shop', 'vcs.ref.head.name': 'fix-cart', 'vcs.ref.head.revision': 'abc123',
      'vcs.change.id': '42', 'jest.vcs.change.url.full': 'https://github.com/acme/shop/pull/42', 'jest.ci.actor': 'octocat',
      'cicd.pipeline.task.type': 'test', 'cicd.worker.name': 'GitHub Actions 3', 'vcs.provider.name': 'github', 'vcs.owner.name': 'acme',
      'vcs.repository.name': 'shop', 'vcs.ref.head.type': 'branch', 'vcs.ref.base.name': 'main', 'vcs.ref.base.type': 'branch',
    },
  ],
  [
    'GitLab CI',
    {
      GITLAB_CI: 'true', CI_PIPELINE_NAME: 'mr pipeline', CI_PIPELINE_ID: '77', CI_PIPELINE_URL: 'https://gitlab.com/acme/shop/-/pipelines/77',
      CI_JOB_NAME: 'test', CI_PROJECT_URL: 'https://gitlab.com/acme/shop', CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feat', CI_COMMIT_SHA: 'def456',
      CI_MERGE_REQUEST_IID: '7', GITLAB_USER_LOGIN: 'dev', CI_JOB_TOKEN: 'SECRET_GL_TOKEN', CI_JOB_ID: '901',
      CI_JOB_URL: 'https://gitlab.com/acme/shop/-/jobs/901', CI_RUNNER_ID: '12', CI_RUNNER_DESCRIPTION: 'shared runner',
      CI_PROJECT_NAMESPACE: 'acme', CI_PROJECT_NAME: 'shop', CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main', CI_MERGE_REQUEST_DIFF_BASE_SHA: 'base789',
    },
    {
      'jest.ci.provider': 'gitlab_ci', 'cicd.pipeline.name': 'mr pipeline', 'cicd.pipeline.run.id': '77',
      'cicd.pipeline.run.url.full': 'https://gitlab.com/acme/shop/-/pipelines/77', 'vcs.repository.url.full': 'https://gitlab.com/acme/shop',
      'vcs.ref.head.name': 'feat', 'vcs.ref.head.revision': 'def456', 'vcs.change.id': '7',
      'jest.vcs.change.url.full': 'https://gitlab.com/acme/shop/-/merge_requests/7', 'jest.ci.actor': 'dev',
      'cicd.pipeline.task.type': 'test', 'cicd.pipeline.task.run.id': '901', 'cicd.pipeline.task.run.url.full': 'https://gitlab.com/acme/shop/-/jobs/901',
      'cicd.worker.id': '12', 'cicd.worker.name': 'shared runner', 'vcs.provider.name': 'gitlab', 'vcs.owner.name': 'acme',
      'vcs.repository.name': 'shop', 'vcs.ref.base.name': 'main', 'vcs.ref.base.revision': 'base789', 'vcs.ref.base.type': 'branch',
    },
  ],
  [
    'CircleCI',
    {
      CIRCLECI: 'true', CIRCLE_PROJECT_REPONAME: 'shop', CIRCLE_WORKFLOW_ID: 'wf-1', CIRCLE_BUILD_URL: 'https://circleci.com/gh/acme/shop/12',
      CIRCLE_JOB: 'test', CIRCLE_REPOSITORY_URL: 'git@github.com:acme/shop.git', CIRCLE_BRANCH: 'main', CIRCLE_SHA1: 'aaa111',
      CIRCLE_PULL_REQUEST: 'https://github.com/acme/shop/pull/5', CIRCLE_USERNAME: 'circle-user', CIRCLE_PROJECT_USERNAME: 'acme',
    },
    {
      'jest.ci.provider': 'circleci', 'cicd.pipeline.run.id': 'wf-1', 'cicd.pipeline.run.url.full': 'https://circleci.com/gh/acme/shop/12',
      'vcs.ref.head.name': 'main', 'vcs.ref.head.revision': 'aaa111', 'vcs.change.id': '5',
      'jest.vcs.change.url.full': 'https://github.com/acme/shop/pull/5', 'jest.ci.actor': 'circle-user',
      'cicd.pipeline.task.type': 'test', 'vcs.provider.name': 'github', 'vcs.owner.name': 'acme', 'vcs.repository.name': 'shop',
    },
  ],
  [
    'Buildkite',
    {
      BUILDKITE: 'true', BUILDKITE_PIPELINE_NAME: 'Shop', BUILDKITE_BUILD_ID: 'bk-1', BUILDKITE_BUILD_URL: 'https://buildkite.com/acme/shop/builds/3',
      BUILDKITE_REPO: 'git@github.com:acme/shop.git', BUILDKITE_BRANCH: 'topic', BUILDKITE_COMMIT: 'bbb222', BUILDKITE_PULL_REQUEST: '9',
      BUILDKITE_BUILD_CREATOR: 'Ada', BUILDKITE_AGENT_ACCESS_TOKEN: 'SECRET_BK_TOKEN', BUILDKITE_JOB_ID: 'job-1', BUILDKITE_AGENT_NAME: 'agent-7',
      BUILDKITE_PULL_REQUEST_BASE_BRANCH: 'main',
    },
    {
      'jest.ci.provider': 'buildkite', 'cicd.pipeline.name': 'Shop', 'cicd.pipeline.run.id': 'bk-1', 'vcs.ref.head.revision': 'bbb222',
      'vcs.change.id': '9', 'jest.vcs.change.url.full': 'https://github.com/acme/shop/pull/9', 'jest.ci.actor': 'Ada',
      'cicd.pipeline.task.run.id': 'job-1', 'cicd.pipeline.task.run.url.full': 'https://buildkite.com/acme/shop/builds/3#job-1',
      'cicd.worker.name': 'agent-7', 'vcs.provider.name': 'github', 'vcs.owner.name': 'acme', 'vcs.repository.name': 'shop', 'vcs.ref.base.name': 'main',
    },
  ],
  [
    'Jenkins',
    {
      JENKINS_URL: 'https://ci.acme.test/', JOB_NAME: 'shop/PR-3', BUILD_TAG: 'jenkins-shop-PR-3-8', BUILD_URL: 'https://ci.acme.test/job/shop/8/',
      GIT_URL: 'https://bot:SECRET_GIT_PASSWORD@git.acme.test/shop.git', CHANGE_BRANCH: 'pr-branch', GIT_COMMIT: 'ccc333', CHANGE_ID: '3',
      CHANGE_URL: 'https://git.acme.test/shop/pull/3', CHANGE_AUTHOR: 'bob', CHANGE_TARGET: 'main', NODE_NAME: 'linux-2',
    },
    {
      'jest.ci.provider': 'jenkins', 'cicd.pipeline.name': 'shop/PR-3', 'cicd.pipeline.run.id': 'jenkins-shop-PR-3-8',
      'vcs.repository.url.full': 'https://REDACTED:REDACTED@git.acme.test/shop.git', 'vcs.ref.head.name': 'pr-branch',
      'vcs.change.id': '3', 'jest.ci.actor': 'bob', 'cicd.worker.name': 'linux-2', 'vcs.repository.name': 'shop', 'vcs.ref.base.name': 'main',
    },
  ],
  [
    'Azure Pipelines',
    {
      TF_BUILD: 'True', BUILD_DEFINITIONNAME: 'shop-ci', BUILD_BUILDID: '555', SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/acme/',
      SYSTEM_TEAMPROJECT: 'Shop', BUILD_REPOSITORY_URI: 'https://dev.azure.com/acme/Shop/_git/shop', BUILD_SOURCEBRANCH: 'refs/heads/dev',
      BUILD_SOURCEVERSION: 'ddd444', SYSTEM_PULLREQUEST_PULLREQUESTID: '12', BUILD_REQUESTEDFOR: 'Grace', SYSTEM_ACCESSTOKEN: 'SECRET_AZ_TOKEN',
      BUILD_REPOSITORY_PROVIDER: 'TfsGit', AGENT_NAME: 'Hosted Agent', AGENT_ID: '44', SYSTEM_PULLREQUEST_TARGETBRANCH: 'refs/heads/main',
    },
    {
      'jest.ci.provider': 'azure_pipelines', 'cicd.pipeline.run.url.full': 'https://dev.azure.com/acme/Shop/_build/results?buildId=555',
      'vcs.ref.head.name': 'dev', 'vcs.change.id': '12', 'jest.vcs.change.url.full': 'https://dev.azure.com/acme/Shop/_git/shop/pullrequest/12',
      'jest.ci.actor': 'Grace', 'cicd.worker.id': '44', 'cicd.worker.name': 'Hosted Agent', 'vcs.owner.name': 'acme/Shop',
      'vcs.repository.name': 'shop', 'vcs.ref.base.name': 'main',
    },
  ],
  [
    'Bitbucket Pipelines',
    {
      BITBUCKET_BUILD_NUMBER: '31', BITBUCKET_REPO_FULL_NAME: 'acme/shop', BITBUCKET_PIPELINE_UUID: '{uuid-1}',
      BITBUCKET_GIT_HTTP_ORIGIN: 'http://bitbucket.org/acme/shop', BITBUCKET_BRANCH: 'hotfix', BITBUCKET_COMMIT: 'eee555', BITBUCKET_PR_ID: '4',
      BITBUCKET_STEP_UUID: '{step-1}', BITBUCKET_WORKSPACE: 'acme', BITBUCKET_REPO_SLUG: 'shop', BITBUCKET_PR_DESTINATION_BRANCH: 'main',
    },
    {
      'jest.ci.provider': 'bitbucket_pipelines', 'cicd.pipeline.run.id': '{uuid-1}',
      'cicd.pipeline.run.url.full': 'http://bitbucket.org/acme/shop/pipelines/results/31', 'vcs.ref.head.name': 'hotfix',
      'jest.vcs.change.url.full': 'http://bitbucket.org/acme/shop/pull-requests/4', 'cicd.pipeline.task.run.id': '{step-1}',
      'vcs.provider.name': 'bitbucket', 'vcs.owner.name': 'acme', 'vcs.repository.name': 'shop', 'vcs.ref.base.name': 'main',
    },
  ],
];

test.each(CI_CASES)('%s: CI and VCS facts become resource attributes, and nothing secret does', async (_, env, expected) => {
  const result = await run(env);
  expect(result.results.numPassedTests).toBe(2);
  expect(receiver.spans.length).toBeGreaterThan(0);
  for (const span of receiver.spans) expect(span.resource).toMatchObject(expected);
  // Only names the CI or the repository URL gives: no provider guessed for a host of unknown software.
  if (!('vcs.provider.name' in expected)) expect(receiver.spans[0].resource['vcs.provider.name']).toBeUndefined();
  for (const body of receiver.rawBodies) expect(body.toString('latin1')).not.toMatch(/SECRET_/);
});

test('outside CI, branch and commit come from the local git checkout', async () => {
  const revision = execFileSync('git', ['rev-parse', 'HEAD'], {cwd: REPO, encoding: 'utf8'}).trim();
  await run({});
  const [span] = receiver.spans;
  expect(span.resource['vcs.ref.head.revision']).toBe(revision);
  expect(span.resource['jest.ci.provider']).toBeUndefined();
  // Whether the checkout has uncommitted changes, as git says; when it has, a digest of them.
  const dirty = execFileSync('git', ['status', '--porcelain'], {cwd: REPO, encoding: 'utf8'}) !== '';
  expect(span.resource['jest.vcs.worktree.dirty']).toBe(dirty);
  if (dirty) expect(span.resource['jest.vcs.worktree.changes']).toMatch(/^[0-9a-f]{16}$/);
  else expect(span.resource['jest.vcs.worktree.changes']).toBeUndefined();
  expect(span.resource['cicd.pipeline.task.type']).toBeUndefined();
});

const CI_SPAN = {traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7'};
const CI_CARRIER = {TRACEPARENT: `00-${CI_SPAN.traceId}-${CI_SPAN.spanId}-01`, TRACESTATE: 'ci=job-7,vendor=x', BAGGAGE: 'ci.job=unit,team=payments'};

test('TRACEPARENT, by default: each test is the root of its own trace, linked to the CI span with its tracestate', async () => {
  await run({TRACEPARENT: CI_CARRIER.TRACEPARENT, TRACESTATE: CI_CARRIER.TRACESTATE});
  const tops = receiver.spans.filter(span => span.attributes['test.suite.name'] !== undefined && span.attributes['jest.hook.type'] === undefined);
  expect(tops).toHaveLength(5);
  for (const span of tops) {
    expect(span.parentSpanId).toBeUndefined();
    expect(span.traceId).not.toBe(CI_SPAN.traceId);
    expect(span.links).toContainEqual({...CI_SPAN, traceState: CI_CARRIER.TRACESTATE});
  }
  expect(new Set(testSpans(receiver.spans).map(span => span.traceId)).size).toBe(3);
  expect(onlySpan(receiver.spans, 'math.test.js').links).toEqual([{...CI_SPAN, traceState: CI_CARRIER.TRACESTATE}]);
  expect(onlySpan(receiver.spans, 'adding').parentSpanId).toBe(onlySpan(receiver.spans, 'adds').spanId);
});

test('TRACEPARENT with traceparent: "parent": test and suite spans join that trace as its children, keeping its tracestate', async () => {
  await run({TRACEPARENT: CI_CARRIER.TRACEPARENT, TRACESTATE: CI_CARRIER.TRACESTATE}, ['--testEnvironmentOptions', JSON.stringify({otel: {traceparent: 'parent'}})]);
  const tops = receiver.spans.filter(span => span.attributes['test.suite.name'] !== undefined && span.attributes['jest.hook.type'] === undefined);
  expect(tops).toHaveLength(5);
  for (const span of tops) {
    expect([span.traceId, span.parentSpanId, span.traceState]).toEqual([CI_SPAN.traceId, CI_SPAN.spanId, CI_CARRIER.TRACESTATE]);
    expect(span.links.filter(link => link.traceId === CI_SPAN.traceId && link.spanId === CI_SPAN.spanId)).toEqual([]);
  }
  expect(onlySpan(receiver.spans, 'adding').parentSpanId).toBe(onlySpan(receiver.spans, 'adds').spanId);
});

test('BAGGAGE (with TRACEPARENT and TRACESTATE): a service the test calls gets the baggage and the test\'s own trace', async () => {
  const result = await runJest('carriers', {args: ['--runInBand'], env: {...NO_CI, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...CI_CARRIER}});
  expect(ourWarnings(result)).toEqual([]);
  const test = onlySpan(testSpans(receiver.spans), 'calls a service');
  const call = receiver.spans.find(span => span.kind === 'CLIENT' && span.parentSpanId === test.spanId)!;
  expect(test.links).toContainEqual({...CI_SPAN, traceState: CI_CARRIER.TRACESTATE});
  expect(test.attributes['received.traceparent']).toBe(`00-${test.traceId}-${call.spanId}-01`);
  expect(test.attributes['received.baggage']).toBe(CI_CARRIER.BAGGAGE);
  expect(test.attributes['active.baggage.team']).toBe('payments');
});

test('an invalid TRACEPARENT gets one warning and is ignored', async () => {
  const result = await run({TRACEPARENT: '00-not-a-trace-01'});
  expect(ourWarnings(result)).toEqual([
    '[jest-environment-otel] TRACEPARENT="00-not-a-trace-01" is not a valid W3C traceparent: expected 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>, not all zeros; it is ignored.',
  ]);
  for (const span of testSpans(receiver.spans)) expect(span.parentSpanId).toBeUndefined();
});

test('static attributes from options, per-file attributes from @otel-attribute pragmas', async () => {
  await run({}, ['--testEnvironmentOptions', JSON.stringify({otel: {attributes: {'app.area': 'checkout', team: 'default'}}})]);
  expect(onlySpan(testSpans(receiver.spans), 'joins').attributes).toMatchObject({'app.area': 'checkout', team: 'payments', tier: 'critical'});
  expect(onlySpan(receiver.spans, 'strings.test.js').attributes).toMatchObject({team: 'payments'});
  expect(onlySpan(testSpans(receiver.spans), 'adds').attributes).toMatchObject({'app.area': 'checkout', team: 'default'});
  expect(onlySpan(testSpans(receiver.spans), 'adds').attributes.tier).toBeUndefined();
});

test('a sharded run records its shard on every span of ours', async () => {
  const result = await run({}, ['--shard=2/2']);
  const ours = receiver.spans.filter(span => span.attributes['jest.run.id'] !== undefined);
  expect(result.results.testResults).toHaveLength(1);
  expect(ours.length).toBeGreaterThan(0);
  for (const span of ours) expect(span.attributes).toMatchObject({'jest.shard.index': 2, 'jest.shard.count': 2});
});
