// CHANGELOG.md in Keep a Changelog 1.1 form, checked by test/package/docs.test.ts and by
// `npm run release:check` (which also wants a section for package.json's version).

export const SECTION_TYPES = ['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'] as const;

const VERSION_HEADING = /^## \[(Unreleased|\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\](?: - (\d{4}-\d{2}-\d{2}))?$/;

export interface ChangelogVersion {
  readonly name: string;
  readonly date: string | undefined;
  readonly sections: readonly string[];
}

/** The version headings and their section headings, in order, with every departure from the form. */
export function readChangelog(text: string): { versions: ChangelogVersion[]; problems: string[] } {
  const problems: string[] = [];
  const versions: { name: string; date: string | undefined; sections: string[] }[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const where = `CHANGELOG.md:${index + 1}`;
    if (line.startsWith('## ')) {
      const match = VERSION_HEADING.exec(line);
      if (match === null) {
        problems.push(`${where}: "${line}" is not "## [Unreleased]" or "## [x.y.z] - YYYY-MM-DD"`);
        continue;
      }
      const [, name = '', date] = match;
      if (name !== 'Unreleased' && date === undefined) problems.push(`${where}: [${name}] has no date`);
      if (name === 'Unreleased' && date !== undefined) problems.push(`${where}: [Unreleased] has a date`);
      versions.push({ name, date, sections: [] });
    } else if (line.startsWith('### ')) {
      const section = line.slice(4);
      const current = versions[versions.length - 1];
      if (current === undefined) problems.push(`${where}: "${line}" before any version`);
      else if (!(SECTION_TYPES as readonly string[]).includes(section)) {
        problems.push(`${where}: "${section}" is not one of ${SECTION_TYPES.join(', ')}`);
      } else if (current.sections.includes(section)) {
        problems.push(`${where}: a second "${section}" in [${current.name}]`);
      } else current.sections.push(section);
    }
  }
  if (versions[0]?.name !== 'Unreleased')
    problems.push('CHANGELOG.md: the first version is not [Unreleased]');
  for (const { name } of versions) {
    if (!new RegExp(`^\\[${name.replace(/\./g, '\\.')}\\]: \\S+$`, 'm').test(text)) {
      problems.push(`CHANGELOG.md: no link reference "[${name}]: …" at the bottom`);
    }
  }
  for (const { name, sections } of versions) {
    const order = sections.map((section) => SECTION_TYPES.indexOf(section as (typeof SECTION_TYPES)[number]));
    if (order.some((value, index) => index > 0 && value < (order[index - 1] ?? 0))) {
      problems.push(`CHANGELOG.md: [${name}] has its sections out of the order ${SECTION_TYPES.join(', ')}`);
    }
  }
  return { versions, problems };
}

/** What `npm run release:check` refuses: any problem, or no dated section for the version. */
export function releaseProblems(text: string, version: string): string[] {
  const { versions, problems } = readChangelog(text);
  const release = versions.find((entry) => entry.name === version);
  if (release === undefined) return [...problems, `CHANGELOG.md: no "## [${version}] - YYYY-MM-DD" section`];
  if (release.sections.length === 0) return [...problems, `CHANGELOG.md: [${version}] lists no changes`];
  return problems;
}
