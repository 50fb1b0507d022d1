/*
 * Below the Node.js this package supports (package.json `engines`, OpenTelemetry JS 3's own minimum) the tracing
 * still runs, but not all of it: what is missing must be said once, not left for the user to find as a hole in a
 * trace.
 */

/** `engines.node` of package.json: OpenTelemetry JS 3 requires it. */
export const SUPPORTED_NODE = '22.15.0';
/** From this version Node publishes `http.client.request.created`, where node:http client spans start (src/pipeline/http-client.ts). */
const HTTP_CLIENT_CHANNELS_NODE = '22.12.0';

/** The one warning for a Node.js below the supported one; undefined on a supported Node.js. */
export function unsupportedNodeWarning(version: string, httpTraced: boolean): string | undefined {
  if (!isBelow(version, SUPPORTED_NODE)) return undefined;
  const httpMissing =
    httpTraced && isBelow(version, HTTP_CLIENT_CHANNELS_NODE)
      ? ` Outgoing node:http/https requests are not traced: their client spans come from diagnostics channels that Node.js has from ${HTTP_CLIENT_CHANNELS_NODE}, so the requests carry no traceparent and a server they reach starts a trace of its own.`
      : '';
  return `Node.js ${version} is below the supported ${SUPPORTED_NODE} (OpenTelemetry JS 3 requires it): traces may be incomplete.${httpMissing} Run Jest on Node.js ${SUPPORTED_NODE} or later for complete traces; tests are not affected.`;
}

function isBelow(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const want = minimum.split('.').map(Number);
  for (let index = 0; index < want.length; index++) {
    const part = have[index] ?? 0;
    if (part !== want[index]) return part < want[index];
  }
  return false;
}
