import type { StateStore, UploadHistory } from '../../../lambda/core/activity';

/** A StateStore in a Map, with the same conditional-write rule as the DynamoDB adapter. */
export class MemoryStateStore implements StateStore {
  readonly items = new Map<string, UploadHistory>();
  failGet = false;
  failPut = false;

  async get(key: string): Promise<UploadHistory | undefined> {
    if (this.failGet)
      throw Object.assign(new Error('table not found'), { name: 'ResourceNotFoundException' });
    return this.items.get(key);
  }

  async put(key: string, next: UploadHistory, previous: UploadHistory | undefined): Promise<void> {
    if (this.failPut)
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    const stored = this.items.get(key);
    const same =
      stored === previous ||
      (stored !== undefined &&
        previous !== undefined &&
        stored.fingerprint === previous.fingerprint &&
        stored.lastSeen === previous.lastSeen);
    if (!same)
      throw Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      });
    this.items.set(key, next);
  }

  async delete(key: string): Promise<void> {
    this.items.delete(key);
  }
}
