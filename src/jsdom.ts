import {tracedEnvironment} from './environment/environment';

/**
 * jsdom, traced: `testEnvironment: 'otel/jsdom'`, or `@jest-environment otel/jsdom` in a file's docblock. Needs
 * `jest-environment-jsdom` installed beside this package.
 */
const OtelJsdomEnvironment = tracedEnvironment('jsdom', 'jest-environment-otel/jsdom');
export default OtelJsdomEnvironment;
