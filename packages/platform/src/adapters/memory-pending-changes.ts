/**
 * The in-memory twin of the outbox marker that MongoDB documents carry
 * (`pendingSince` plus the version it is for): which changes still await
 * publication, so in-memory repositories follow the same outbox rules.
 */
export class PendingChanges {
  private readonly pending = new Map<string, { since: Date; version: number }>();

  /** The change to `version` of `key`, made at `at`, is not published yet. */
  mark(key: string, version: number, at: Date): void {
    this.pending.set(key, { since: at, version });
  }

  /** `version` of `key` was published; a newer pending change stays. */
  settle(key: string, version: number): void {
    if (this.pending.get(key)?.version === version) this.pending.delete(key);
  }

  /** Keys pending since `olderThan` or before, oldest first. */
  olderThan(olderThan: Date, limit: number): string[] {
    return [...this.pending.entries()]
      .filter(([, change]) => change.since <= olderThan)
      .sort(([, a], [, b]) => a.since.getTime() - b.since.getTime())
      .slice(0, limit)
      .map(([key]) => key);
  }
}
