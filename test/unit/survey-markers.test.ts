import { describe, expect, it } from 'vitest';
import type { Duration } from '../../lambda/core/duration';
import { parseDuration } from '../../lambda/core/duration';
import { surveyVault } from '../../lambda/core/survey';
import type { UploadPage } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { CYCLES, markerLinks } from './helpers/marker-links';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const SEVEN_DAYS = parseDuration('7d') as Duration;

/** A vault whose ListMultipartUploads markers follow `links`; each page lists one stale upload. */
function cyclingVault(links: Readonly<Record<string, string>>) {
  const fake = markerLinks(links);
  const api = new FakeVaultApi();
  api.listUploadsPage = async (_vault, marker): Promise<UploadPage> => {
    const { item, marker: next } = fake.page(marker);
    return { uploads: [uploadAged(item, 10, NOW)], marker: next };
  };
  return { api, asked: fake.asked };
}

const survey = (api: FakeVaultApi, startMarker?: string, deadline = Number.POSITIVE_INFINITY) =>
  surveyVault({
    api,
    vault: { name: 'alpha', olderThan: SEVEN_DAYS },
    exclude: undefined,
    clock: () => NOW,
    deadline,
    startMarker,
  });

describe('surveyVault over a marker chain that cycles', () => {
  it.each(Object.entries(CYCLES))(
    '%s: stops with an error at the repeated marker, each page listed and counted once',
    async (_label, cycle) => {
      const { api, asked } = cyclingVault(cycle.links);
      // No deadline, as the CLI runs: only the guard ends this listing.
      const result = await survey(api);
      expect(asked).toEqual(cycle.asked);
      expect(result.error).toBe(
        `Error: ListMultipartUploads repeated a marker it was already given (${cycle.repeated}); listing stopped`,
      );
      expect(result).toMatchObject({
        scanned: cycle.asked.length,
        duplicates: 0,
        complete: false,
        outOfTime: false,
      });
      expect(result.stale.map((s) => s.uploadId)).toEqual(
        cycle.asked.map((m) => `item-${m === undefined ? 'first' : m}`),
      );
      // Where listing stopped: the last marker sent.
      expect(result.nextMarker).toBe(cycle.asked.at(-1));
    },
  );

  it('stops as soon under a deadline, instead of spending the budget on pages it has listed', async () => {
    const { api, asked } = cyclingVault(CYCLES['A→B→A'].links);
    const result = await survey(api, undefined, NOW + 60_000);
    expect(asked).toEqual([undefined, 'A', 'B']);
    expect(result.error).toContain('repeated a marker');
  });

  it('counts a resumed chain’s start marker as sent: a page answering it stops the listing', async () => {
    const { api, asked } = cyclingVault({ A: 'B', B: 'A' });
    const result = await survey(api, 'A');
    expect(asked).toEqual(['A', 'B']);
    expect(result.error).toContain('repeated a marker it was already given (A)');
    expect(result).toMatchObject({ scanned: 2, complete: false });
  });

  it('shows at most 40 characters of the repeated marker', async () => {
    const long = `${'m'.repeat(40)}-tail`;
    const { api } = cyclingVault({ '': long, [long]: 'B', B: long });
    const result = await survey(api);
    expect(result.error).toContain(`(${'m'.repeat(40)}); listing stopped`);
    expect(result.error).not.toContain('tail');
  });

  it('lists a chain of distinct markers to the end', async () => {
    const { api, asked } = cyclingVault({ '': 'A', A: 'B', B: 'C' });
    const result = await survey(api);
    expect(asked).toEqual([undefined, 'A', 'B', 'C']);
    expect(result).toMatchObject({ scanned: 4, complete: true, error: null, nextMarker: undefined });
  });
});
