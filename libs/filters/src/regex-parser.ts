/*
 * Parser for `$regex` patterns, RE2 syntax (what Convoy, written in Go, accepts): literals, `.`,
 * classes (`[a-z]`, `[^…]`, `\d \w \s` and negations, `[[:alpha:]]`, `\p{L}`), anchors `^ $ \A \z
 * \b \B`, groups `(…) (?:…) (?P<n>…) (?<n>…)`, flags `(?i) (?m) (?s) (?U)` and `(?i:…)`,
 * alternation and quantifiers `* + ? {n} {n,} {n,m}` (lazy or not: a boolean match does not care).
 * Backreferences and lookarounds do not exist in RE2 and are rejected. Captures are irrelevant to a
 * yes/no match, so groups leave no trace in the tree.
 */

export type CharTest = (codePoint: number) => boolean;

export type Assertion =
  'text-start' | 'text-end' | 'line-start' | 'line-end' | 'word-boundary' | 'not-word-boundary';

export type RegexNode =
  /** `literal` is the case-folded code point when the node is one plain character. */
  | { readonly kind: 'char'; readonly test: CharTest; readonly literal: number | null }
  | { readonly kind: 'assert'; readonly assertion: Assertion }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alternate'; readonly branches: readonly RegexNode[] }
  | {
      readonly kind: 'repeat';
      readonly node: RegexNode;
      readonly min: number;
      readonly max: number;
    }
  | { readonly kind: 'empty' };

export class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
}

/** RE2's limit on a counted repetition. */
export const MAX_REPEAT = 1000;

interface Flags {
  ignoreCase: boolean;
  multiLine: boolean;
  dotAll: boolean;
}

const MAX_CODE_POINT = 0x10ffff;
type Ranges = number[]; // flat [lo, hi, lo, hi, …], inclusive

const DIGIT: Ranges = [0x30, 0x39];
const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE: Ranges = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20]; // RE2's \s: [\t\n\f\r ]

const POSIX: Readonly<Record<string, Ranges>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: DIGIT,
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

export function isWordCodeUnit(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    code === 0x5f ||
    (code >= 0x61 && code <= 0x7a)
  );
}

function toLower(cp: number): number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
  return String.fromCodePoint(cp).toLowerCase().codePointAt(0) ?? cp;
}

function toUpper(cp: number): number {
  if (cp < 0x80) return cp >= 0x61 && cp <= 0x7a ? cp - 32 : cp;
  return String.fromCodePoint(cp).toUpperCase().codePointAt(0) ?? cp;
}

function inRanges(ranges: Ranges, cp: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (cp >= (ranges[i] ?? 0) && cp <= (ranges[i + 1] ?? -1)) return true;
  }
  return false;
}

function complement(ranges: Ranges): Ranges {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i] ?? 0, ranges[i + 1] ?? 0]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of pairs) {
    if (lo > next) out.push(next, lo - 1);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

function literalNode(cp: number, flags: Flags): RegexNode {
  if (!flags.ignoreCase) return { kind: 'char', test: (c) => c === cp, literal: cp };
  const lower = toLower(cp);
  const upper = toUpper(cp);
  if (lower === upper) return { kind: 'char', test: (c) => c === cp, literal: cp };
  return {
    kind: 'char',
    test: (c) => c === lower || c === upper || toLower(c) === lower,
    literal: lower,
  };
}

function classNode(ranges: Ranges, negated: boolean, flags: Flags): RegexNode {
  const test: CharTest = flags.ignoreCase
    ? (c) =>
        (inRanges(ranges, c) || inRanges(ranges, toLower(c)) || inRanges(ranges, toUpper(c))) !==
        negated
    : (c) => inRanges(ranges, c) !== negated;
  return { kind: 'char', test, literal: null };
}

/** `\p{…}` delegates to V8 on a single code point, which cannot backtrack. */
function unicodeClassTest(name: string, negated: boolean): CharTest {
  let probe: RegExp | undefined;
  for (const candidate of [name, `Script=${name}`]) {
    try {
      probe = new RegExp(`^\\p{${candidate}}$`, 'u');
      break;
    } catch {
      // try the next spelling
    }
  }
  if (probe === undefined) throw new RegexSyntaxError(`unknown Unicode class "${name}"`);
  const regex = probe;
  return (c) => regex.test(String.fromCodePoint(c)) !== negated;
}

const HEX = /^[0-9a-fA-F]+$/;

class Parser {
  private pos = 0;
  private readonly cps: number[];

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (ch) => ch.codePointAt(0) ?? 0);
  }

  parse(): RegexNode {
    const node = this.alternation({ ignoreCase: false, multiLine: false, dotAll: false });
    if (this.pos < this.cps.length) throw new RegexSyntaxError('unmatched ")"');
    return node;
  }

  private peek(offset = 0): string {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? '' : String.fromCodePoint(cp);
  }

  private take(): string {
    const ch = this.peek();
    this.pos++;
    return ch;
  }

  private alternation(outer: Flags): RegexNode {
    // Inline flags like `(?i)` last until the end of the enclosing group, so each group gets a copy.
    const flags = { ...outer };
    const branches = [this.concatenation(flags)];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.concatenation(flags));
    }
    return branches.length === 1
      ? (branches[0] ?? { kind: 'empty' })
      : { kind: 'alternate', branches };
  }

  private concatenation(flags: Flags): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === '' || ch === '|' || ch === ')') break;
      const atom = this.atom(flags);
      if (atom !== null) items.push(this.quantified(atom));
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? (items[0] ?? { kind: 'empty' }) : { kind: 'concat', items };
  }

  /** Reads `{n}`, `{n,}` or `{n,m}` at the cursor without consuming it; null when not a repetition. */
  private braces(): { min: number; max: number; length: number } | null {
    let text = '';
    for (let i = 0; i < 16; i++) {
      const ch = this.peek(i);
      text += ch;
      if (ch === '}' || ch === '') break;
    }
    const match = /^\{(\d+)(,(\d*))?\}/.exec(text);
    if (match === null) return null;
    const min = Number(match[1]);
    const max =
      match[2] === undefined
        ? min
        : match[3] === undefined || match[3] === ''
          ? Infinity
          : Number(match[3]);
    return { min, max, length: match[0].length };
  }

  private quantified(atom: RegexNode): RegexNode {
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === '*' || ch === '+' || ch === '?') {
      min = ch === '+' ? 1 : 0;
      max = ch === '?' ? 1 : Infinity;
      this.pos++;
    } else {
      const braces = ch === '{' ? this.braces() : null;
      if (braces === null) return atom;
      ({ min, max } = braces);
      this.pos += braces.length;
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
        throw new RegexSyntaxError(`repetition count above ${MAX_REPEAT}`);
      }
      if (max < min) throw new RegexSyntaxError('invalid repetition range');
    }
    if (this.peek() === '?') this.pos++; // lazy: irrelevant to whether a match exists
    const after = this.peek();
    if (
      after === '*' ||
      after === '+' ||
      after === '?' ||
      (after === '{' && this.braces() !== null)
    ) {
      throw new RegexSyntaxError('invalid nested repetition operator');
    }
    return { kind: 'repeat', node: atom, min, max };
  }

  /** One atom; null for a flags-only group like `(?i)`, which changes `flags` in place. */
  private atom(flags: Flags): RegexNode | null {
    const ch = this.peek();
    switch (ch) {
      case '(':
        return this.group(flags);
      case '[':
        this.pos++;
        return this.characterClass(flags);
      case '.':
        this.pos++;
        return flags.dotAll
          ? { kind: 'char', test: () => true, literal: null }
          : { kind: 'char', test: (c) => c !== 0x0a, literal: null };
      case '^':
        this.pos++;
        return { kind: 'assert', assertion: flags.multiLine ? 'line-start' : 'text-start' };
      case '$':
        this.pos++;
        return { kind: 'assert', assertion: flags.multiLine ? 'line-end' : 'text-end' };
      case '\\':
        this.pos++;
        return this.escape(flags);
      case '*':
      case '+':
      case '?':
        throw new RegexSyntaxError(`missing argument to repetition operator "${ch}"`);
      default: {
        if (ch === '{' && this.braces() !== null)
          throw new RegexSyntaxError('missing argument to repetition operator');
        const cp = this.cps[this.pos++] ?? 0;
        return literalNode(cp, flags);
      }
    }
  }

  private group(flags: Flags): RegexNode | null {
    this.pos++; // (
    if (this.peek() === '?') {
      this.pos++;
      const next = this.peek();
      if (
        next === '=' ||
        next === '!' ||
        (next === '<' && (this.peek(1) === '=' || this.peek(1) === '!'))
      ) {
        throw new RegexSyntaxError('lookaround assertions are not supported');
      }
      if (next === 'P' || next === '<') {
        this.pos += next === 'P' ? 2 : 1;
        if (next === 'P' && this.peek(-1) !== '<')
          throw new RegexSyntaxError('invalid named group');
        while (/[A-Za-z0-9_]/.test(this.peek())) this.pos++;
        if (this.peek() !== '>') throw new RegexSyntaxError('invalid named group');
        this.pos++;
        return this.groupBody(flags);
      }
      // Flags: `(?i)` applies to the rest of the current group, `(?i:…)` only inside.
      const scoped = { ...flags };
      let negate = false;
      for (;;) {
        const f = this.peek();
        this.pos++;
        if (f === 'i') scoped.ignoreCase = !negate;
        else if (f === 'm') scoped.multiLine = !negate;
        else if (f === 's') scoped.dotAll = !negate;
        else if (f === 'U')
          continue; // ungreedy: irrelevant to whether a match exists
        else if (f === '-' && !negate) negate = true;
        else if (f === ')') {
          Object.assign(flags, scoped);
          return null;
        } else if (f === ':') {
          return this.groupBody(scoped);
        } else {
          throw new RegexSyntaxError('invalid or unsupported group syntax');
        }
      }
    }
    return this.groupBody(flags);
  }

  private groupBody(flags: Flags): RegexNode {
    const node = this.alternation(flags);
    if (this.peek() !== ')') throw new RegexSyntaxError('missing ")"');
    this.pos++;
    return node;
  }

  private hexEscape(maxDigits: number): number {
    let digits = '';
    if (this.peek() === '{') {
      this.pos++;
      while (this.peek() !== '}' && this.peek() !== '') digits += this.take();
      if (this.peek() !== '}') throw new RegexSyntaxError('invalid hexadecimal escape');
      this.pos++;
    } else {
      for (let i = 0; i < maxDigits; i++) digits += this.peek(i);
      this.pos += digits.length;
      if (digits.length !== maxDigits) throw new RegexSyntaxError('invalid hexadecimal escape');
    }
    const cp = HEX.test(digits) ? parseInt(digits, 16) : NaN;
    if (!(cp <= MAX_CODE_POINT)) throw new RegexSyntaxError('invalid hexadecimal escape');
    return cp;
  }

  private unicodeClassName(): string {
    if (this.peek() !== '{') return this.take();
    this.pos++;
    let name = '';
    while (this.peek() !== '}' && this.peek() !== '') name += this.take();
    if (this.peek() !== '}') throw new RegexSyntaxError('invalid Unicode class');
    this.pos++;
    return name;
  }

  /** An escape after the backslash: a class, an assertion, or one code point. */
  private escapeItem(
    inClass: boolean,
  ): { ranges: Ranges; negated: boolean } | { test: CharTest } | Assertion | number {
    const ch = this.peek();
    if (ch === '') throw new RegexSyntaxError('trailing backslash');
    this.pos++;
    switch (ch) {
      case 'd':
      case 'D':
        return { ranges: DIGIT, negated: ch === 'D' };
      case 'w':
      case 'W':
        return { ranges: WORD, negated: ch === 'W' };
      case 's':
      case 'S':
        return { ranges: SPACE, negated: ch === 'S' };
      case 'p':
      case 'P':
        return { test: unicodeClassTest(this.unicodeClassName(), ch === 'P') };
      case 't':
        return 0x09;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 'f':
        return 0x0c;
      case 'v':
        return 0x0b;
      case 'a':
        return 0x07;
      case '0':
        return 0x00;
      case 'x':
        return this.hexEscape(2);
      case 'u':
        return this.hexEscape(4);
      default:
        break;
    }
    if (!inClass) {
      if (ch === 'b') return 'word-boundary';
      if (ch === 'B') return 'not-word-boundary';
      if (ch === 'A') return 'text-start';
      if (ch === 'z') return 'text-end';
    }
    if (/[1-9k]/.test(ch)) throw new RegexSyntaxError('backreferences are not supported');
    if (/[A-Za-z0-9]/.test(ch)) throw new RegexSyntaxError(`invalid escape "\\${ch}"`);
    return ch.codePointAt(0) ?? 0; // escaped punctuation is itself
  }

  private escape(flags: Flags): RegexNode {
    const item = this.escapeItem(false);
    if (typeof item === 'number') return literalNode(item, flags);
    if (typeof item === 'string') return { kind: 'assert', assertion: item };
    if ('test' in item) return { kind: 'char', test: item.test, literal: null };
    return classNode(item.ranges, item.negated, flags);
  }

  private characterClass(flags: Flags): RegexNode {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Ranges = [];
    const extra: CharTest[] = [];
    let first = true;
    for (;;) {
      const ch = this.peek();
      if (ch === '') throw new RegexSyntaxError('missing "]"');
      if (ch === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (ch === '[' && this.peek(1) === ':') {
        const close = this.cps.indexOf(0x5d /* ] */, this.pos);
        const text =
          close === -1 ? '' : String.fromCodePoint(...this.cps.slice(this.pos, close + 1));
        const posix = /^\[:(\^?)([a-z]+):\]$/.exec(text);
        const set = posix?.[2] === undefined ? undefined : POSIX[posix[2]];
        if (posix !== null && set !== undefined) {
          ranges.push(...(posix[1] === '^' ? complement(set) : set));
          this.pos = close + 1;
          continue;
        }
      }
      let lo: number;
      if (ch === '\\') {
        this.pos++;
        const item = this.escapeItem(true);
        if (typeof item === 'object') {
          if ('test' in item) extra.push(item.test);
          else ranges.push(...(item.negated ? complement(item.ranges) : item.ranges));
          continue;
        }
        if (typeof item === 'string') throw new RegexSyntaxError('invalid escape in class');
        lo = item;
      } else {
        lo = this.cps[this.pos++] ?? 0;
      }
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.pos++;
        if (this.peek() === '\\') {
          this.pos++;
          const item = this.escapeItem(true);
          if (typeof item !== 'number') throw new RegexSyntaxError('invalid class range');
          hi = item;
        } else {
          hi = this.cps[this.pos++] ?? 0;
        }
        if (hi < lo) throw new RegexSyntaxError('invalid class range');
      }
      ranges.push(lo, hi);
    }
    if (extra.length === 0) return classNode(ranges, negated, flags);
    const base = classNode(ranges, false, flags);
    const inBase = base.kind === 'char' ? base.test : () => false;
    const test: CharTest = (c) => (inBase(c) || extra.some((t) => t(c))) !== negated;
    return { kind: 'char', test, literal: null };
  }
}

export function parseRegex(pattern: string): RegexNode {
  return new Parser(pattern).parse();
}
