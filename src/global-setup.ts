/** `globalSetup: 'jest-environment-otel/global-setup'`: see run/global-setup.ts. */
export {default} from './run/global-setup';
