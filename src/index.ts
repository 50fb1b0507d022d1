import OtelEnvironment, {withOtel} from './environment/environment';

export default OtelEnvironment;
export {OtelEnvironment, withOtel};
export type {EnvironmentClass} from './environment/environment';
export type {OtelEnvironmentOptions, ExporterName, InstrumentationSpec} from './shared/config';
export type {OtelGlobals, OtelTestApi} from './environment/test-api';
export type {OtelReporterOptions} from './run/reporter';
