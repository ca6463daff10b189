import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureUpload } from '../../lambda/core/activity';
import type { Duration } from '../../lambda/core/duration';
import { parseDuration } from '../../lambda/core/duration';
import { MarkerChain } from '../../lambda/core/paging';
import { surveyVault } from '../../lambda/core/survey';
import type { PartsPage, UploadPage } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const SEVEN_DAYS = parseDuration('7d') as Duration;
const MIB = 1_048_576;

/**
 * A chain as the service answers it: the i-th request gets `answers[i]` as its marker, the request
 * after the last answer gets the last page. From a five-letter alphabet most chains revisit a marker,
 * some do not; a resumed one starts at a marker of the same alphabet.
 */
const anyChain = fc.record({
  start: fc.option(fc.constantFrom('A', 'B', 'C', 'D', 'E'), { nil: undefined }),
  answers: fc.array(fc.constantFrom('A', 'B', 'C', 'D', 'E'), { maxLength: 8 }),
});
/** Chains that never revisit a marker: any text, up to 60 pages. */
const distinctChain = fc.record({
  start: fc.constant(undefined),
  answers: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 60 }),
});

/** The oracle: where the chain first answers a marker sent before (the start counts), if it does. */
function expected(chain: { start: string | undefined; answers: readonly string[] }) {
  const sent = new Set(chain.start === undefined ? [] : [chain.start]);
  for (const [i, answer] of chain.answers.entries()) {
    if (sent.has(answer)) return { pages: i + 1, repeated: answer as string | undefined };
    sent.add(answer);
  }
  return { pages: chain.answers.length + 1, repeated: undefined };
}

/** Answers by request count, so a listing that does not stop runs past the answers (and is cut). */
function byRequest(answers: readonly string[]) {
  const asked: Array<string | undefined> = [];
  const next = (marker: string | undefined): string | undefined => {
    asked.push(marker);
    if (asked.length > answers.length + 1) throw new Error('test fake: asked past the last page');
    return answers[asked.length - 1];
  };
  return { asked, next };
}

describe('marker chains (property)', () => {
  it.each([
    ['any chain', anyChain],
    ['a chain of distinct markers', distinctChain],
  ])(
    '%s: the survey lists each page once, stopping exactly at the first marker sent before',
    async (_label, arb) => {
      await fc.assert(
        fc.asyncProperty(arb, async (chain) => {
          const want = expected(chain);
          const fake = byRequest(chain.answers);
          const api = new FakeVaultApi();
          api.listUploadsPage = async (_vault, marker): Promise<UploadPage> => {
            const index = fake.asked.length;
            return { marker: fake.next(marker), uploads: [uploadAged(`u${index}`, 10, NOW)] };
          };
          const result = await surveyVault({
            api,
            vault: { name: 'alpha', olderThan: SEVEN_DAYS },
            exclude: undefined,
            clock: () => NOW,
            deadline: Number.POSITIVE_INFINITY,
            startMarker: chain.start,
          });
          expect(fake.asked).toEqual([chain.start, ...chain.answers.slice(0, want.pages - 1)]);
          expect(result.scanned).toBe(want.pages);
          expect(result.duplicates).toBe(0);
          if (want.repeated === undefined) {
            expect(result).toMatchObject({ complete: true, error: null });
          } else {
            expect(result.complete).toBe(false);
            expect(result.error).toContain(`repeated a marker it was already given (${want.repeated})`);
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  it.each([
    ['any chain', anyChain],
    ['a chain of distinct markers', distinctChain],
  ])(
    '%s: measureUpload fingerprints every page, or throws at the first marker sent before',
    async (_label, arb) => {
      await fc.assert(
        fc.asyncProperty(
          arb.map(({ answers }) => ({ start: undefined, answers })),
          async (chain) => {
            const want = expected(chain);
            const fake = byRequest(chain.answers);
            const api = {
              listPartsPage: async (
                _v: string,
                _u: string,
                marker: string | undefined,
              ): Promise<PartsPage> => {
                const index = fake.asked.length;
                return {
                  marker: fake.next(marker),
                  parts: [{ range: `${index * MIB}-${(index + 1) * MIB - 1}`, treeHash: 'a' }],
                };
              },
            } as unknown as FakeVaultApi;
            const measuring = measureUpload(api, 'v', 'u');
            if (want.repeated === undefined) {
              expect(await measuring).toMatchObject({ partCount: want.pages });
            } else {
              await expect(measuring).rejects.toThrow(`(${want.repeated}); listing stopped`);
            }
            expect(fake.asked).toEqual([undefined, ...chain.answers.slice(0, want.pages - 1)]);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('MarkerChain: follow returns each new marker and throws on one sent before; repeats() only tells', () => {
    fc.assert(
      fc.property(anyChain, (chain) => {
        const want = expected(chain);
        const markers = new MarkerChain('Op', chain.start);
        for (const [i, answer] of chain.answers.entries()) {
          const repeated = i === want.pages - 1 && want.repeated !== undefined;
          expect(markers.repeats(answer)).toBe(repeated);
          if (repeated) {
            expect(() => markers.follow(answer)).toThrow(
              `Op repeated a marker it was already given (${answer}); listing stopped`,
            );
            return;
          }
          expect(markers.follow(answer)).toBe(answer);
        }
        expect(markers.follow(undefined)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
