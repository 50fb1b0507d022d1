/** Which stored spans are ours (tests and files), and the parent-to-children index the model walks. */
import {ATTR_JEST_TEST_STATUS, ATTR_TEST_CASE_NAME, ATTR_TEST_SUITE_RUN_STATUS} from '../shared/semconv';
import type {StoredSpan} from '../shared/store-read';

export function isTestSpan(span: StoredSpan): boolean {
  return span.attributes[ATTR_TEST_CASE_NAME] !== undefined && span.attributes[ATTR_JEST_TEST_STATUS] !== undefined;
}

export function isSuiteSpan(span: StoredSpan): boolean {
  return span.attributes[ATTR_TEST_SUITE_RUN_STATUS] !== undefined;
}

/** Children by parent, the roots of our trees (test and suite spans), and the resources, all de-duplicated. */
export class SpanIndex {
  readonly roots: StoredSpan[] = [];
  readonly resources: Array<Record<string, unknown>> = [];
  private readonly children = new Map<string, StoredSpan[]>();
  private readonly resourceIndex = new Map<Record<string, unknown>, number>();
  private readonly resourceByJson = new Map<string, number>();

  constructor(spans: readonly StoredSpan[]) {
    const unique = new Map<string, StoredSpan>();
    for (const span of spans) unique.set(`${span.traceId}/${span.spanId}`, span);
    const orphans: StoredSpan[] = [];
    for (const span of unique.values()) {
      if (isTestSpan(span) || isSuiteSpan(span)) this.roots.push(span);
      else if (span.parentSpanId && unique.has(`${span.traceId}/${span.parentSpanId}`)) this.add(`${span.traceId}/${span.parentSpanId}`, span);
      else orphans.push(span);
    }
    // A span whose parent never reached the store belongs to its trace's test or suite, when the trace has only one.
    const ownerByTrace = new Map<string, StoredSpan | null>();
    for (const root of this.roots) ownerByTrace.set(root.traceId, ownerByTrace.has(root.traceId) ? null : root);
    for (const span of orphans) {
      const owner = ownerByTrace.get(span.traceId);
      if (owner) this.add(`${owner.traceId}/${owner.spanId}`, span);
    }
    for (const list of this.children.values()) list.sort((a, b) => a.startMs - b.startMs);
  }

  childrenOf(span: StoredSpan): StoredSpan[] {
    return this.children.get(`${span.traceId}/${span.spanId}`) ?? [];
  }

  resourceOf(span: StoredSpan): number {
    const known = this.resourceIndex.get(span.resource);
    if (known !== undefined) return known;
    const json = JSON.stringify(span.resource);
    let index = this.resourceByJson.get(json);
    if (index === undefined) {
      index = this.resources.push(span.resource) - 1;
      this.resourceByJson.set(json, index);
    }
    this.resourceIndex.set(span.resource, index);
    return index;
  }

  private add(key: string, span: StoredSpan): void {
    const list = this.children.get(key);
    if (list) list.push(span);
    else this.children.set(key, [span]);
  }
}
