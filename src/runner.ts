/** `testRunner: 'jest-environment-otel/runner'`: see environment/runner.ts. */
export {default} from './environment/runner';
