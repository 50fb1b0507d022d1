'use strict';

const {existsSync, readdirSync, readFileSync} = require('node:fs');
const {join} = require('node:path');

/** Spans in one run folder of the local trace store (`<storeDir>/runs/<run id>/worker-*.jsonl`), and its size. */
function countStoredSpans(runFolder) {
  let spans = 0;
  let bytes = 0;
  if (!existsSync(runFolder)) return {spans, bytes};
  for (const file of readdirSync(runFolder)) {
    const text = readFileSync(join(runFolder, file), 'utf8');
    bytes += Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (!line) continue;
      for (const resource of JSON.parse(line).resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
      }
    }
  }
  return {spans, bytes};
}

module.exports = {countStoredSpans};
