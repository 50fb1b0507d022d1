/** `reporters: ['default', 'jest-environment-otel/reporter']`: see run/reporter.ts. */
export {default} from './run/reporter';
export type {OtelReporterOptions} from './run/reporter';
