// npm run docs:api: docs/API.md, the API reference, generated from the declarations the package ships
// (tsc's .d.ts of infra/index.ts) and their TSDoc. TypeScript 7 has no compiler API for a tool such
// as typedoc, so the .d.ts files are read with Babel's TypeScript parser: tsc prints them regularly,
// and only declarations and their comments are needed, not types resolved. test/package/docs.test.ts
// fails when docs/API.md is not what this writes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from '@babel/parser';
import type * as t from '@babel/types';
import { emitDeclarations, ROOT } from './build';

export const API_DOC = 'docs/API.md';
const ENTRY = 'infra/index.d.ts';

export interface DocComment {
  readonly summary: string;
  readonly tags: readonly { readonly tag: string; readonly text: string }[];
}

export interface Member {
  /** Interface members are properties; a class's getters count as properties too. */
  readonly kind: 'property' | 'method';
  /** A method's name is its signature: `grantRead(grantee: iam.IGrantable)`. */
  readonly name: string;
  readonly optional: boolean;
  readonly type: string;
  readonly doc: DocComment | undefined;
}

export type ApiEntry =
  | {
      readonly kind: 'class';
      readonly name: string;
      readonly doc: DocComment | undefined;
      readonly extends: string | undefined;
      readonly constructorParams: string | undefined;
      readonly members: readonly Member[];
      readonly namespaces: ReadonlyMap<string, string>;
    }
  | {
      readonly kind: 'interface';
      readonly name: string;
      readonly doc: DocComment | undefined;
      readonly members: readonly Member[];
    }
  | {
      readonly kind: 'type';
      readonly name: string;
      readonly doc: DocComment | undefined;
      /** The alias's union members, or its one type. */
      readonly alternatives: readonly string[];
      readonly written: string | undefined;
    };

interface SourceFile {
  readonly path: string;
  readonly code: string;
  readonly program: t.Program;
}

const files = new Map<string, SourceFile>();

function load(path: string): SourceFile {
  const cached = files.get(path);
  if (cached !== undefined) return cached;
  const code = readFileSync(path, 'utf8');
  const { program } = parse(code, { sourceType: 'module', plugins: [['typescript', { dts: true }]] });
  const file = { path, code, program };
  files.set(path, file);
  return file;
}

const text = (file: SourceFile, node: t.Node): string =>
  file.code
    .slice(node.start ?? 0, node.end ?? 0)
    .replace(/\s+/g, ' ')
    .trim();

/** The last `/** … *\/` block before a node, split into its summary and its block tags. */
function docOf(node: t.Node): DocComment | undefined {
  const block = [...(node.leadingComments ?? [])].reverse().find((c) => c.type === 'CommentBlock');
  if (block === undefined || !block.value.startsWith('*')) return undefined;
  const lines = block.value
    .slice(1)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trimEnd());
  const summary: string[] = [];
  const tags: { tag: string; text: string[] }[] = [];
  for (const line of lines) {
    const tag = /^@(\w+)\s*(.*)$/.exec(line);
    if (tag) tags.push({ tag: tag[1] ?? '', text: [tag[2] ?? ''] });
    else if (tags.length > 0) tags[tags.length - 1]?.text.push(line);
    else summary.push(line);
  }
  const join = (parts: string[]) => parts.join('\n').trim();
  return { summary: join(summary), tags: tags.map((tag) => ({ tag: tag.tag, text: join(tag.text) })) };
}

const declaredName = (node: t.Node): string | undefined =>
  'id' in node && node.id !== null && node.id !== undefined && node.id.type === 'Identifier'
    ? node.id.name
    : undefined;

/** Follows `export { X } from './y'` until the file that declares X. */
function resolve(file: SourceFile, name: string): { file: SourceFile; statement: t.Statement; node: t.Node } {
  for (const statement of file.program.body) {
    if (statement.type !== 'ExportNamedDeclaration') continue;
    if (statement.declaration && declaredName(statement.declaration) === name) {
      return { file, statement, node: statement.declaration };
    }
    for (const specifier of statement.specifiers) {
      if (specifier.type !== 'ExportSpecifier' || statement.source === null || statement.source === undefined)
        continue;
      const exported =
        specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value;
      if (exported !== name) continue;
      return resolve(load(join(dirname(file.path), `${statement.source.value}.d.ts`)), specifier.local.name);
    }
  }
  // `declare const PARAM` and the like are statements of their own.
  for (const statement of file.program.body) {
    const node = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (node?.type === 'VariableDeclaration') {
      for (const declarator of node.declarations) {
        if (declarator.id.type === 'Identifier' && declarator.id.name === name) {
          return { file, statement, node: declarator };
        }
      }
    }
  }
  throw new Error(`${API_DOC}: ${name} is not declared in ${file.path}`);
}

function memberName(key: t.Node): string {
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'StringLiteral') return key.value;
  throw new Error(`${API_DOC}: unsupported member key ${key.type}`);
}

function classEntry(file: SourceFile, node: t.ClassDeclaration, doc: DocComment | undefined): ApiEntry {
  const members: Member[] = [];
  let constructorParams: string | undefined;
  for (const member of node.body.body) {
    if (
      'accessibility' in member &&
      (member.accessibility === 'private' || member.accessibility === 'protected')
    )
      continue;
    if (member.type === 'TSDeclareMethod' && member.kind === 'constructor') {
      constructorParams = member.params.map((param) => text(file, param)).join(', ');
    } else if (member.type === 'TSDeclareMethod') {
      const key = `${member.static ? 'static ' : ''}${memberName(member.key)}`;
      const returns =
        member.returnType?.type === 'TSTypeAnnotation' ? text(file, member.returnType.typeAnnotation) : '';
      members.push(
        member.kind === 'get'
          ? { kind: 'property', name: key, optional: false, type: returns, doc: docOf(member) }
          : {
              kind: 'method',
              name: `${key}(${member.params.map((param) => text(file, param)).join(', ')})`,
              optional: false,
              type: returns,
              doc: docOf(member),
            },
      );
    } else if (member.type === 'ClassProperty') {
      members.push({
        kind: 'property',
        name: `${member.static ? 'static ' : ''}${memberName(member.key)}`,
        optional: member.optional === true,
        type:
          member.typeAnnotation?.type === 'TSTypeAnnotation'
            ? text(file, member.typeAnnotation.typeAnnotation)
            : '',
        doc: docOf(member),
      });
    } else {
      throw new Error(
        `${API_DOC}: ${declaredName(node)} has a public ${member.type}, which this generator skips`,
      );
    }
  }
  const namespaces = new Map<string, string>();
  for (const statement of file.program.body) {
    if (statement.type !== 'ImportDeclaration') continue;
    for (const specifier of statement.specifiers) {
      if (specifier.type === 'ImportNamespaceSpecifier')
        namespaces.set(specifier.local.name, statement.source.value);
    }
  }
  return {
    kind: 'class',
    name: declaredName(node) ?? '',
    doc,
    extends: node.superClass ? text(file, node.superClass) : undefined,
    constructorParams,
    members,
    namespaces,
  };
}

function interfaceEntry(
  file: SourceFile,
  node: t.TSInterfaceDeclaration,
  doc: DocComment | undefined,
): ApiEntry {
  const members = node.body.body.map((member): Member => {
    if (member.type !== 'TSPropertySignature') {
      throw new Error(`${API_DOC}: ${node.id.name} has a ${member.type}, which this generator skips`);
    }
    return {
      kind: 'property',
      name: memberName(member.key),
      optional: member.optional === true,
      type: member.typeAnnotation ? text(file, member.typeAnnotation.typeAnnotation) : '',
      doc: docOf(member),
    };
  });
  return { kind: 'interface', name: node.id.name, doc, members };
}

/** `keyof typeof PARAM` is unreadable without PARAM: spelled out as the union of its keys. */
function typeAlternatives(file: SourceFile, type: t.TSType): { alternatives: string[]; written?: string } {
  if (type.type === 'TSUnionType') return { alternatives: type.types.map((member) => text(file, member)) };
  if (
    type.type === 'TSTypeOperator' &&
    type.operator === 'keyof' &&
    type.typeAnnotation.type === 'TSTypeQuery' &&
    type.typeAnnotation.exprName.type === 'Identifier'
  ) {
    const { node } = resolve(file, type.typeAnnotation.exprName.name);
    const literal =
      node.type === 'VariableDeclarator' && node.id.type === 'Identifier' ? node.id.typeAnnotation : null;
    if (literal?.type === 'TSTypeAnnotation' && literal.typeAnnotation.type === 'TSTypeLiteral') {
      return {
        alternatives: literal.typeAnnotation.members.map((member) =>
          member.type === 'TSPropertySignature' ? `'${memberName(member.key)}'` : text(file, member),
        ),
        written: text(file, type),
      };
    }
  }
  return { alternatives: [text(file, type)] };
}

/** The package's exports, in the order of the entry point, each with what its declaration says. */
export function readApi(typesDir: string): ApiEntry[] {
  files.clear();
  const entry = load(join(typesDir, ENTRY));
  const names = entry.program.body.flatMap((statement) =>
    statement.type === 'ExportNamedDeclaration'
      ? statement.specifiers.map((specifier) =>
          specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value,
        )
      : [],
  );
  return names.map((name) => {
    const { file, statement, node } = resolve(entry, name);
    const doc = docOf(statement) ?? docOf(node);
    if (node.type === 'ClassDeclaration') return classEntry(file, node, doc);
    if (node.type === 'TSInterfaceDeclaration') return interfaceEntry(file, node, doc);
    if (node.type === 'TSTypeAliasDeclaration') {
      return { kind: 'type', name, doc, written: undefined, ...typeAlternatives(file, node.typeAnnotation) };
    }
    throw new Error(
      `${API_DOC}: the export ${name} is a ${node.type}, which this generator does not document`,
    );
  });
}

/** What the reference promises: a description on every public member, a default on every prop. */
export function missingDocs(api: readonly ApiEntry[]): string[] {
  const missing: string[] = [];
  for (const entry of api) {
    if (entry.kind === 'type') continue;
    if (!entry.doc?.summary) missing.push(`${entry.name}: no description`);
    for (const member of entry.members) {
      if (!member.doc?.summary) missing.push(`${entry.name}.${member.name}: no description`);
      if (
        entry.kind === 'interface' &&
        member.optional &&
        !member.doc?.tags.some((tag) => tag.tag === 'default')
      ) {
        missing.push(`${entry.name}.${member.name}: no @default`);
      }
    }
  }
  return missing;
}

// --- Markdown ---

const anchor = (...parts: string[]) => parts.join('-').toLowerCase();
const code = (value: string) => (value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``);
const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function linker(api: readonly ApiEntry[]) {
  const documented = new Set(api.map((entry) => entry.name));
  const link = (name: string) => (documented.has(name) ? `[${code(name)}](#${anchor(name)})` : code(name));
  return {
    prose: (value: string) => value.replace(/\{@link\s+([\w.]+)\s*\}/g, (_, name: string) => link(name)),
    /** Links to the documented types a type mentions, after it. */
    seeAlso: (type: string) => {
      const named = [...new Set(type.match(/\b[A-Z]\w*\b/g) ?? [])].filter((name) => documented.has(name));
      return named.length === 0 ? '' : ` (see ${named.map(link).join(', ')})`;
    },
  };
}

const tagText = (doc: DocComment | undefined, tag: string) =>
  doc?.tags.find((item) => item.tag === tag)?.text;

/**
 * A `@default` as jsii writes them: a value first (`'7d'`, `1000`, `Duration.minutes(10)`) shown as
 * code, or `- ` and a description when there is no single value.
 */
function renderDefault(value: string, prose: (text: string) => string): string {
  if (value.startsWith('- ')) return prose(value.slice(2));
  const literal = /^('[^']*'|[\w.]+(?:\([^)]*\))?)(.*)$/s.exec(value);
  if (literal === null) return prose(value);
  return `${code(literal[1] ?? '')}${prose(literal[2] ?? '')}`;
}

/** The first sentence, for the summary table; the prop's section has the rest. */
const firstSentence = (value: string) => /^(.*?\.)(\s|$)/s.exec(value)?.[1] ?? value;

export function renderApi(api: readonly ApiEntry[], version: string): string {
  const { prose, seeAlso } = linker(api);
  const out: string[] = [
    '# API reference',
    '',
    `glacier-sweeper ${version}. Generated by \`npm run docs:api\` from the package's declarations and`,
    'their TSDoc comments: edit those, not this file (`npm test` fails when it is out of date).',
    '',
    '```ts',
    "import { GlacierSweeper, type GlacierSweeperProps } from 'glacier-sweeper'; // ESM",
    "const { GlacierSweeper } = require('glacier-sweeper'); // CommonJS",
    '```',
    '',
  ];
  const sections: [ApiEntry['kind'], string][] = [
    ['class', 'Constructs'],
    ['interface', 'Props'],
    ['type', 'Types'],
  ];
  const other = (doc: DocComment | undefined) =>
    (doc?.tags ?? [])
      .filter((tag) => tag.tag !== 'default')
      .map((tag) => `**@${tag.tag}** ${prose(tag.text)}`)
      .join('\n\n');
  for (const [kind, title] of sections) {
    const entries = api.filter((entry) => entry.kind === kind);
    if (entries.length === 0) continue;
    out.push(`## ${title}`, '');
    for (const entry of entries) {
      out.push(`<a id="${anchor(entry.name)}"></a>`, '', `### ${entry.name}`, '');
      if (entry.doc?.summary) out.push(prose(entry.doc.summary), '');
      if (other(entry.doc)) out.push(other(entry.doc), '');
      if (entry.kind === 'class') {
        out.push('```ts', `new ${entry.name}(${entry.constructorParams ?? ''})`, '```', '');
        if (entry.extends !== undefined) out.push(`Extends ${code(entry.extends)}.`, '');
        for (const [kind, header] of [
          ['property', '| Property | Type | Description |'],
          ['method', '| Method | Returns | Description |'],
        ] as const) {
          const members = entry.members.filter((member) => member.kind === kind);
          if (members.length === 0) continue;
          out.push(header, '|---|---|---|');
          for (const member of members) {
            const summary = member.doc?.summary ?? '';
            out.push(
              `| ${cell(code(member.name))} | ${cell(code(member.type))}${cell(seeAlso(member.type))} | ${cell(prose(summary))} |`,
            );
          }
          out.push('');
        }
        const used = [...entry.namespaces].filter(([alias]) =>
          entry.members.some((member) => member.type.includes(`${alias}.`)),
        );
        if (used.length > 0) {
          out.push(
            `Namespaces: ${used.map(([alias, module]) => `${code(alias)} is ${code(module)}`).join(', ')}.`,
            '',
          );
        }
      } else if (entry.kind === 'interface') {
        out.push('| Prop | Type | Default |', '|---|---|---|');
        for (const member of entry.members) {
          const name = `[${code(`${member.name}${member.optional ? '?' : ''}`)}](#${anchor(entry.name, member.name)})`;
          const fallback = tagText(member.doc, 'default');
          const shown = fallback === undefined ? 'required' : renderDefault(firstSentence(fallback), prose);
          out.push(`| ${name} | ${cell(code(member.type))} | ${cell(shown)} |`);
        }
        out.push('');
        for (const member of entry.members) {
          out.push(`<a id="${anchor(entry.name, member.name)}"></a>`, '', `#### ${member.name}`, '');
          out.push(`Type: ${code(member.type)}${seeAlso(member.type)}`, '');
          const fallback = tagText(member.doc, 'default');
          if (fallback !== undefined) out.push(`Default: ${renderDefault(fallback, prose)}`, '');
          if (member.doc?.summary) out.push(prose(member.doc.summary), '');
          if (other(member.doc)) out.push(other(member.doc), '');
        }
      } else {
        const oneLine = `type ${entry.name} = ${entry.alternatives.join(' | ')};`;
        const body =
          oneLine.length <= 100
            ? [oneLine]
            : [`type ${entry.name} =`, ...entry.alternatives.map((alternative) => `  | ${alternative}`)].map(
                (line, index, lines) => (index === lines.length - 1 ? `${line};` : line),
              );
        out.push('```ts', ...body, '```', '');
        if (entry.written !== undefined) out.push(`Written ${code(entry.written)} in the declarations.`, '');
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Emits the declarations into a temporary directory and renders the reference from them. */
export async function generateApiDocs(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-api-'));
  try {
    await emitDeclarations(dir);
    const api = readApi(dir);
    const missing = missingDocs(api);
    if (missing.length > 0) throw new Error(`TSDoc missing:\n  ${missing.join('\n  ')}`);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    return renderApi(api, version);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(join(ROOT, API_DOC), await generateApiDocs());
  process.stdout.write(`wrote ${API_DOC}\n`);
}
