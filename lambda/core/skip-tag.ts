import { SKIP_TAG_KEY, SKIP_TAG_VALUE } from '../fleet/names';

/** True for a vault tagged `glacier-sweeper=skip` (the value compared trimmed and case-blind). */
export function hasSkipTag(tags: Readonly<Record<string, string>>): boolean {
  return tags[SKIP_TAG_KEY]?.trim().toLowerCase() === SKIP_TAG_VALUE;
}
