#!/usr/bin/env node
/*
 * Run first by the npm scripts that run the project: they must run on the Node.js pinned as a devDependency
 * (node_modules/.bin/node, which npm puts first on their PATH), whatever the system's Node is. The pin is installed by
 * the `node` package's install script; where that did not run (`--ignore-scripts`, or an npm that blocks install
 * scripts not listed in package.json's `allowScripts`), the scripts would run on the system's Node: one line says so
 * and the script stops, instead of failing later in a way that does not name the cause.
 */
const {existsSync, realpathSync} = require('node:fs');
const {join} = require('node:path');

const root = join(__dirname, '..');
const pinned = join(root, 'node_modules', '.bin', 'node');
const {devDependencies} = require(join(root, 'package.json'));

const running = `this is Node.js ${process.version} (${process.execPath})`;

if (!existsSync(pinned)) {
  console.error(`jest-environment-otel: the pinned Node.js (devDependency "node" ${devDependencies.node}) is not installed, its install script did not run; ${running}. Install it with \`npm rebuild node\`.`);
  process.exit(1);
}
if (realpathSync(pinned) !== realpathSync(process.execPath)) {
  console.error(`jest-environment-otel: run this through npm (\`npm test\`, \`npm run …\`), which runs it on the pinned Node.js, node_modules/.bin/node; ${running}.`);
  process.exit(1);
}
