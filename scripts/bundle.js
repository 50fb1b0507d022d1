#!/usr/bin/env node
/*
 * After `tsc`: the environment and the reporter, with the OpenTelemetry packages they use, as one file
 * (build/package.js), and build/index.js and build/reporter.js as the entry points that re-export it.
 *
 * Every Jest worker loads the environment. From separate files that is about 200 modules (the API, SDK, resources,
 * semantic conventions, instrumentations…), each resolved, read and compiled on its own: some 90 ms per worker. As
 * one file, about 40 ms. Left outside: jest-environment-node (Jest loads it anyway) and the OTLP transformer's entry
 * point; its two trace serializers are in the bundle, run on the first export (src/serializers.ts). The package's
 * dependencies stay as they are, so that what a project's own instrumentations require resolves as before.
 */
const {build: bundle} = require('esbuild');
const {writeFileSync} = require('node:fs');
const {dirname, join} = require('node:path');

const build = join(__dirname, '..', 'build');
const transformerDist = dirname(require.resolve('@opentelemetry/otlp-transformer'));
const {TRACE_MODULES} = require(join(build, 'serializers.js'));

/** The ids src/serializers.ts requires for the transformer's trace-only modules, resolved into the bundle. */
const traceSerializers = {
  name: 'otlp-trace-serializers',
  setup(esbuild) {
    esbuild.onResolve({filter: /^jest-environment-otel\/bundled\/otlp-trace-(protobuf|json)$/}, ({path}) => ({
      path: join(transformerDist, ...TRACE_MODULES[path.endsWith('json') ? 'json' : 'protobuf']),
    }));
  },
};

async function main() {
  await bundle({
    entryPoints: [join(build, 'bundle.js')],
    outfile: join(build, 'package.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['jest-environment-node', '@opentelemetry/otlp-transformer'],
    plugins: [traceSerializers],
    logLevel: 'warning',
    legalComments: 'none',
  });

  const header = "'use strict';\n// The single-file build of the package (scripts/bundle.js).\nObject.defineProperty(exports, '__esModule', {value: true});\nconst bundled = require('./package.js');\n";
  writeFileSync(join(build, 'index.js'), `${header}exports.default = bundled.OtelEnvironment;\nexports.OtelEnvironment = bundled.OtelEnvironment;\nexports.withOtel = bundled.withOtel;\n`);
  writeFileSync(join(build, 'reporter.js'), `${header}exports.default = bundled.OtelReporter;\n`);
}

main().catch(error => {
  process.exitCode = 1;
  console.error(error);
});
