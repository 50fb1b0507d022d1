/*
 * Types for the globals jest-environment-otel puts in every test file. Add
 * `/// <reference types="jest-environment-otel/globals" />` to a test (or "jest-environment-otel/globals" to
 * `compilerOptions.types`) to use `otelTracer` and `otelTest` from TypeScript.
 */
import type {Tracer} from '@opentelemetry/api';
import type {OtelTestApi} from './build/index';

declare global {
  /** The tracer of the test environment: spans started with it are children of the running test or hook. */
  var otelTracer: Tracer;
  /** The running test's span: add attributes and events that belong to the test. */
  var otelTest: OtelTestApi;
}

export {};
