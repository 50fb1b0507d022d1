import {readFileSync} from 'node:fs';
import {join, relative, sep} from 'node:path';
import vm from 'node:vm';
import {errorText, warnOnce} from '../shared/diag';

/*
 * Library instrumentations for modules that test files load.
 *
 * Jest loads a test's userland modules through its own registry and compiles each with `vm.compileFunction`, so the
 * require hooks that OpenTelemetry instrumentations install (require-in-the-middle) never see them. Here the compile
 * step is watched instead: when Jest compiles a file of a package some instrumentation cares about, the compiled
 * module function is wrapped so that, once the module has run, the instrumentation patches its exports exactly as
 * its require hook would have (same module/file definitions, same version checks).
 */

/** The parts of an `InstrumentationBase` used here. `_onRequire` is the entry point its require hook calls. */
export interface HookableInstrumentation {
  instrumentationName: string;
  getModuleDefinitions(): ModuleDefinition[];
  _onRequire?: (definition: ModuleDefinition, exports: unknown, name: string, baseDir: string) => unknown;
}

interface ModuleDefinition {
  name: string;
}

interface Target {
  name: string;
  baseDir: string;
  hooks: Array<{instrumentation: HookableInstrumentation; definition: ModuleDefinition}>;
}

type CompileFunction = typeof vm.compileFunction;

const hooksByPackage = new Map<string, Target['hooks']>();
const mainByBaseDir = new Map<string, string | undefined>();
let installed = false;

export function instrumentSandboxModules(instrumentations: HookableInstrumentation[]): void {
  for (const instrumentation of instrumentations) {
    if (typeof instrumentation._onRequire !== 'function') {
      warnOnce(`${instrumentation.instrumentationName} cannot patch modules loaded by tests: it has no require hook this environment can call.`);
      continue;
    }
    for (const definition of instrumentation.getModuleDefinitions()) {
      const hooks = hooksByPackage.get(definition.name) ?? [];
      hooks.push({instrumentation, definition});
      hooksByPackage.set(definition.name, hooks);
    }
  }
  if (installed || hooksByPackage.size === 0) return;
  installed = true;
  const original: CompileFunction = vm.compileFunction;
  vm.compileFunction = function (this: unknown, code, params, options) {
    const compiled = original.call(this, code, params, options);
    const target = params?.[0] === 'module' ? findTarget(options?.filename) : undefined;
    return target ? patchAfterRun(compiled, target) : compiled;
  } as CompileFunction;
}

function patchAfterRun(compiled: ReturnType<CompileFunction>, target: Target): ReturnType<CompileFunction> {
  return function (this: unknown, module: {exports: unknown}, ...rest: unknown[]) {
    const result = compiled.call(this, module, ...rest);
    for (const {instrumentation, definition} of target.hooks) {
      try {
        module.exports = instrumentation._onRequire!(definition, module.exports, target.name, target.baseDir);
      } catch (error) {
        warnOnce(`${instrumentation.instrumentationName} failed to patch ${target.name}: ${errorText(error)}`);
      }
    }
    return result;
  } as ReturnType<CompileFunction>;
}

/** The package a compiled file belongs to, named as a require hook names it: the package, or package/file. */
function findTarget(filename: string | undefined): Target | undefined {
  if (!filename || !filename.includes('node_modules')) return undefined;
  for (const [packageName, hooks] of hooksByPackage) {
    const marker = `${sep}node_modules${sep}${packageName.split('/').join(sep)}${sep}`;
    const index = filename.lastIndexOf(marker);
    if (index === -1) continue;
    const baseDir = filename.slice(0, index + marker.length - 1);
    const isMain = mainOf(baseDir) === filename;
    const name = isMain ? packageName : `${packageName}${sep}${relative(baseDir, filename)}`;
    return {name, baseDir, hooks};
  }
  return undefined;
}

function mainOf(baseDir: string): string | undefined {
  if (!mainByBaseDir.has(baseDir)) {
    let main: string | undefined;
    try {
      const manifest = JSON.parse(readFileSync(join(baseDir, 'package.json'), 'utf8')) as {main?: string};
      main = require.resolve(join(baseDir, manifest.main ?? 'index.js'));
    } catch {
      main = undefined;
    }
    mainByBaseDir.set(baseDir, main);
  }
  return mainByBaseDir.get(baseDir);
}
