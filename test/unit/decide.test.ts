import { afterEach, describe, expect, it, vi } from 'vitest';
import { isExcluded, judgeUpload, parseCreationDate, type UploadPolicy } from '../../lambda/core/decide';
import type { Upload } from '../../lambda/core/types';
import { pattern } from './helpers/patterns';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const DAY = 86_400_000;
const policy: UploadPolicy = { olderThanMs: 7 * DAY, action: 'abort', exclude: undefined };
const upload = (createdAt: string | undefined, extra: Partial<Upload> = {}): Upload => ({
  uploadId: 'id-1',
  createdAt,
  description: 'nightly backup',
  partSizeBytes: 4_194_304,
  ...extra,
});

describe('parseCreationDate', () => {
  it.each([
    ['2012-03-19T23:20:59.130Z', Date.UTC(2012, 2, 19, 23, 20, 59, 130)],
    ['2026-11-20T03:00:00Z', Date.UTC(2026, 10, 20, 3)],
    ['2026-11-20T05:00:00+02:00', Date.UTC(2026, 10, 20, 3)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    // December, the last day of a month and the last minute of an hour are dates like any other.
    ['2026-12-31T23:59:59Z', Date.UTC(2026, 11, 31, 23, 59, 59)],
    ['2026-12-01T00:59:00.000Z', Date.UTC(2026, 11, 1, 0, 59)],
    ['2026-01-31T12:00:00-05:00', Date.UTC(2026, 0, 31, 17)],
  ])('reads %s', (text, ms) => {
    expect(parseCreationDate(text)).toBe(ms);
  });

  it.each([
    'garbage',
    '2026-02-31T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-11-20T24:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-20',
    '2026-11-20T03:00:00',
    '1732676400000',
    'Fri, 20 Nov 2026 03:00:00 GMT',
    ' 2026-11-20T03:00:00Z',
    // Expanded years are ECMAScript date strings, not the format Glacier writes; year -2026 would
    // otherwise make a 4,000-year-old, very stale upload.
    '-002026-11-20T03:00:00Z',
    '+002026-11-20T03:00:00Z',
  ])('rejects %j, which Date.parse alone might accept', (text) => {
    expect(parseCreationDate(text)).toBeUndefined();
  });
});

describe('parseCreationDate with a lenient Date.parse', () => {
  // Engines differ in what Date.parse accepts (V8 takes 2026-02-31 and 24:00 and rolls them over):
  // the components are checked here, so no engine can turn month 13 into next January.
  const LOOSE = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})/;
  const lenientParse = (text: string): number => {
    const m = LOOSE.exec(text);
    if (!m) return Number.NaN;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return Date.UTC(y, mo - 1, d, h, mi, s);
  };
  afterEach(() => vi.restoreAllMocks());

  it.each([
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-12-00T00:00:00Z',
    '2026-12-10T10:60:00Z',
    '2026-12-10T10:59:60Z',
    '2026-12-10T10:00:00Z (UTC)',
  ])('still refuses %j', (text) => {
    vi.spyOn(Date, 'parse').mockImplementation(lenientParse);
    expect(Number.isNaN(Date.parse(text))).toBe(false);
    expect(parseCreationDate(text)).toBeUndefined();
  });
});

describe('judgeUpload', () => {
  it('calls an upload exactly at the threshold stale', () => {
    const verdict = judgeUpload(upload(new Date(NOW - 7 * DAY).toISOString()), policy, NOW);
    expect(verdict).toEqual({ kind: 'stale', ageMs: 7 * DAY, createdMs: NOW - 7 * DAY, intent: 'abort' });
  });

  it('calls an upload one millisecond younger fresh', () => {
    const verdict = judgeUpload(upload(new Date(NOW - 7 * DAY + 1).toISOString()), policy, NOW);
    expect(verdict).toEqual({ kind: 'fresh', ageMs: 7 * DAY - 1 });
  });

  it.each<[string | undefined, string]>([
    [undefined, 'missing'],
    ['', 'missing'],
    ['yesterday', 'unparseable'],
    ['2026-02-30T00:00:00Z', 'unparseable'],
    [new Date(NOW + 1).toISOString(), 'future'],
  ])('treats CreationDate %j as an anomaly (%s), never stale', (createdAt, reason) => {
    expect(judgeUpload(upload(createdAt), policy, NOW)).toEqual({ kind: 'anomaly', reason });
  });

  it('treats an upload without an id as an anomaly, even when it is old', () => {
    expect(judgeUpload(upload('2026-01-01T00:00:00Z', { uploadId: '' }), policy, NOW)).toEqual({
      kind: 'anomaly',
      reason: 'no-upload-id',
    });
  });

  it('reports instead of aborting in report mode', () => {
    const verdict = judgeUpload(upload('2026-01-01T00:00:00Z'), { ...policy, action: 'report' }, NOW);
    expect(verdict).toMatchObject({ kind: 'stale', intent: 'report' });
  });

  it('skips a stale upload whose description or id matches exclude', () => {
    const byDescription = judgeUpload(
      upload('2026-01-01T00:00:00Z'),
      { ...policy, exclude: pattern('nightly') },
      NOW,
    );
    const byId = judgeUpload(upload('2026-01-01T00:00:00Z'), { ...policy, exclude: pattern('^id-1$') }, NOW);
    const neither = judgeUpload(
      upload('2026-01-01T00:00:00Z'),
      { ...policy, exclude: pattern('weekly') },
      NOW,
    );
    const created = Date.parse('2026-01-01T00:00:00Z');
    // Still stale (and counted as such), only never touched.
    expect(byDescription).toEqual({
      kind: 'stale',
      ageMs: NOW - created,
      createdMs: created,
      intent: 'skip',
    });
    expect(byId).toMatchObject({ kind: 'stale', intent: 'skip' });
    expect(neither).toMatchObject({ intent: 'abort' });
  });
});

describe('isExcluded', () => {
  it('searches an empty string when the description is missing', () => {
    expect(isExcluded(upload('x', { description: undefined }), pattern('^$'))).toBe(true);
    expect(isExcluded(upload('x', { description: 'a' }), pattern('^$'))).toBe(false);
  });

  it('gives the same answer every time (a compiled pattern carries no search state)', () => {
    const backup = pattern('backup');
    const u = upload('x', { description: 'backup' });
    expect([isExcluded(u, backup), isExcluded(u, backup), isExcluded(u, backup)]).toEqual([true, true, true]);
  });
});
