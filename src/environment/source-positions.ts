import {readFileSync} from 'node:fs';
import {basename} from 'node:path';
import {requireFromRunningJest} from './running-jest';

/*
 * Original positions of a few generated ones, read from the source map Jest wrote for the test file. Jest keeps, for
 * each test file, a registry of the transformed files' source maps (the runtime's `getSourceMaps()`), and hands it to
 * its stack formatter at the start of the file (`SourceMapSupport#install` of @jest/source-map, Jest 30). Formatting
 * a declaration site through that formatter parses and decodes the file's whole map with the rest of the machinery of
 * a stack trace; a test file needs a handful of positions, all in its own source. So the registry is noted when Jest
 * installs it, and the map is read once per file, decoding only the lines asked for.
 *
 * On Jest 29, which has no registry, the map comes from the `retrieveSourceMap` Jest gives source-map-support.
 * Anything out of the ordinary (no map for the file; an indexed map; a source that is not the
 * test file itself; a map that does not parse) answers undefined, and the caller formats the site the usual way.
 */

export interface GeneratedPosition {
  /** 1-based, as V8 gives it. */
  line: number;
  /** 1-based, as V8 gives it. */
  column: number;
}

/** An original position, 1-based; `null` when the map has no source for it (the generated position stands). */
export type OriginalPosition = GeneratedPosition | null;

type Registry = ReadonlyMap<string, string>;

let registry: Registry | undefined;
let watching = false;

/** Notes each registry Jest's stack formatter is given (once per worker; the formatter is left as it is). */
export function watchSourceMapRegistry(): void {
  if (watching) return;
  watching = true;
  const fromRunner = requireFromRunningJest();
  if (!fromRunner) return;
  let prototype: {install?: (...args: unknown[]) => unknown} | undefined;
  try {
    prototype = (fromRunner('@jest/source-map') as {SourceMapSupport?: {prototype: typeof prototype}}).SourceMapSupport?.prototype;
  } catch {
    watchRetrieveSourceMap(fromRunner);
    return;
  }
  const install = prototype?.install;
  // Jest 29's @jest/source-map, where a project has it, has no SourceMapSupport class.
  if (!prototype || typeof install !== 'function') return watchRetrieveSourceMap(fromRunner);
  prototype.install = function installNotingRegistry(this: unknown, ...args: unknown[]) {
    const sourceMaps = args[0];
    registry = sourceMaps instanceof Map ? sourceMaps : undefined;
    return install.apply(this, args);
  };
}

/**
 * Jest 29 has no registry class: at the start of each file it installs source-map-support with a `retrieveSourceMap`
 * that reads the map of a file from that file's runtime. The last one installed is noted, and asked for the test file's.
 */
let retrieve: ((source: string) => {map?: unknown} | null) | undefined;

function watchRetrieveSourceMap(requireFromRunner: NodeJS.Require): void {
  let support: {install?: (...args: unknown[]) => unknown} | undefined;
  try {
    support = requireFromRunner('source-map-support') as typeof support;
  } catch {
    return; // declaration sites are formatted
  }
  const install = support?.install;
  if (!support || typeof install !== 'function') return;
  support.install = function installNotingRetrieve(this: unknown, ...args: unknown[]) {
    const options = args[0] as {retrieveSourceMap?: unknown} | undefined;
    if (typeof options?.retrieveSourceMap === 'function') retrieve = options.retrieveSourceMap as typeof retrieve;
    return install.apply(this, args);
  };
}

function readMap(file: string): RawMap | undefined {
  const mapPath = registry?.get(file);
  try {
    if (mapPath) return JSON.parse(readFileSync(mapPath, 'utf8')) as RawMap;
    const found = registry ? undefined : retrieve?.(file)?.map;
    return found && typeof found === 'object' ? (found as RawMap) : undefined;
  } catch {
    return undefined;
  }
}

interface RawMap {
  version?: unknown;
  sources?: unknown;
  sourceRoot?: unknown;
  mappings?: unknown;
  sections?: unknown;
}

/**
 * The original positions of `positions` in `file`, in order, from the map in the registry Jest installed last; undefined
 * where this cannot say for sure (see above).
 */
export function originalPositions(file: string, positions: readonly GeneratedPosition[]): Array<OriginalPosition | undefined> | undefined {
  const map = readMap(file);
  if (!map) return undefined;
  if (map.version !== 3 || map.sections !== undefined || typeof map.mappings !== 'string' || !Array.isArray(map.sources)) return undefined;
  if (map.sourceRoot !== undefined && map.sourceRoot !== null && map.sourceRoot !== '') return undefined;
  const sources = map.sources as unknown[];
  let segmentsByLine: Map<number, number[][]>;
  try {
    segmentsByLine = decodeLines(map.mappings, new Set(positions.map(position => position.line - 1)));
  } catch {
    return undefined;
  }
  return positions.map(({line, column}) => {
    const segment = segmentAt(segmentsByLine.get(line - 1), column - 1);
    if (!segment || segment.length === 1) return null;
    return isFile(sources[segment[1]], file) ? {line: segment[2] + 1, column: segment[3] + 1} : undefined;
  });
}

/** A source that names the test file itself, in a form whose resolution against the file leaves no doubt. */
function isFile(source: unknown, file: string): boolean {
  if (typeof source !== 'string' || !/^[\w.\-/]+$/.test(source)) return false;
  return source === file || (source === basename(file) && !source.startsWith('.'));
}

const BASE64 = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let index = 0; index < alphabet.length; index += 1) table[alphabet.charCodeAt(index)] = index;
  return table;
})();

const COMMA = 44;
const SEMICOLON = 59;

/**
 * The segments (`[column]` or `[column, source, line, column]`, absolute, 0-based, as @jridgewell/sourcemap-codec
 * gives them) of the generated lines in `wanted` (0-based). The lines before the last one wanted are scanned for their
 * deltas only; the rest of the mappings are not read.
 */
export function decodeLines(mappings: string, wanted: ReadonlySet<number>): Map<number, number[][]> {
  const lines = new Map<number, number[][]>();
  const last = Math.max(-1, ...wanted);
  const fields = [0, 0, 0, 0, 0];
  let line = 0;
  let generatedColumn = 0;
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  let index = 0;
  while (index < mappings.length && line <= last) {
    const code = mappings.charCodeAt(index);
    if (code === SEMICOLON) {
      line += 1;
      generatedColumn = 0;
      index += 1;
      continue;
    }
    if (code === COMMA) {
      index += 1;
      continue;
    }
    let count = 0;
    while (index < mappings.length) {
      const next = mappings.charCodeAt(index);
      if (next === COMMA || next === SEMICOLON) break;
      if (count === 5) throw new Error('a segment of more than five fields');
      let value = 0;
      let shift = 0;
      let digit: number;
      do {
        digit = BASE64[mappings.charCodeAt(index)] ?? -1;
        if (digit < 0) throw new Error('not base64');
        index += 1;
        value |= (digit & 31) << shift;
        shift += 5;
      } while (digit & 32);
      const negative = value & 1;
      value >>>= 1;
      fields[count] = negative ? -0x80000000 | -value : value;
      count += 1;
    }
    if (count !== 1 && count !== 4 && count !== 5) throw new Error(`a segment of ${count} fields`);
    generatedColumn += fields[0];
    if (count > 1) {
      source += fields[1];
      sourceLine += fields[2];
      sourceColumn += fields[3];
    }
    if (wanted.has(line)) {
      let segments = lines.get(line);
      if (!segments) lines.set(line, (segments = []));
      segments.push(count === 1 ? [generatedColumn] : [generatedColumn, source, sourceLine, sourceColumn]);
    }
  }
  return lines;
}

/**
 * The segment that covers `column` (0-based), as @jridgewell/trace-mapping's `originalPositionFor` finds it (its
 * default bias): the first segment at that column, else the last one before it; segments sorted by column first.
 */
export function segmentAt(segments: number[][] | undefined, column: number): number[] | undefined {
  if (!segments || segments.length === 0) return undefined;
  let sorted = segments;
  for (let index = 1; index < segments.length; index += 1) {
    if (segments[index][0] < segments[index - 1][0]) {
      sorted = [...segments].sort((a, b) => a[0] - b[0]);
      break;
    }
  }
  let found = -1;
  for (let index = 0; index < sorted.length && sorted[index][0] <= column; index += 1) found = index;
  if (found === -1) return undefined;
  if (sorted[found][0] === column) while (found > 0 && sorted[found - 1][0] === column) found -= 1;
  return sorted[found];
}
