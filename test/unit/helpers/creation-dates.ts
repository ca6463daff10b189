/**
 * Oracles for CreationDate that never call the code under test. A property whose expected verdict comes
 * from `parseCreationDate` itself agrees with any parsing bug (every December date an anomaly, every
 * :59 rejected); these state the rule independently instead:
 *
 * - `dateCase`/`dateNear` build a date from its components, so whether it is valid, and which instant
 *   it names, is known by construction (including December, day 31, 29 February, :59, and
 *   invalid ones such as month 13, day 32, hour 24, minute 60, an offset of +24:00);
 * - `referenceCreationMs` is a small parser written from the contract, for texts a test did not build
 *   (the emulator's record in the e2e harness).
 *
 * The rule: `YYYY-MM-DDThh:mm:ss`, an optional fraction of 1 to 9 digits, and a zone `Z` or `±hh:mm`;
 * a real calendar day, hours 00-23, minutes and seconds 00-59, a zone offset within ±23:59.
 */
import fc from 'fast-check';

export interface DateCase {
  /** The CreationDate text, as ListMultipartUploads would return it. */
  readonly text: string;
  /** The instant it names, or undefined when it is not a valid date of the contract's format. */
  readonly ms: number | undefined;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days in month `mo` (1-12) of year `y`, from the Gregorian rule, not from `Date`. */
export const daysInMonth = (y: number, mo: number): number =>
  mo === 2 && isLeapYear(y) ? 29 : (MONTH_DAYS[mo - 1] ?? 0);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

interface Components {
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
  readonly s: number;
  /** '' or '.' and 1-9 digits. */
  readonly fraction: string;
  /** Minutes east of UTC, or undefined for `Z`. */
  readonly offset: number | undefined;
  /** An offset written with hours or minutes out of range: `+24:00`, `+00:60`. */
  readonly badOffset?: string;
}

function format(c: Components): string {
  const zone =
    c.badOffset ??
    (c.offset === undefined
      ? 'Z'
      : `${c.offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(c.offset) / 60), 2)}:${pad(Math.abs(c.offset) % 60, 2)}`);
  return `${pad(c.y, 4)}-${pad(c.mo, 2)}-${pad(c.d, 2)}T${pad(c.h, 2)}:${pad(c.mi, 2)}:${pad(c.s, 2)}${c.fraction}${zone}`;
}

function isValid(c: Components): boolean {
  return (
    c.badOffset === undefined &&
    c.mo >= 1 &&
    c.mo <= 12 &&
    c.d >= 1 &&
    c.d <= daysInMonth(c.y, c.mo) &&
    c.h <= 23 &&
    c.mi <= 59 &&
    c.s <= 59
  );
}

/** The instant of valid components: wall time in the zone, minus the zone's offset. */
function instantOf(c: Components): number {
  const fractionMs = c.fraction === '' ? 0 : Number(c.fraction.slice(1).padEnd(3, '0').slice(0, 3));
  const wall = new Date(0);
  wall.setUTCFullYear(c.y, c.mo - 1, c.d);
  wall.setUTCHours(c.h, c.mi, c.s, fractionMs);
  return wall.getTime() - (c.offset ?? 0) * 60_000;
}

const toCase = (c: Components): DateCase => ({ text: format(c), ms: isValid(c) ? instantOf(c) : undefined });

const fraction = fc.constantFrom('', '', '.0', '.5', '.130', '.999', '.123456789');
/** Zones in minutes east of UTC, up to the extremes of ±23:59; undefined is `Z`. */
const offset = fc.constantFrom(
  undefined,
  undefined,
  0,
  120,
  -330,
  345,
  14 * 60,
  -12 * 60,
  23 * 60 + 59,
  -(23 * 60 + 59),
);

/**
 * Any date, valid or not, with the edge values over-represented: December and month 13, day 31 and
 * 32, 29 February in leap and common years (1900 and 2100 are not leap, 2000 is), 23:59:59 and hour 24,
 * minute 60, second 60, offsets out of range.
 */
export const dateCase: fc.Arbitrary<DateCase> = fc
  .record({
    y: fc.oneof(
      fc.constantFrom(1900, 2000, 2023, 2024, 2025, 2026, 2100),
      fc.integer({ min: 1901, max: 2099 }),
    ),
    mo: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 12 }) },
      fc.constantFrom(0, 2, 12, 12, 13),
    ),
    d: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 28 }) },
      fc.constantFrom(0, 29, 30, 31, 32),
    ),
    h: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 23 }) }, fc.constantFrom(0, 23, 24)),
    mi: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 59 }) }, fc.constantFrom(0, 59, 60)),
    s: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 59 }) }, fc.constantFrom(0, 59, 60)),
    fraction,
    offset,
    badOffset: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      fc.constantFrom('+24:00', '-24:00', '+00:60', '+99:99'),
    ),
  })
  .map(toCase);

/** One component pushed out of its range: the text keeps the contract's shape but names no instant. */
const breakages: readonly ((c: Components) => Components)[] = [
  (c) => ({ ...c, mo: 13 }),
  (c) => ({ ...c, mo: 0 }),
  (c) => ({ ...c, d: daysInMonth(c.y, c.mo) + 1 }),
  (c) => ({ ...c, d: 0 }),
  (c) => ({ ...c, h: 24 }),
  (c) => ({ ...c, mi: 60 }),
  (c) => ({ ...c, s: 60 }),
  (c) => ({ ...c, badOffset: '+24:00' }),
];

/** Texts not in the contract's format at all: no zone, date only, another layout, an expanded year. */
const malformed = (c: Components): readonly string[] => {
  const text = format(c);
  return [
    text.replace(/(Z|[+-]\d\d:\d\d)$/, ''),
    text.slice(0, 10),
    text.replace('T', ' '),
    `+00${text}`,
    `-00${text}`,
    `${text} `,
    text.toLowerCase(),
  ];
};

/**
 * A CreationDate about `ageMinutes` before `now` (negative: in the future), written in some zone:
 * usually valid, sometimes with one component out of range or in another format (then `ms` is
 * undefined). Components come from the instant, so whether the text is valid is known by construction.
 */
export function dateNear(now: number, ageMinutes: fc.Arbitrary<number>): fc.Arbitrary<DateCase> {
  return fc
    .record({
      age: ageMinutes,
      seconds: fc.constantFrom(0, 0, 59, 30),
      offset,
      withMs: fc.boolean(),
      damage: fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 0, max: breakages.length - 1 }).map((i) => ({ kind: 'break', i })),
        },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }).map((i) => ({ kind: 'format', i })) },
      ),
    })
    .map(({ age, seconds, offset: zone, withMs, damage }) => {
      const instant = now - age * 60_000 - seconds * 1000 - (withMs ? 130 : 0);
      const wall = new Date(instant + (zone ?? 0) * 60_000);
      const c: Components = {
        y: wall.getUTCFullYear(),
        mo: wall.getUTCMonth() + 1,
        d: wall.getUTCDate(),
        h: wall.getUTCHours(),
        mi: wall.getUTCMinutes(),
        s: wall.getUTCSeconds(),
        fraction: withMs ? `.${pad(wall.getUTCMilliseconds(), 3)}` : '',
        offset: zone,
      };
      if (damage === undefined) return { text: format(c), ms: instant };
      if (damage.kind === 'break')
        return { text: format((breakages[damage.i] as (c: Components) => Components)(c)), ms: undefined };
      return { text: malformed(c)[damage.i] as string, ms: undefined };
    });
}

const FORMAT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The contract's rule as a parser, written apart from `lambda/core/decide.ts`: the calendar from the
 * Gregorian rule above, the instant from the components (never from `Date.parse`).
 */
export function referenceCreationMs(text: string): number | undefined {
  const m = FORMAT_RE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', sign, oh, om] = m;
  const offsetHours = Number(oh ?? 0);
  const offsetMinutes = Number(om ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const c: Components = {
    y: Number(y),
    mo: Number(mo),
    d: Number(d),
    h: Number(h),
    mi: Number(mi),
    s: Number(s),
    fraction: frac,
    offset: sign === undefined ? undefined : (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes),
  };
  return isValid(c) ? instantOf(c) : undefined;
}

/**
 * CreationDates for a sweep with a threshold of `thresholdMinutes`: fresh, exactly at it, just either
 * side, stale, in the future, and untrustworthy ones (missing, empty, garbage, 30 February, date only).
 * `ms` is undefined for every one that names no valid instant.
 */
export function dateAround(
  now: number,
  thresholdMinutes: number,
): fc.Arbitrary<{ text: string | undefined; ms: number | undefined }> {
  return fc.oneof(
    { weight: 6, arbitrary: dateNear(now, fc.integer({ min: -10 * 60, max: 400 * 60 })) },
    { weight: 1, arbitrary: dateNear(now, fc.constant(thresholdMinutes)) },
    {
      weight: 3,
      arbitrary: dateNear(now, fc.integer({ min: thresholdMinutes - 120, max: thresholdMinutes + 120 })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<{ text: string | undefined; ms: undefined }>(
        { text: undefined, ms: undefined },
        { text: '', ms: undefined },
        { text: 'garbage', ms: undefined },
        { text: '2026-02-30T00:00:00Z', ms: undefined },
        { text: '2026-11-20', ms: undefined },
      ),
    },
  );
}
