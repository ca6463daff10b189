/**
 * A paged listing whose markers follow `links`, for testing marker loops: asked with marker `m` (the
 * first page: no marker, key `''`), it answers page `m`, whose one item is `item-m` (`item-first` for
 * the first page), with the marker `links[m]` (absent: the last page). A link may lead back to a marker
 * asked for before, as a broken service might. It records every marker it is asked with, and refuses
 * the page after `cap`, so a loop that never stops fails its test instead of hanging it.
 */
export function markerLinks(links: Readonly<Record<string, string>>, cap = 50) {
  const asked: Array<string | undefined> = [];
  const page = (marker: string | undefined): { item: string; marker: string | undefined } => {
    asked.push(marker);
    if (asked.length > cap) throw new Error(`test fake: ${cap} pages asked for, the listing loops`);
    const key = marker ?? '';
    return { item: `item-${key === '' ? 'first' : key}`, marker: links[key] };
  };
  return { asked, page };
}

/** The chains every loop is tested with: two back to the first marker, one to a later one. */
export const CYCLES = {
  /** first → A → B → A: the third answer repeats A. */
  'A→B→A': { links: { '': 'A', A: 'B', B: 'A' }, asked: [undefined, 'A', 'B'], repeated: 'A' },
  /** first → A → B → C → B: the fourth answer repeats B. */
  'A→B→C→B': {
    links: { '': 'A', A: 'B', B: 'C', C: 'B' },
    asked: [undefined, 'A', 'B', 'C'],
    repeated: 'B',
  },
} as const;
