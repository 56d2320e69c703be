// The catalogue names the file that raises each rule, so a rule id leads to its code in one hop.
// A file name that went stale (a rule moved, a family file renamed) would send a reader nowhere:
// each entry is checked against the file it names.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, RULES } from '../../../findings/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('the rule catalogue', () => {
  it.each(RULE_IDS)('names an existing file that holds %s', (rule) => {
    const file = path.join(ROOT, RULES[rule].file);
    expect(existsSync(file), RULES[rule].file).toBe(true);
  });

  it.each(RULE_IDS)('names the file that has %s as a string literal', (rule) => {
    const text = readFileSync(path.join(ROOT, RULES[rule].file), 'utf8');
    expect(text, RULES[rule].file).toMatch(new RegExp(`['"\`]${rule}['"\`]`));
  });
});
