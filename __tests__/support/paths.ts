import {join, resolve} from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
/** Where the packed package and the fixture projects are installed for a test run (git-ignored). */
export const WORK = join(REPO, '.e2e');
export const FIXTURES = join(REPO, '__tests__', 'fixtures');
export const JEST_BIN = join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');
