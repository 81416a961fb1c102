/**
 * Finds the exact text of a top-level member of a JSON object, so the bytes we sign and deliver are
 * the bytes the producer sent (JSON.parse + stringify would reorder integer-like keys and reformat
 * numbers). The text must already be valid JSON (JSON.parse it first). Returns undefined when the
 * member is absent; like JSON.parse, the last of duplicate keys wins.
 */
export function extractRawMember(json: string, key: string): string | undefined {
  let index = skipWhitespace(json, 0);
  if (json[index] !== '{') return undefined;
  index += 1;
  let found: string | undefined;
  for (;;) {
    index = skipWhitespace(json, index);
    if (json[index] === '}') return found;
    const keyEnd = skipString(json, index);
    const name = JSON.parse(json.slice(index, keyEnd)) as string;
    index = skipWhitespace(json, keyEnd);
    index += 1; // ':'
    index = skipWhitespace(json, index);
    const valueEnd = skipValue(json, index);
    if (name === key) found = json.slice(index, valueEnd);
    index = skipWhitespace(json, valueEnd);
    if (json[index] === ',') index += 1;
    else return found;
  }
}

function skipWhitespace(text: string, index: number): number {
  while (
    index < text.length &&
    (text[index] === ' ' || text[index] === '\n' || text[index] === '\r' || text[index] === '\t')
  ) {
    index += 1;
  }
  return index;
}

function skipString(text: string, index: number): number {
  index += 1; // opening quote
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') index += 2;
    else if (char === '"') return index + 1;
    else index += 1;
  }
  return index;
}

function skipValue(text: string, index: number): number {
  const char = text[index];
  if (char === '"') return skipString(text, index);
  if (char === '{' || char === '[') {
    let depth = 0;
    while (index < text.length) {
      const current = text[index];
      if (current === '"') {
        index = skipString(text, index);
        continue;
      }
      if (current === '{' || current === '[') depth += 1;
      else if (current === '}' || current === ']') {
        depth -= 1;
        if (depth === 0) return index + 1;
      }
      index += 1;
    }
    return index;
  }
  // number, true, false, null
  while (index < text.length && !',}] \n\r\t'.includes(text[index]!)) index += 1;
  return index;
}
