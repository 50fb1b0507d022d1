import {resolve} from 'node:path';
import type {Instrumentation} from '@opentelemetry/instrumentation';
import type {InstrumentationSpec} from '../shared/config';
import {errorText, warnOnce} from '../shared/diag';

/*
 * The instrumentations a project lists in `instrumentations` (package names, with optional config) or creates in its
 * `instrumentationSetup` module, loaded from the project's rootDir. A name that cannot be loaded is reported once,
 * naming it; the others still load.
 */

export function loadUserInstrumentations(specs: InstrumentationSpec[], setupModule: string | undefined, rootDir: string): Instrumentation[] {
  const loaded: Instrumentation[] = [];
  for (const spec of specs) {
    const [name, config] = Array.isArray(spec) ? spec : [spec, {}];
    try {
      const exports = require(require.resolve(name, {paths: [rootDir]})) as Record<string, unknown>;
      const Class = Object.values(exports).find(isInstrumentationClass);
      if (!Class) throw new Error('it exports no instrumentation class');
      loaded.push(new Class(config));
    } catch (error) {
      warnOnce(`testEnvironmentOptions.otel.instrumentations: cannot load "${name}" from ${rootDir}: ${errorText(error)}`);
    }
  }
  if (setupModule) {
    try {
      const exported = require(resolve(rootDir, setupModule)) as unknown;
      const factory = (exported as {default?: unknown}).default ?? exported;
      const made = typeof factory === 'function' ? (factory as () => unknown)() : factory;
      const list = Array.isArray(made) ? made : [made];
      if (!list.every(isInstrumentation)) throw new Error('expected a function returning instrumentation instances (or an array of them)');
      loaded.push(...(list as Instrumentation[]));
    } catch (error) {
      warnOnce(`testEnvironmentOptions.otel.instrumentationSetup: cannot use "${setupModule}": ${errorText(error)}`);
    }
  }
  return loaded;
}

type InstrumentationClass = new (config: Record<string, unknown>) => Instrumentation;

function isInstrumentationClass(value: unknown): value is InstrumentationClass {
  return typeof value === 'function' && typeof (value.prototype as {enable?: unknown})?.enable === 'function' && /Instrumentation$/.test(value.name);
}

function isInstrumentation(value: unknown): value is Instrumentation {
  return typeof value === 'object' && value !== null && typeof (value as {enable?: unknown}).enable === 'function' && typeof (value as {instrumentationName?: unknown}).instrumentationName === 'string';
}
