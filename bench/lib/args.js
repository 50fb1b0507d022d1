'use strict';

const {existsSync} = require('node:fs');

/*
 * Command-line flags of `npm run bench -- …`. Every flag has a default that gives the full run; `--quick` swaps in
 * smaller defaults for a short run (flags given explicitly still win).
 */

const FULL = {
  files: 40,
  tests: 25,
  calls: 1,
  pairs: 5,
  workers: [1, 2],
  scalingFiles: 10,
  scalingTests: [25, 250],
  scalingCalls: [1, 5],
  scalingPairs: 3,
  bigFile: 10_000,
  bigPairs: 3,
  microTests: 50_000,
  instructionTests: 200,
  receiverSpans: 100_000,
  receiverPairs: 3,
  unitFiles: 40,
  unitTests: 25,
  unitTransforms: ['babel', 'ts'],
  // A file of 100 tests does not resolve a per-test cost below plain Jest's own spread (about 0.3 M a test), and a
  // process's first ten files run cold: 1,000 tests and 100 files do (BENCHMARKS.md).
  unitInstructionFiles: 100,
  unitInstructionTests: 1000,
  unitInstructionRounds: 3,
  sections: ['unit', 'unit-instructions', 'suite', 'ablation', 'scaling', 'big', 'micro', 'profile', 'instructions', 'receiver'],
};

const QUICK = {
  ...FULL,
  files: 10,
  pairs: 2,
  workers: [1],
  scalingFiles: 4,
  scalingTests: [25, 100],
  scalingCalls: [1, 3],
  scalingPairs: 1,
  bigFile: 2_000,
  bigPairs: 1,
  microTests: 30_000,
  instructionTests: 50,
  receiverPairs: 1,
  unitFiles: 24,
  unitTransforms: ['babel'],
  unitInstructionFiles: 10,
  unitInstructionTests: 100,
  unitInstructionRounds: 1,
};

const HELP = `Usage: npm run bench -- [flags]

  --quick              a short run (about two minutes)
  --files N            test files of the default suite (${FULL.files})
  --tests N            tests per file (${FULL.tests})
  --calls N            HTTP calls per test (${FULL.calls})
  --pairs N            measured rounds per configuration, after one warm-up run (${FULL.pairs})
  --workers LIST       worker counts of the suite comparison, comma-separated (${FULL.workers.join(',')})
  --scaling-files N    files of each scaling suite (${FULL.scalingFiles})
  --scaling-tests LIST tests per file of the scaling table (${FULL.scalingTests.join(',')})
  --scaling-calls LIST HTTP calls per test of the scaling table (${FULL.scalingCalls.join(',')})
  --scaling-pairs N    rounds per scaling cell (${FULL.scalingPairs})
  --big-file N         tests in the single-file case (${FULL.bigFile})
  --big-pairs N        rounds of the single-file case (${FULL.bigPairs})
  --micro-tests N      tests driven through the recorder by the micro-benchmark (${FULL.microTests})
  --instruction-tests N tests of the file whose instructions valgrind counts (${FULL.instructionTests})
  --receiver-spans N   spans the service under test sends during the receiver's run (${FULL.receiverSpans})
  --receiver-pairs N   rounds of the receiver's case, with and without those spans (${FULL.receiverPairs})
  --unit-files N       files of the unit-test suite (${FULL.unitFiles})
  --unit-tests N       tests per file of the unit-test suite (${FULL.unitTests})
  --unit-transforms L  transforms of the unit-test suite: babel, ts (${FULL.unitTransforms.join(',')})
  --unit-instruction-files N  files of the unit suite counted under valgrind (${FULL.unitInstructionFiles})
  --unit-instruction-tests N  tests of the one-file unit suite counted under valgrind (${FULL.unitInstructionTests})
  --unit-instruction-rounds N valgrind counts of each case, their median taken (${FULL.unitInstructionRounds})
  --jest FILE          the jest/bin/jest.js to run, e.g. the matrix's Jest 29 (.matrix/jest29/node_modules/jest/bin/jest.js,
                       after npm run matrix); babel-jest comes from beside it (the repository's Jest)
  --only LIST          sections to run: ${FULL.sections.join(',')} (all)
  --keep               keep bench/.work/ (generated suites, caches, profiles) afterwards
`;

const NUMBERS = {
  '--files': 'files',
  '--tests': 'tests',
  '--calls': 'calls',
  '--pairs': 'pairs',
  '--scaling-files': 'scalingFiles',
  '--scaling-pairs': 'scalingPairs',
  '--big-file': 'bigFile',
  '--big-pairs': 'bigPairs',
  '--micro-tests': 'microTests',
  '--instruction-tests': 'instructionTests',
  '--receiver-spans': 'receiverSpans',
  '--receiver-pairs': 'receiverPairs',
  '--unit-files': 'unitFiles',
  '--unit-tests': 'unitTests',
  '--unit-instruction-files': 'unitInstructionFiles',
  '--unit-instruction-tests': 'unitInstructionTests',
  '--unit-instruction-rounds': 'unitInstructionRounds',
};
const LISTS = {'--workers': 'workers', '--scaling-tests': 'scalingTests', '--scaling-calls': 'scalingCalls'};

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const options = {...(quick ? QUICK : FULL), quick, keep: false};
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    if (flag === '--quick') continue;
    if (flag === '--keep') {
      options.keep = true;
      continue;
    }
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    }
    const value = argv[(index += 1)];
    if (value === undefined) fail(`${flag} needs a value`);
    if (NUMBERS[flag]) options[NUMBERS[flag]] = positive(flag, value);
    else if (LISTS[flag]) options[LISTS[flag]] = value.split(',').map(item => positive(flag, item));
    else if (flag === '--only') options.sections = sections(value);
    else if (flag === '--unit-transforms') options.unitTransforms = transforms(value);
    else if (flag === '--jest') options.jest = jestFile(value);
    else fail(`unknown flag ${flag}`);
  }
  return options;
}

function jestFile(value) {
  if (!existsSync(value)) fail(`--jest: ${value} does not exist; expected the path of a jest/bin/jest.js`);
  return value;
}

function positive(flag, value) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) fail(`${flag} must be a whole number ≥ 1, not ${value}`);
  return number;
}

function sections(value) {
  const chosen = value.split(',');
  const unknown = chosen.filter(name => !FULL.sections.includes(name));
  if (unknown.length > 0) fail(`--only: unknown section ${unknown.join(', ')}; expected ${FULL.sections.join(', ')}`);
  return chosen;
}

function transforms(value) {
  const chosen = value.split(',');
  if (chosen.some(name => name !== 'babel' && name !== 'ts')) fail(`--unit-transforms: expected babel, ts; not ${value}`);
  return chosen;
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n\n${HELP}`);
  process.exit(2);
}

module.exports = {parseArgs};
