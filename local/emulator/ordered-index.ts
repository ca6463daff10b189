/**
 * Keys kept in one stable order for paging by "everything after key K".
 *
 * Removals leave the sorted array alone (lookups skip missing keys), so a marker handed out before
 * an abort still points into the same order; additions only mark the array for a rebuild on the
 * next page. Each page therefore costs a binary search plus the page, not a scan from the start.
 */
export class OrderedIndex<V> {
  private readonly items = new Map<string, V>();
  private sorted: string[] = [];
  private dirty = false;
  private stale = 0;

  get size(): number {
    return this.items.size;
  }

  get(key: string): V | undefined {
    return this.items.get(key);
  }

  set(key: string, value: V): void {
    if (!this.items.has(key)) this.dirty = true;
    this.items.set(key, value);
  }

  delete(key: string): boolean {
    const removed = this.items.delete(key);
    if (removed) this.stale += 1;
    return removed;
  }

  clear(): void {
    this.items.clear();
    this.sorted = [];
    this.dirty = false;
    this.stale = 0;
  }

  /** Up to `limit` values with keys after `afterKey` (from the start when undefined). */
  page(
    afterKey: string | undefined,
    limit: number,
  ): { values: V[]; lastKey: string | undefined; more: boolean } {
    this.refresh();
    let index = afterKey === undefined ? 0 : this.firstAfter(afterKey);
    const values: V[] = [];
    let lastKey: string | undefined;
    for (; index < this.sorted.length && values.length < limit; index += 1) {
      const key = this.sorted[index] as string;
      const value = this.items.get(key);
      if (value === undefined) continue;
      values.push(value);
      lastKey = key;
    }
    let more = false;
    for (; index < this.sorted.length; index += 1) {
      if (this.items.has(this.sorted[index] as string)) {
        more = true;
        break;
      }
    }
    return { values, lastKey, more };
  }

  values(): V[] {
    return this.page(undefined, Infinity).values;
  }

  private refresh(): void {
    if (!this.dirty && this.stale <= this.sorted.length / 2) return;
    this.sorted = [...this.items.keys()].sort();
    this.dirty = false;
    this.stale = 0;
  }

  private firstAfter(key: string): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.sorted[mid] as string) <= key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
