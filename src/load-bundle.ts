import {createHash} from 'node:crypto';
import {closeSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync} from 'node:fs';
import Module, {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Script} from 'node:vm';

/*
 * Loads the single-file build (build/package.js) with V8's code cache. Every Jest worker loads the environment, and
 * compiling the 680 kB bundle — and later, one by one, each function the first tests call — is about half of what a
 * worker pays before its first test. V8 can keep that compiled code: `Script#createCachedData()` after the code ran
 * holds every function compiled so far, and a later process that compiles the same source with it skips that work.
 * Node's own compile cache (`module.enableCompileCache()`) would do the same, but for every module the process loads
 * after it, the user's too; this covers the bundle alone.
 *
 * The cache is a file per bundle (its content), Node version, architecture and Node flags, in a folder of the user's
 * own (`JEST_OTEL_CODE_CACHE`, else `<os temp>/jest-environment-otel-code-<uid>`) that nobody else can write to:
 * cached code runs as the package's code. A process that loaded the bundle without an accepted cache writes one after
 * its first test file (src/shared/code-cache.ts; the first process to claim it, the others leave it): a reporter's or
 * a setup's process, which runs none, only reads it. V8 itself rejects data that does not match the source or the
 * flags, and the bundle then compiles as without. `JEST_OTEL_CODE_CACHE=off` (or Node's own
 * `NODE_DISABLE_COMPILE_CACHE`) loads the bundle with `require` as before.
 */

export const CODE_CACHE_ENV = 'JEST_OTEL_CODE_CACHE';
const BUNDLE = join(__dirname, 'package.js');
const OFF = new Set(['off', '0', 'false', 'no']);
/** Cache files kept in the folder: one per bundle, Node and flags in use; the oldest go first. */
const KEEP_FILES = 8;
/** A claim to write that is older than this was left by a process that died while writing. */
const STALE_CLAIM_MS = 60_000;

export type CodeCacheStatus = 'off' | 'unusable' | 'absent' | 'accepted' | 'rejected' | 'required';

interface CodeCacheState {
  status: CodeCacheStatus;
  /** The cache file, where one is used. */
  file?: string;
  /** Why the configured folder was not used, for the environment to say once per run. */
  problem?: string;
}

let state: CodeCacheState | undefined;

/** How the bundle was loaded in this process: undefined before it was. */
export function codeCacheState(): Readonly<CodeCacheState> | undefined {
  return state;
}

/** The bundle's exports, loaded once per process. */
export function loadBundle(): Record<string, unknown> {
  const loaded = require.cache[BUNDLE];
  if (loaded) return loaded.exports as Record<string, unknown>;
  const folder = cacheFolder();
  if (typeof folder !== 'string') {
    state = folder;
    const bundled = require(BUNDLE) as Record<string, unknown>;
    // The package's one way of saying a problem: once per run, however many workers meet it.
    if (folder.problem && typeof bundled.warnOnce === 'function') (bundled.warnOnce as (message: string) => void)(folder.problem);
    return bundled;
  }
  let source: string;
  try {
    source = readFileSync(BUNDLE, 'utf8');
  } catch {
    state = {status: 'required'};
    return require(BUNDLE) as Record<string, unknown>;
  }
  const file = join(folder, `${cacheKey(source)}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  let script: Script;
  try {
    // On a line of its own, the wrapper leaves the bundle's lines and columns as they are in the file.
    script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {filename: BUNDLE, lineOffset: -1, cachedData});
  } catch {
    state = {status: 'required'};
    return require(BUNDLE) as Record<string, unknown>;
  }
  const rejected = cachedData !== undefined && script.cachedDataRejected === true;
  state = {status: cachedData === undefined ? 'absent' : rejected ? 'rejected' : 'accepted', file};
  const bundle = new Module(BUNDLE, module);
  bundle.filename = BUNDLE;
  bundle.paths = module.paths;
  require.cache[BUNDLE] = bundle;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(bundle.exports, bundle.exports, createRequire(BUNDLE), bundle, BUNDLE, __dirname);
  } catch (error) {
    delete require.cache[BUNDLE];
    throw error;
  }
  bundle.loaded = true;
  const bundled = bundle.exports as Record<string, unknown>;
  if (state.status !== 'accepted' && typeof bundled.writeCodeCacheAfterFirstFile === 'function') {
    (bundled.writeCodeCacheAfterFirstFile as (write: () => void) => void)(() => writeCache(script, folder, file));
  }
  return bundled;
}

/** The folder to keep the cache in, or why there is none. */
function cacheFolder(): string | CodeCacheState {
  const setting = process.env[CODE_CACHE_ENV]?.trim();
  if ((setting && OFF.has(setting.toLowerCase())) || process.env.NODE_DISABLE_COMPILE_CACHE) return {status: 'off'};
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const folder = setting || join(tmpdir(), `jest-environment-otel-code-${uid ?? 'user'}`);
  const problem = (why: string): CodeCacheState => ({status: 'unusable', problem: setting ? `${CODE_CACHE_ENV} is ${setting}: ${why}; the package loads without a code cache` : undefined});
  try {
    mkdirSync(folder, {mode: 0o700});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return problem(`expected a folder that exists or can be made (${(error as NodeJS.ErrnoException).code})`);
  }
  let stat;
  try {
    stat = lstatSync(folder);
  } catch {
    return problem('expected a folder');
  }
  if (!stat.isDirectory()) return problem('expected a folder, not a file or a link');
  // Code read from the folder runs as this package's: nobody but its owner may write there.
  if (uid !== undefined && stat.uid !== uid) return problem('expected a folder of the user running Jest');
  if ((stat.mode & (setting ? 0o002 : 0o022)) !== 0) return problem(`expected a folder others cannot write to (its mode is ${(stat.mode & 0o777).toString(8)})`);
  return folder;
}

/** What the cached code is valid for: the bundle's content, and the Node, architecture and flags compiling it. */
function cacheKey(source: string): string {
  return createHash('sha1')
    .update(source)
    .update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Writes the code compiled so far as the cache, unless another process is writing it: the first to create the claim
 * (the cache's name with `.tmp`) writes it and renames it into place. Never throws; the process pays a few
 * milliseconds for it (about 15 on the benchmark machine), once per bundle, Node and flags.
 */
function writeCache(script: Script, folder: string, file: string): void {
  const claim = `${file}.tmp`;
  let fd: number;
  try {
    // Required here, not at the top: only the process that writes the cache loads it.
    const {claimFile} = require('./shared/claim-file') as typeof import('./shared/claim-file');
    const claimed = claimFile(claim, {staleMs: STALE_CLAIM_MS, mode: 0o600, keepOpen: true});
    if (claimed.outcome !== 'mine' || claimed.fd === undefined) return;
    fd = claimed.fd;
  } catch {
    return;
  }
  try {
    try {
      writeSync(fd, script.createCachedData());
    } finally {
      closeSync(fd);
    }
    renameSync(claim, file);
    prune(folder, file);
  } catch {
    rmSync(claim, {force: true});
  }
}

/** Keeps the newest cache files, `current` among them. */
function prune(folder: string, current: string): void {
  const files = readdirSync(folder)
    .filter(name => name.endsWith('.bin'))
    .map(name => join(folder, name))
    .filter(path => path !== current)
    .map(path => ({path, mtime: statSync(path).mtimeMs}))
    .sort((a, b) => b.mtime - a.mtime);
  for (const {path} of files.slice(KEEP_FILES - 1)) rmSync(path, {force: true});
}
