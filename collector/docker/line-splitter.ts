// Splits a stream of text into complete lines: chunks from Docker's event stream may end in the
// middle of a JSON object or hold several.

export class LineSplitter {
  #rest = '';

  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const parts = text.split('\n');
    this.#rest = parts.pop() ?? '';
    return parts.map((line) => line.trim()).filter(Boolean);
  }
}
