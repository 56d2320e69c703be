// Text an attacker chose (container labels, argv, file names, DNS names) made safe to print in a
// single line anywhere: log lines, terminals, metric labels, Alertmanager labels, Falco's `output`.
// Control characters (C0, DEL, C1 — so ANSI escapes and newlines), line and paragraph separators,
// bidirectional overrides (which make `evil.sh` read as `hs.live`) and lone surrogates become
// visible escapes (`\x1b`, `\u202e`), and the text is cut at `max` UTF-16 units with an ellipsis.
// Printable text, any script, passes unchanged. JSON consumers get the raw value in `details`.

const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function printable(text: string, max = 1024): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(UNSAFE, escape);
}
