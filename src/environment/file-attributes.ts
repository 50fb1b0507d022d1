import type {Config} from '@jest/types';
import type {ResolvedConfig} from '../shared/config';
import {warnOnce} from '../shared/diag';
import {runId} from '../shared/run-id';
import {ATTR_JEST_RUN_ID, ATTR_JEST_SHARD_COUNT, ATTR_JEST_SHARD_INDEX, ATTR_JEST_WORKER_ID} from '../shared/semconv';

type Attributes = Record<string, string | number | boolean>;

/** The docblock pragma for per-file attributes: `@otel-attribute team=payments` (repeatable). */
export const ATTRIBUTE_PRAGMA = 'otel-attribute';

/**
 * Attributes on every span of one test file: the run id, worker and shard, the configured static attributes, and
 * the file's own `@otel-attribute key=value` pragmas (which win).
 */
export function fileAttributes(
  config: ResolvedConfig,
  globalConfig: Config.GlobalConfig,
  pragmas: Record<string, string | string[]>,
): Attributes {
  const attributes: Attributes = {[ATTR_JEST_RUN_ID]: runId(), ...config.attributes};
  const workerId = process.env.JEST_WORKER_ID;
  if (workerId) attributes[ATTR_JEST_WORKER_ID] = workerId;
  if (globalConfig.shard) {
    attributes[ATTR_JEST_SHARD_INDEX] = globalConfig.shard.shardIndex;
    attributes[ATTR_JEST_SHARD_COUNT] = globalConfig.shard.shardCount;
  }
  return {...attributes, ...pragmaAttributes(pragmas[ATTRIBUTE_PRAGMA])};
}

export function pragmaAttributes(value: string | string[] | undefined): Attributes {
  const result: Attributes = {};
  for (const entry of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
    const match = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(entry);
    if (match) result[match[1]] = match[2];
    else warnOnce(`@${ATTRIBUTE_PRAGMA} ${entry} is not valid: expected @${ATTRIBUTE_PRAGMA} key=value.`);
  }
  return result;
}
