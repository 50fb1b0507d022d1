import OtelEnvironment, {withOtel} from './environment';

export default OtelEnvironment;
export {OtelEnvironment, withOtel};
export type {EnvironmentClass} from './environment';
export type {OtelEnvironmentOptions, ExporterName, InstrumentationSpec} from './shared/config';
export type {OtelGlobals, OtelTestApi} from './test-api';
export type {OtelReporterOptions} from './reporter';
