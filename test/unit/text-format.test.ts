import { describe, expect, it } from 'vitest';
import { formatBytes, shortId } from '../../lambda/core/text-format';
import { uploadId } from './helpers/report-factory';

describe('text formatting', () => {
  it('formats part sizes and shortens upload ids', () => {
    expect(formatBytes(4 * 1024 * 1024)).toBe('4 MiB');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4 GiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(null)).toBe('-');
    expect(shortId(uploadId('alpha', 42))).toBe('alph____…0000000042');
    expect(shortId('short-id')).toBe('short-id');
  });
});
