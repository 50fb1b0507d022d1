#!/usr/bin/env node
/*
 * After `tsc`: the environment and the reporter, with the OpenTelemetry packages they use, as one file
 * (build/package.js), and build/index.js and build/reporter.js as the entry points that re-export it.
 *
 * Every Jest worker loads the environment. From separate files that is about 200 modules (the API, SDK, resources,
 * semantic conventions, instrumentations…), each resolved, read and compiled on its own: some 90 ms per worker. As
 * one file, tree-shaken (below), about 16 ms. Left outside: jest-environment-node (Jest loads it anyway) and the OTLP
 * transformer's entry point; its two trace serializers are in the bundle, run on the first export
 * (src/pipeline/serializers.ts). The package's dependencies stay as they are, so that what a project's own instrumentations
 * require resolves as before.
 *
 * The bundle is built from the TypeScript sources and from the ES module builds of the OpenTelemetry packages (each
 * ships both), also where the code says `require()`: ES modules can be tree-shaken, CommonJS cannot. That leaves out
 * what nothing calls, above all the semantic conventions (about 200 kB of constants, of which the packages use a few
 * dozen): 790 kB became 440 kB, and loading it 57 ms became 16 ms. Every OpenTelemetry package is in it once, as an ES
 * module; none as CommonJS besides.
 */
const {build: bundle} = require('esbuild');
const {writeFileSync} = require('node:fs');
const {dirname, join} = require('node:path');

const root = join(__dirname, '..');
const build = join(root, 'build');
const transformerDist = dirname(require.resolve('@opentelemetry/otlp-transformer'));
const {TRACE_MODULES, LOGS_MODULES} = require(join(build, 'pipeline', 'serializers.js'));
const EXTERNAL = ['jest-environment-node', '@opentelemetry/otlp-transformer'];

/** The ids src/pipeline/serializers.ts requires for the transformer's trace-only and logs-only modules: their ES module builds. */
const traceSerializers = {
  name: 'otlp-trace-serializers',
  setup(esbuild) {
    esbuild.onResolve({filter: /^jest-environment-otel\/bundled\/otlp-(trace|logs)-(protobuf|json)$/}, ({path}) => {
      const modules = path.includes('-logs-') ? LOGS_MODULES : TRACE_MODULES;
      return {path: `${join(transformerDist, ...modules[path.endsWith('json') ? 'json' : 'protobuf'])}.mjs`};
    });
  },
};

/** `require('@opentelemetry/…')` resolved as an import would be: to the package's ES module build. */
const esModules = {
  name: 'opentelemetry-es-modules',
  setup(esbuild) {
    esbuild.onResolve({filter: /^@opentelemetry\//}, async ({path, kind, resolveDir, pluginData}) => {
      if (kind !== 'require-call' || pluginData === esModules.name || EXTERNAL.includes(path)) return undefined;
      const resolved = await esbuild.resolve(path, {kind: 'import-statement', resolveDir, pluginData: esModules.name});
      return resolved.errors.length > 0 ? undefined : {path: resolved.path};
    });
  },
};

/**
 * src/pipeline/stack-frames.ts stays a file of its own next to the bundle (tsc's build/pipeline/stack-frames.js): its
 * frames are in every test's stack, and whatever maps a stack reads each file named in it.
 */
const ownFile = {
  name: 'stack-frames-outside',
  setup(esbuild) {
    esbuild.onResolve({filter: /[\\/]stack-frames$/}, () => ({path: './pipeline/stack-frames.js', external: true}));
  },
};

async function main() {
  const {metafile} = await bundle({
    entryPoints: [join(root, 'src', 'bundle.ts')],
    tsconfig: join(root, 'tsconfig.build.json'),
    outfile: join(build, 'package.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: EXTERNAL,
    plugins: [traceSerializers, esModules, ownFile],
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  const commonJs = Object.keys(metafile.inputs).filter(input => /@opentelemetry\/.*\.cjs$/.test(input));
  if (commonJs.length > 0) throw new Error(`CommonJS builds of OpenTelemetry packages in the bundle, next to their ES modules: ${commonJs.join(', ')}`);

  // The bundle is loaded with V8's code cache (src/load-bundle.ts).
  const load = "const bundled = require('./load-bundle.js').loadBundle();\n";
  const header = `'use strict';\n// The single-file build of the package (scripts/bundle.js).\nObject.defineProperty(exports, '__esModule', {value: true});\n${load}`;
  writeFileSync(join(build, 'index.js'), `${header}exports.default = bundled.OtelEnvironment;\nexports.OtelEnvironment = bundled.OtelEnvironment;\nexports.withOtel = bundled.withOtel;\n`);
  writeFileSync(join(build, 'reporter.js'), `${header}exports.default = bundled.OtelReporter;\n`);
  writeFileSync(join(build, 'runner.js'), `${header}exports.default = bundled.otelRunner;\n`);
  // Loaded only by the projects that use it, so that jest-environment-jsdom stays optional.
  writeFileSync(join(build, 'jsdom.js'), `${header}exports.default = bundled.tracedEnvironment('jsdom', 'jest-environment-otel/jsdom');\n`);
  // A function as the module itself, as Jest's globalSetup takes it and a project's own setup can call it.
  writeFileSync(join(build, 'global-setup.js'), `'use strict';\n${load}module.exports = bundled.otelGlobalSetup;\nmodule.exports.default = bundled.otelGlobalSetup;\n`);
}

main().catch(error => {
  process.exitCode = 1;
  console.error(error);
});
