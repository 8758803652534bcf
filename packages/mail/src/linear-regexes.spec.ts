/**
 * Every regular expression of this package runs in linear time: a mail is attacker-controlled input, and one
 * super-linear pattern lets a single mail block the event loop (1 MB of `begin 644 a` lines took 69 s before).
 *
 * The patterns are collected from the sources themselves, so a new one cannot slip past: every regex literal is read
 * from the TypeScript syntax tree, and a module that builds patterns with `new RegExp(...)` must export what it builds
 * (as a RegExp, or an array or object of them). Each is checked with recheck (https://makenowjust-labs.github.io/recheck/),
 * which must call it `safe` (its complexity `constant`, `linear`, or `safe` when it is sure of no more without naming
 * it). The table of patterns with status, complexity and the checker that decided is printed after the run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { check } from 'recheck';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const SOURCE_DIR = fileURLToPath(new URL('.', import.meta.url));

interface FoundPattern {
  file: string;
  line: number;
  source: string;
  flags: string;
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(?:int-)?spec\.ts$/u.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });

/** Regex literals and `RegExp(...)` constructions of one file, by syntax (comments and strings cannot confuse it). */
function scan(path: string): { literals: FoundPattern[]; constructions: number[] } {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const literals: FoundPattern[] = [];
  const constructions: number[] = [];
  const lineOf = (node: ts.Node): number => file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const { source, flags } = new Function(`return ${node.text}`)() as RegExp;
      literals.push({ file: relative(SOURCE_DIR, path), line: lineOf(node), source, flags });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      constructions.push(lineOf(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { literals, constructions };
}

/** The RegExps a module exports: directly, or inside an exported array or plain object. */
function exportedRegExps(module: Record<string, unknown>): Array<{ name: string; pattern: RegExp }> {
  return Object.entries(module).flatMap(([name, value]) => {
    if (value instanceof RegExp) return [{ name, pattern: value }];
    if (value !== null && typeof value === 'object' && !(value instanceof Map) && !(value instanceof Set)) {
      return Object.entries(value)
        .filter((entry): entry is [string, RegExp] => entry[1] instanceof RegExp)
        .map(([key, pattern]) => ({ name: `${name}.${key}`, pattern }));
    }
    return [];
  });
}

const files = sourceFiles(SOURCE_DIR);
const verdicts: string[] = [];

afterAll(() => {
  console.log(`[regex safety] ${verdicts.length} patterns in packages/mail/src (recheck verdict):\n  ${verdicts.join('\n  ')}`);
});

async function expectLinear(label: string, source: string, flags: string): Promise<void> {
  const diagnostics = await check(source, flags, { timeout: 30_000 });
  const detail =
    diagnostics.status === 'vulnerable'
      ? `${diagnostics.complexity.type} (attack: ${diagnostics.attack.pattern})`
      : diagnostics.status === 'safe'
        ? diagnostics.complexity.type
        : `${diagnostics.error.kind}`;
  verdicts.push(`${diagnostics.status.padEnd(10)} ${detail.padEnd(9)} ${(diagnostics.checker ?? '-').padEnd(9)} ${label}  /${source}/${flags}`);
  expect(diagnostics.status, `${label} /${source}/${flags}: ${detail}`).toBe('safe');
}

describe('regular expressions in packages/mail', () => {
  const scanned = files.map((path) => ({ path, ...scan(path) }));

  it('finds the patterns (the scan itself works)', () => {
    expect(scanned.flatMap((entry) => entry.literals).length).toBeGreaterThan(50);
    expect(scanned.some((entry) => entry.path.endsWith('uuencode.ts') && entry.literals.length > 0)).toBe(true);
  });

  for (const { path, literals } of scanned) {
    for (const found of literals) {
      it(`${found.file}:${found.line} is linear`, { timeout: 60_000 }, async () => {
        await expectLinear(`${found.file}:${found.line}`, found.source, found.flags);
      });
    }
    void path;
  }

  for (const { path, constructions } of scanned.filter((entry) => entry.constructions.length > 0)) {
    const file = relative(SOURCE_DIR, path);
    it(`${file}: every pattern built with RegExp() is exported and linear`, { timeout: 120_000 }, async () => {
      const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const built = exportedRegExps(module);
      expect(built.length, `${file} builds patterns (lines ${constructions.join(', ')}) but exports none of them`).toBeGreaterThanOrEqual(1);
      for (const { name, pattern } of built) await expectLinear(`${file} ${name}`, pattern.source, pattern.flags);
    });
  }
});
