import {createRequire} from 'node:module';

/*
 * The Jest that runs this process, which need not be the one this package was installed with: a project on Jest 29
 * runs this package beside its own Jest's packages. Found from the jest-runner it loaded (its worker, or its main
 * process in band), whose dependencies are that Jest's own.
 */

let runnerRequire: NodeJS.Require | null | undefined;

/** A `require` from the running Jest's jest-runner; undefined where no jest-runner is loaded (another runner). */
export function requireFromRunningJest(): NodeJS.Require | undefined {
  if (runnerRequire === undefined) {
    const runner = Object.keys(require.cache).find(path => /[\\/]jest-runner[\\/]build[\\/](?:index|testWorker)\.js$/.test(path));
    runnerRequire = runner ? createRequire(runner) : null;
  }
  return runnerRequire ?? undefined;
}

let nodeEnvironment: string | null | undefined;

/**
 * The file of the running Jest's jest-environment-node: the environment Jest runs when no `testEnvironment` is set
 * (`'node'` is looked up from the project first). Undefined where it cannot be found from the running Jest.
 */
export function runningNodeEnvironment(): string | undefined {
  if (nodeEnvironment === undefined) {
    try {
      nodeEnvironment = requireFromRunningJest()?.resolve('jest-environment-node') ?? null;
    } catch {
      nodeEnvironment = null;
    }
  }
  return nodeEnvironment ?? undefined;
}
