// Secrets read from files, Docker-secrets style (`/run/secrets/<name>`): the config file then
// names where a secret is, never the secret itself, and can be shown, committed and logged.
// Read once, at start (the agent's config while it is validated, a sink as it is made); a
// problem comes back as a message naming the file, never its content.
import { readFileSync } from 'node:fs';

export type FileRead<T> = { ok: true; value: T } | { ok: false; message: string };

/** The file's bytes, as TLS keys and certificates are read. */
export function readSecretBytes(file: string): FileRead<Buffer> {
  try {
    return { ok: true, value: readFileSync(file) };
  } catch (error) {
    return { ok: false, message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}

function read(file: string): FileRead<string> {
  const bytes = readSecretBytes(file);
  return bytes.ok ? { ok: true, value: bytes.value.toString('utf8') } : bytes;
}

/** The file's content without the trailing newline editors and `echo` add; empty is an error. */
export function readSecretFile(file: string): FileRead<string> {
  const text = read(file);
  if (!text.ok) return text;
  const value = text.value.replace(/\r?\n$/, '');
  return value ? { ok: true, value } : { ok: false, message: `${file} is empty` };
}

/** `Name: value` lines, as HTTP writes them; blank lines and `#` comments are skipped. */
export function readHeadersFile(file: string): FileRead<Record<string, string>> {
  const text = read(file);
  if (!text.ok) return text;
  const headers: Record<string, string> = {};
  const lines = text.value.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    // The line itself may hold the secret: only its number goes into the message.
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      return { ok: false, message: `${file}:${index + 1}: expected "Name: value"` };
    headers[name] = line.slice(colon + 1).trim();
  }
  return { ok: true, value: headers };
}
