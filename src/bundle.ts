/*
 * The entry point of the single-file build (scripts/bundle.js). The environment and the reporter are built into one
 * module so that, where both run in one process (in band: Jest's main process), they share one pipeline, one run id
 * and one set of warnings, as they do when loaded from separate files.
 */
export {OtelEnvironment, withOtel} from './index';
export {tracedEnvironment} from './environment/environment';
export {default as otelRunner} from './runner';
export {default as OtelReporter} from './run/reporter';
export {default as otelGlobalSetup} from './run/global-setup';
// For build/load-bundle.js, which loads this module: a problem with its code cache is said as the package's others
// are, and the cache is written once a test file ran.
export {warnOnce} from './shared/diag';
export {writeCodeCacheAfterFirstFile} from './shared/code-cache';
