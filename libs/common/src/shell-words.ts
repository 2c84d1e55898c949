import { InvalidValue } from './errors';

/**
 * Splits a command line the way POSIX shlex does (docker-py splits Zun's exec command like this):
 * whitespace separates words, `'...'` is literal, `"..."` allows `\"`, `\\`, `\$` and `` \` `` escapes,
 * a backslash outside quotes escapes the next character.
 * @throws InvalidValue on an unterminated quote.
 */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new InvalidValue(`No closing quotation in command: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new InvalidValue(`No closing quotation in command: ${line}`);
        const d = line[i] as string;
        if (d === '"') break;
        const next = line[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') word += next;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) throw new InvalidValue(`No escaped character in command: ${line}`);
      if (next !== '\n') word += next;
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
