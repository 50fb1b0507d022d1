#!/usr/bin/env node
/*
 * The package's build, the one recipe `npm run build` and the tests' global setup both run: build/ emptied, the
 * TypeScript compiled (tsconfig.build.json), then the single-file build made from it (scripts/bundle.js). Emptied
 * first because tsc only adds and overwrites: a file whose source was removed would stay in build/ and be packed.
 * It is also the `prepare` script, the one lifecycle script that npm runs for all of `npm pack`, `npm publish`, an
 * install from a git URL (which runs no `prepack`), and `npm install` / `npm ci` in this checkout.
 *
 * build/cli.js is made executable: npm sets the bit on a bin only where it installs the package, and in this
 * checkout `npx jest-otel` runs the file itself, which a rebuild would otherwise leave without it.
 */
const {execFileSync} = require('node:child_process');
const {chmodSync, rmSync} = require('node:fs');
const {join} = require('node:path');

const root = join(__dirname, '..');
const run = (script, ...args) => execFileSync(process.execPath, [script, ...args], {cwd: root, stdio: 'inherit'});

rmSync(join(root, 'build'), {recursive: true, force: true});
run(require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json');
run(join(__dirname, 'bundle.js'));
chmodSync(join(root, 'build', 'cli.js'), 0o755);
