import OtelEnvironment from './environment';

export default OtelEnvironment;
export {OtelEnvironment};
export type {OtelEnvironmentOptions, ExporterName} from './config';
export type {OtelGlobals, OtelTestApi} from './test-api';
