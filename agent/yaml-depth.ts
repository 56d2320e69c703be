// A nesting limit for the YAML the agent reads (its config, a baseline import), checked on the
// text before the parser sees it. The `yaml` parser recurses once per level: a few thousand
// `[` are a stack overflow, and when that overflow lands inside V8's regular-expression compiler
// (which the parser calls), V8 does not throw a RangeError, it ends the process ("FATAL ERROR:
// RegExpCompiler Allocation failed"). Found by the config fuzz test; reproduced in plain node by
// parsing `a: [[[…]]]` (5000 deep) from a slightly deeper call stack. So depth is refused up front,
// with a clear error, instead of hoping the overflow lands somewhere catchable.
//
// Hand-written because neither `yaml` nor any well-kept YAML library here offers a depth limit.
// The scan is deliberately simple and errs towards counting too much: indentation levels, block
// sequence dashes (`- - - x` nests on one line) and flow brackets outside quotes and comments.

/** Far beyond any real config (about 6 levels) or baseline (about 4). */
export const MAX_YAML_DEPTH = 64;

export class YamlTooDeepError extends Error {}

/** A quote opens a quoted scalar only where a token starts; `it's` is a plain scalar. */
const TOKEN_START = new Set([' ', '\t', '[', '{', ',', ':', '-', '?']);

export function assertYamlDepth(text: string, max = MAX_YAML_DEPTH): void {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let lineNo = 0;
  const deeper = (): void => {
    if (indents.length + flow > max)
      throw new YamlTooDeepError(`nested deeper than ${max} levels (line ${lineNo}); refused before parsing`);
  };
  for (const line of text.split('\n')) {
    lineNo++;
    let i = 0;
    if (flow === 0 && quote === null) {
      while (line[i] === ' ') i++;
      if (i === line.length || line[i] === '#') continue;
      while (indents.length > 0 && (indents.at(-1) ?? 0) >= i) indents.pop();
      indents.push(i);
      deeper();
      // "- - - x": each dash is a sequence inside the one before it.
      while (line[i] === '-' && (line[i + 1] === ' ' || i + 1 === line.length)) {
        indents.push(i + 1);
        deeper();
        i += 2;
        while (line[i] === ' ') i++;
      }
    }
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = null;
      } else if (quote === "'") {
        if (c === "'") quote = null; // '' (an escaped quote) closes and reopens: same result
      } else if ((c === '"' || c === "'") && TOKEN_START.has(line[i - 1] ?? ' ')) quote = c;
      else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      else if (c === '[' || c === '{') {
        flow++;
        deeper();
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
  }
}
