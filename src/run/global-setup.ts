import type {Config} from '@jest/types';
import {sdkDisabled} from '../shared/config';
import {warnOnce} from '../shared/diag';
import {startRunReceiver} from './receiver';
import {readReceiverOptions} from './receiver/options';

const REPORTER = /jest-environment-otel[\\/](reporter|build[\\/]reporter\.js)$/;

/**
 * `globalSetup: 'jest-environment-otel/global-setup'` (or called from your own global setup, first): starts the
 * receiver of the services' spans before anything the setup spawns, so those services find it in
 * `JEST_OTEL_RECEIVER_ENDPOINT`. It takes the reporter's `receiver` option. Never throws.
 */
export default async function otelGlobalSetup(globalConfig?: Pick<Config.GlobalConfig, 'reporters'>): Promise<void> {
  if (sdkDisabled()) return;
  const entry = (globalConfig?.reporters ?? []).find(reporter => REPORTER.test(Array.isArray(reporter) ? String(reporter[0]) : String(reporter)));
  const {options, errors, warnings} = readReceiverOptions(Array.isArray(entry) ? (entry[1] as {receiver?: unknown} | undefined)?.receiver : undefined);
  for (const message of [...errors, ...warnings]) warnOnce(message);
  if (!options) return;
  await startRunReceiver(options).ready;
}
