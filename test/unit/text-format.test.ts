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

  it('formats every byte figure one way: one decimal at most, never a trailing .0, rounded into the next unit', () => {
    const MIB = 1024 * 1024;
    expect(formatBytes(384 * MIB)).toBe('384 MiB');
    expect(formatBytes(384 * MIB + 2048)).toBe('384 MiB');
    expect(formatBytes(384.5 * MIB)).toBe('384.5 MiB');
    expect(formatBytes(1024 * MIB - 1)).toBe('1 GiB');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(0)).toBe('0 B');
  });
});
