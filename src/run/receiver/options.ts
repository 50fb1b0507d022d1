/** The reporter's `receiver` option: `false` turns the receiver off; an object sets its parts. */
export interface ReceiverOptions {
  /** The port it listens on. Default: 4318 (OTLP/HTTP's), or a free one when that is taken. */
  port?: number;
  /** The interface it listens on. Default: `127.0.0.1` (and `::1`). `0.0.0.0` lets containers reach it through `host.docker.internal`. */
  host?: string;
  /** Before the report is made, the receiver waits until no spans have come for this long, in ms. Default: 500. */
  quietMillis?: number;
  /** …but no longer than this, in ms. Default: 5000. */
  waitMillis?: number;
  /** The largest request accepted (compressed or not), in bytes; larger ones get 413. Default: 20 MiB. */
  maxBodyBytes?: number;
  /** Received spans kept for one run, as OTLP/JSON bytes in memory; what comes beyond is counted and said. Default: 512 MiB. */
  maxBufferedBytes?: number;
}

export type ResolvedReceiverOptions = Required<ReceiverOptions>;

export const RECEIVER_DEFAULTS: ResolvedReceiverOptions = {
  port: 4318,
  host: '127.0.0.1',
  quietMillis: 500,
  waitMillis: 5_000,
  maxBodyBytes: 20 * 1024 * 1024,
  maxBufferedBytes: 512 * 1024 * 1024,
};

const PREFIX = 'jest-environment-otel/reporter option receiver';
const NUMBERS = ['quietMillis', 'waitMillis', 'maxBodyBytes', 'maxBufferedBytes'] as const;

/** Overrides the port of the configuration, for one run or one CI job (`0`: any free port). */
export const RECEIVER_PORT_ENV = 'JEST_OTEL_RECEIVER_PORT';

/**
 * The receiver's options, or undefined when it is off. Wrong types are errors; the default is used instead.
 * `JEST_OTEL_RECEIVER_PORT` wins over the configured port.
 */
export function readReceiverOptions(
  raw: unknown,
  env: Record<string, string | undefined> = process.env,
): {options: ResolvedReceiverOptions | undefined; errors: string[]; warnings: string[]} {
  const result = {...readConfigured(raw), warnings: [] as string[]};
  const port = env[RECEIVER_PORT_ENV]?.trim();
  if (result.options && port) {
    const value = Number(port);
    if (Number.isInteger(value) && value >= 0 && value <= 65_535) result.options.port = value;
    else result.warnings.push(`${RECEIVER_PORT_ENV} must be an integer from 0 to 65535, got "${port}"; the receiver listens on port ${result.options.port}`);
  }
  return result;
}

function readConfigured(raw: unknown): {options: ResolvedReceiverOptions | undefined; errors: string[]} {
  const errors: string[] = [];
  if (raw === false) return {options: undefined, errors};
  const options = {...RECEIVER_DEFAULTS};
  if (raw === undefined || raw === true) return {options, errors};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(`${PREFIX} must be false or an object ({port, host, quietMillis, waitMillis, maxBodyBytes, maxBufferedBytes}), got ${JSON.stringify(raw)}`);
    return {options, errors};
  }
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (key === 'port') {
      if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65_535) options.port = value as number;
      else errors.push(`${PREFIX}.port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
    } else if (key === 'host') {
      if (typeof value === 'string' && value.trim() !== '') options.host = value.trim();
      else errors.push(`${PREFIX}.host must be a non-empty string such as "127.0.0.1" or "0.0.0.0", got ${JSON.stringify(value)}`);
    } else if ((NUMBERS as readonly string[]).includes(key)) {
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) options[key as (typeof NUMBERS)[number]] = value;
      else errors.push(`${PREFIX}.${key} must be a number ≥ 0, got ${JSON.stringify(value)}`);
    } else {
      errors.push(`unknown ${PREFIX}.${key} (known: port, host, ${NUMBERS.join(', ')})`);
    }
  }
  return {options, errors};
}
