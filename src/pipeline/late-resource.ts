import type {Attributes} from '@opentelemetry/api';
import type {RawResourceAttribute, Resource} from '@opentelemetry/resources';

/*
 * A resource some of whose attributes come later (the work tree's, once git answered: src/pipeline/worktree.ts), so
 * that no process waits for git before its first test. OpenTelemetry's own asynchronous attributes cannot leave an
 * attribute out once it is promised (an unknown work tree has neither); here the late ones are a record that may be
 * empty. Until they settle, `attributes` are the others; `asyncAttributesPending` and `waitForAsyncAttributes` say so
 * as the SDK's resource does, and every export waits for them (the export queue, the logs SDK's processors). The
 * attributes given at first win over the late ones: they hold the user's `resourceAttributes`.
 */
export class LateResource implements Resource {
  private late: Attributes | undefined;
  private settledAttributes: Attributes | undefined;
  private readonly settling: Promise<void>;

  constructor(
    private readonly base: Resource,
    late: Promise<Attributes>,
  ) {
    this.settling = late.then(
      attributes => {
        this.late = attributes;
      },
      () => {
        this.late = {};
      },
    );
  }

  get asyncAttributesPending(): boolean {
    return this.late === undefined;
  }

  waitForAsyncAttributes(): Promise<void> {
    return this.settling;
  }

  get attributes(): Attributes {
    if (this.late === undefined) return this.base.attributes;
    this.settledAttributes ??= {...this.late, ...this.base.attributes};
    return this.settledAttributes;
  }

  get schemaUrl(): string | undefined {
    return this.base.schemaUrl;
  }

  getRawAttributes(): RawResourceAttribute[] {
    return Object.entries(this.attributes);
  }

  /** The late attributes stay the weakest: the merged resource's own and `other`'s win over them. */
  merge(other: Resource | null): Resource {
    return new LateResource(this.base.merge(other), this.settling.then(() => this.late ?? {}));
  }
}
