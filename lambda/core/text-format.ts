import { cleanText } from './sanitize';

/**
 * Plain-text building blocks shared by the report subject, the email text and the configuration
 * alert. Nothing here knows what a report is.
 */

/** Joins the fields of a header or summary line. */
export const SEP = ' · ';

/** Longest region shown in a subject; longer ones are cut so the subject bound holds. */
export const MAX_SUBJECT_REGION_CHARS = 25;

export interface Column<R> {
  title: string;
  right?: boolean;
  cell: (row: R) => string;
}

/** Header and rows with columns two spaces apart, widths from the widest cell; no trailing spaces. */
export function table<R>(columns: readonly Column<R>[], rows: readonly R[]): string[] {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const widths = columns.map((c, i) => Math.max(width(c.title), ...cells.map((r) => width(r[i] ?? ''))));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(value)));
        return columns[i]?.right ? pad + value : value + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map((r) => line(r))];
}

/** Code points, so that `…` and accented letters count as one column. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** `1 vault`, `2 vaults`. */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The vault owner account as a reader should see it: `-` means the caller's own. */
export function accountLabel(account: string): string {
  return account === '-' ? "(the caller's own)" : cleanText(account, 20);
}

/**
 * The region as a subject may carry it: ASCII without control characters, at most
 * `MAX_SUBJECT_REGION_CHARS` long (SNS refuses other subjects).
 */
export function subjectRegion(region: string): string {
  const ascii = cleanText(region, 200).replace(/[^\x20-\x7e]/g, '');
  if (ascii === '') return 'unknown region';
  return ascii.length <= MAX_SUBJECT_REGION_CHARS
    ? ascii
    : `${ascii.slice(0, MAX_SUBJECT_REGION_CHARS - 3)}...`;
}

/** `YYYY-MM-DD HH:MM`; an unparseable value is shown cleaned rather than hidden. */
export function utcMinute(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return cleanText(iso, 20) || '?';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The one byte formatter of every text: binary units, at most one decimal and never a trailing `.0`
 * (`384 MiB`, `1.5 GiB`), rounded into the next unit when the decimal rounds up to 1024.
 */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  let rounded = Math.round(value * 10) / 10;
  if (rounded >= 1024 && unit < units.length - 1) {
    rounded = Math.round((rounded / 1024) * 10) / 10;
    unit++;
  }
  const shown = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
  return `${shown} ${units[unit]}`;
}

/** `first8…last10`: enough to recognise an id in the log, short enough for the table. */
export function shortId(uploadId: string): string {
  const id = cleanText(uploadId, 1000);
  const points = Array.from(id);
  if (points.length <= 19) return id;
  return `${points.slice(0, 8).join('')}…${points.slice(-10).join('')}`;
}

/** Bytes a string costs as a JSON string literal, quotes and escapes included. */
export function jsonStringBytes(s: string): number {
  return Buffer.byteLength(JSON.stringify(s), 'utf8');
}
