import type {Context} from '@opentelemetry/api';
import type {ReadableSpan, Span, SpanProcessor} from '@opentelemetry/sdk-trace';

/*
 * The worker's own spans, for the trace assertions of the running test: once a test file loads
 * `jest-environment-otel/expect`, every span that ends is kept under its local root (the test span, or the suite
 * span for `beforeAll`/`afterAll`), redacted already, until that root ends. Exported or not makes no difference: an
 * assertion sees a span as soon as it has ended. Off (one boolean per span) in files that do not use assertions.
 */

/** Most spans kept per root; beyond it they are counted. */
const MAX_SPANS_PER_ROOT = 10_000;

export class LocalSpans implements SpanProcessor {
  private watching = false;
  /** The local root of each span started while watching, by span id. */
  private readonly rootOf = new Map<string, string>();
  private readonly byRoot = new Map<string, {spans: ReadableSpan[]; members: string[]; dropped: number}>();
  private readonly listeners = new Set<() => void>();

  /** From now until `stop()` (the file's teardown), spans are kept. */
  watch(): void {
    this.watching = true;
  }

  stop(): void {
    this.watching = false;
    this.rootOf.clear();
    this.byRoot.clear();
  }

  get active(): boolean {
    return this.watching;
  }

  onStart(span: Span, _parentContext: Context): void {
    if (!this.watching) return;
    const {spanId} = span.spanContext();
    const parent = span.parentSpanContext;
    // A parent of this process started before watching began is a root as far as this file is concerned.
    const root = parent && !parent.isRemote ? (this.rootOf.get(parent.spanId) ?? parent.spanId) : spanId;
    this.rootOf.set(spanId, root);
    let entry = this.byRoot.get(root);
    if (!entry) this.byRoot.set(root, (entry = {spans: [], members: [], dropped: 0}));
    entry.members.push(spanId);
  }

  onEnd(span: ReadableSpan): void {
    if (!this.watching) return;
    const {spanId} = span.spanContext();
    const root = this.rootOf.get(spanId);
    if (root === undefined) return;
    if (root === spanId) {
      // The test (or the file) is over: nothing asks for its spans any more.
      for (const member of this.byRoot.get(root)?.members ?? []) this.rootOf.delete(member);
      this.byRoot.delete(root);
      return;
    }
    const entry = this.byRoot.get(root);
    if (!entry) return;
    if (entry.spans.length < MAX_SPANS_PER_ROOT) entry.spans.push(span);
    else entry.dropped += 1;
    for (const listener of this.listeners) listener();
  }

  /** The spans ended so far under `rootSpanId`, and how many were not kept. */
  under(rootSpanId: string): {spans: readonly ReadableSpan[]; dropped: number} {
    const entry = this.byRoot.get(rootSpanId);
    return {spans: entry?.spans ?? [], dropped: entry?.dropped ?? 0};
  }

  /** Calls `listener` each time a span is kept; returns the unsubscribe. */
  onSpan(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.stop();
    return Promise.resolve();
  }
}
