/*
 * `$regex` runs for every event × subscription in the dispatcher and its patterns come from API
 * users, so no pattern may stall a dispatcher. V8's RegExp backtracks, and not only on the classic
 * nested quantifiers: measured on Node 20 with 4096 characters of input, `.*.*x` takes ~80 s and
 * `^a*a*a*x` ~60 s; even `(a|b)+x` takes ~90 ms. Static checks plus an input bound cannot close
 * that hole without rejecting ordinary patterns. So patterns run on our own Thompson-NFA matcher
 * (the RE2 approach; Convoy itself uses Go's RE2): it never backtracks, so a test costs at most
 * O(input length × program size), both of which we bound:
 *
 *  - patterns are at most MAX_PATTERN_LENGTH characters and compile to at most MAX_PROGRAM_STATES
 *    states (counted repetitions like `a{1000}` expand);
 *  - only the first MAX_REGEX_INPUT characters of a value are tested;
 *  - as defence in depth, and because they are almost always mistakes, patterns whose shape is
 *    catastrophic for backtracking engines are refused up front: a repeated group containing a
 *    variable quantifier (`(a+)+`, `(a*)*`, `(a?){2,}`) or an alternation whose branches may start
 *    with the same character (`(a|a)*`, `(a|ab)+`). A branch that does not start with a literal
 *    character counts as ambiguous: conservative, cheap and certain.
 */

import {
  type Assertion,
  type CharTest,
  isWordCodeUnit,
  parseRegex,
  type RegexNode,
} from './regex-parser';

export const MAX_PATTERN_LENGTH = 256;
export const MAX_REGEX_INPUT = 4096;
export const MAX_PROGRAM_STATES = 256;

/** A pattern that was refused or does not parse; the filter compiler reports it with its path. */
export class UnsafeRegexError extends Error {
  override readonly name = 'UnsafeRegexError';
}

/** What the filter needs from a pattern: does it match anywhere in the value. */
export interface SafeRegex {
  readonly source: string;
  test(value: string): boolean;
}

// ---- static shape check ------------------------------------------------------------------------

interface Shape {
  /** Contains a quantifier that can match a variable number of times. */
  variable: boolean;
  /** Contains an alternation whose branches may start alike. */
  ambiguous: boolean;
}

function firstLiteral(node: RegexNode): number | null {
  switch (node.kind) {
    case 'char':
      return node.literal;
    case 'concat':
      return node.items[0] === undefined ? null : firstLiteral(node.items[0]);
    case 'repeat':
      return node.min > 0 ? firstLiteral(node.node) : null;
    case 'assert':
    case 'alternate':
    case 'empty':
      return null;
  }
}

function checkShape(node: RegexNode): Shape {
  switch (node.kind) {
    case 'char':
    case 'assert':
    case 'empty':
      return { variable: false, ambiguous: false };
    case 'concat':
    case 'alternate': {
      const children = node.kind === 'concat' ? node.items : node.branches;
      const shape: Shape = { variable: false, ambiguous: false };
      for (const child of children) {
        const inner = checkShape(child);
        shape.variable ||= inner.variable;
        shape.ambiguous ||= inner.ambiguous;
      }
      if (node.kind === 'alternate' && !shape.ambiguous) {
        const seen = new Set<number>();
        for (const branch of node.branches) {
          const first = firstLiteral(branch);
          if (first === null || seen.has(first)) {
            shape.ambiguous = true;
            break;
          }
          seen.add(first);
        }
      }
      return shape;
    }
    case 'repeat': {
      const inner = checkShape(node.node);
      if (node.max > 1 && inner.variable) {
        throw new UnsafeRegexError('nested quantifiers (like "(a+)+") are not allowed');
      }
      if (node.max > 1 && inner.ambiguous) {
        throw new UnsafeRegexError(
          'a repeated alternation whose branches may start alike (like "(a|a)*") is not allowed',
        );
      }
      return { variable: inner.variable || node.min !== node.max, ambiguous: inner.ambiguous };
    }
  }
}

// ---- Thompson NFA ------------------------------------------------------------------------------

const MATCH = 0;
const CHAR = 1;
const SPLIT = 2;
const ASSERT = 3;

class ProgramBuilder {
  readonly types: number[] = [];
  readonly out1: number[] = [];
  readonly out2: number[] = [];
  readonly tests: (CharTest | null)[] = [];
  readonly assertions: (Assertion | null)[] = [];

  add(
    type: number,
    out1: number,
    out2: number,
    test: CharTest | null,
    assertion: Assertion | null,
  ): number {
    if (this.types.length >= MAX_PROGRAM_STATES)
      throw new UnsafeRegexError('pattern is too complex');
    this.types.push(type);
    this.out1.push(out1);
    this.out2.push(out2);
    this.tests.push(test);
    this.assertions.push(assertion);
    return this.types.length - 1;
  }

  /** Compiles `node` so that it continues at state `next`; returns its entry state. */
  emit(node: RegexNode, next: number): number {
    switch (node.kind) {
      case 'char':
        return this.add(CHAR, next, -1, node.test, null);
      case 'assert':
        return this.add(ASSERT, next, -1, null, node.assertion);
      case 'empty':
        return next;
      case 'concat': {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) {
          const item = node.items[i];
          if (item !== undefined) entry = this.emit(item, entry);
        }
        return entry;
      }
      case 'alternate': {
        const entries = node.branches.map((branch) => this.emit(branch, next));
        let entry = entries[entries.length - 1] ?? next;
        for (let i = entries.length - 2; i >= 0; i--)
          entry = this.add(SPLIT, entries[i] ?? next, entry, null, null);
        return entry;
      }
      case 'repeat': {
        let entry = next;
        if (node.max === Infinity) {
          const loop = this.add(SPLIT, -1, next, null, null);
          this.out1[loop] = this.emit(node.node, loop);
          entry = loop;
        } else {
          for (let i = node.min; i < node.max; i++)
            entry = this.add(SPLIT, this.emit(node.node, entry), entry, null, null);
        }
        for (let i = 0; i < node.min; i++) entry = this.emit(node.node, entry);
        return entry;
      }
    }
  }
}

function assertionHolds(assertion: Assertion, input: string, pos: number): boolean {
  switch (assertion) {
    case 'text-start':
      return pos === 0;
    case 'text-end':
      return pos === input.length;
    case 'line-start':
      return pos === 0 || input.charCodeAt(pos - 1) === 0x0a;
    case 'line-end':
      return pos === input.length || input.charCodeAt(pos) === 0x0a;
    case 'word-boundary':
    case 'not-word-boundary': {
      const before = pos > 0 && isWordCodeUnit(input.charCodeAt(pos - 1));
      const after = pos < input.length && isWordCodeUnit(input.charCodeAt(pos));
      return (before !== after) === (assertion === 'word-boundary');
    }
  }
}

/** A DFA state: the set of NFA character states live at some position inside the input. */
interface DfaState {
  readonly states: Int32Array;
  /** Transitions by code point, filled in lazily. */
  readonly next: Map<number, DfaState>;
}

/** Reached the match state: every transition from here is a match. */
const ACCEPT: DfaState = { states: new Int32Array(0), next: new Map() };

export const MAX_DFA_STATES = 64;
export const MAX_DFA_TRANSITIONS = 1024;

/**
 * Simulates the NFA over the input once, carrying the set of live states (each state at most once
 * per position), and answers as soon as the match state is reached: O(input × states).
 *
 * On top of that, the sets met in the middle of the input are cached as DFA states with their
 * transitions (RE2's lazy DFA), so a warm pattern costs one map look-up per character. Line and
 * word assertions depend on the neighbouring characters, so programs with them skip the DFA; the
 * cache is bounded, and once full the run continues on the plain NFA.
 *
 * Scratch buffers live on the program: matching is synchronous, so one program is never in two
 * simulations at once.
 */
class Program implements SafeRegex {
  private readonly types: Uint8Array;
  private readonly out1: Int32Array;
  private readonly out2: Int32Array;
  private readonly tests: readonly (CharTest | null)[];
  private readonly assertions: readonly (Assertion | null)[];
  /** Per state, 128 bits: which ASCII characters its test accepts (4 words per state). */
  private readonly ascii: Uint32Array;
  private readonly marks: Uint32Array;
  private readonly stack: Int32Array;
  private current: Int32Array;
  private next: Int32Array;
  private generation = 0;
  private readonly useDfa: boolean;
  private readonly dfa = new Map<string, DfaState>();
  private dfaTransitions = 0;
  private initial: DfaState | undefined;

  constructor(
    readonly source: string,
    builder: ProgramBuilder,
    private readonly start: number,
    /** Every match begins at position 0, so no new thread starts later. */
    private readonly anchored: boolean,
  ) {
    const size = builder.types.length;
    this.types = Uint8Array.from(builder.types);
    this.out1 = Int32Array.from(builder.out1);
    this.out2 = Int32Array.from(builder.out2);
    this.tests = builder.tests;
    this.assertions = builder.assertions;
    this.ascii = new Uint32Array(4 * size);
    builder.tests.forEach((test, state) => {
      if (test === null) return;
      for (let word = 0; word < 4; word++) {
        let bits = 0;
        for (let bit = 0; bit < 32; bit++) if (test(32 * word + bit)) bits |= 1 << bit;
        this.ascii[4 * state + word] = bits;
      }
    });
    this.marks = new Uint32Array(size);
    this.stack = new Int32Array(2 * size + 2);
    this.current = new Int32Array(size);
    this.next = new Int32Array(size);
    this.useDfa = builder.assertions.every(
      (a) => a === null || a === 'text-start' || a === 'text-end',
    );
  }

  test(value: string): boolean {
    const input = value.length > MAX_REGEX_INPUT ? value.slice(0, MAX_REGEX_INPUT) : value;
    let state = this.initial;
    if (state === undefined || !this.useDfa || input.length === 0) {
      // The closure at position 0 is the same for every non-empty input, hence cacheable.
      this.newGeneration();
      const count = this.addThread(this.current, 0, this.start, input, 0);
      if (!this.useDfa || input.length === 0) return this.simulate(input, 0, count);
      const interned = this.intern(this.current, count);
      if (interned === null) return this.simulate(input, 0, count);
      state = this.initial = interned;
    }
    let pos = 0;
    for (;;) {
      if (state === ACCEPT) return true;
      if (state.states.length === 0 && this.anchored) return false;
      const cp = input.codePointAt(pos) ?? 0;
      const nextPos = pos + (cp > 0xffff ? 2 : 1);
      if (nextPos >= input.length) {
        // The last step sees the end of the text, so it is not cached.
        this.current.set(state.states);
        return this.simulate(input, pos, state.states.length);
      }
      let next = state.next.get(cp);
      if (next === undefined) {
        const count = this.step(state.states, state.states.length, cp, input, nextPos);
        const interned = this.intern(this.next, count);
        if (interned === null) {
          [this.current, this.next] = [this.next, this.current];
          return this.simulate(input, nextPos, count);
        }
        if (this.dfaTransitions < MAX_DFA_TRANSITIONS) {
          state.next.set(cp, interned);
          this.dfaTransitions++;
        }
        next = interned;
      }
      state = next;
      pos = nextPos;
    }
  }

  /** The DFA state for a set of live states; null when the cache is full. */
  private intern(list: Int32Array, count: number): DfaState | null {
    if (count < 0) return ACCEPT;
    const states = list.slice(0, count).sort();
    const key = states.join(',');
    const known = this.dfa.get(key);
    if (known !== undefined) return known;
    if (this.dfa.size >= MAX_DFA_STATES) return null;
    const state: DfaState = { states, next: new Map() };
    this.dfa.set(key, state);
    return state;
  }

  /** Runs the NFA from the `count` states in `current` at `pos` to the end of the input. */
  private simulate(input: string, pos: number, count: number): boolean {
    while (count > 0 || (count === 0 && !this.anchored)) {
      if (pos >= input.length) return false;
      const cp = input.codePointAt(pos) ?? 0;
      const nextPos = pos + (cp > 0xffff ? 2 : 1);
      count = this.step(this.current, count, cp, input, nextPos);
      [this.current, this.next] = [this.next, this.current];
      pos = nextPos;
    }
    return count < 0;
  }

  /** Feeds one code point to `count` states of `from`, filling `this.next`; -1 on a match. */
  private step(
    from: Int32Array,
    count: number,
    cp: number,
    input: string,
    nextPos: number,
  ): number {
    this.newGeneration();
    const { ascii, out1, types, marks, generation } = this;
    const list = this.next;
    const word = cp >>> 5;
    const bit = 1 << (cp & 31);
    let nextCount = 0;
    for (let i = 0; i < count; i++) {
      const state = from[i] ?? 0;
      const accepts =
        cp < 128 ? ((ascii[4 * state + word] ?? 0) & bit) !== 0 : this.tests[state]?.(cp) === true;
      if (!accepts) continue;
      const target = out1[state] ?? 0;
      if (types[target] === CHAR) {
        // Fast path for the common character-to-character edge.
        if (marks[target] !== generation) {
          marks[target] = generation;
          list[nextCount++] = target;
        }
        continue;
      }
      nextCount = this.addThread(list, nextCount, target, input, nextPos);
      if (nextCount < 0) return -1;
    }
    return this.anchored
      ? nextCount
      : this.addThread(this.next, nextCount, this.start, input, nextPos);
  }

  private newGeneration(): void {
    if (++this.generation === 0xffffffff) {
      this.marks.fill(0);
      this.generation = 1;
    }
  }

  /** Adds `state` and its epsilon closure at `pos` to `list`; returns the new length, or -1 on a match. */
  private addThread(
    list: Int32Array,
    length: number,
    state: number,
    input: string,
    pos: number,
  ): number {
    const stack = this.stack;
    let top = 0;
    stack[top++] = state;
    while (top > 0) {
      const s = stack[--top] ?? 0;
      if (this.marks[s] === this.generation) continue;
      this.marks[s] = this.generation;
      const type = this.types[s];
      if (type === CHAR) {
        list[length++] = s;
      } else if (type === SPLIT) {
        stack[top++] = this.out2[s] ?? 0;
        stack[top++] = this.out1[s] ?? 0;
      } else if (type === ASSERT) {
        const assertion = this.assertions[s];
        if (assertion != null && assertionHolds(assertion, input, pos))
          stack[top++] = this.out1[s] ?? 0;
      } else {
        return -1; // MATCH
      }
    }
    return length;
  }
}

function startsAnchored(node: RegexNode): boolean {
  switch (node.kind) {
    case 'assert':
      return node.assertion === 'text-start';
    case 'concat':
      return node.items[0] !== undefined && startsAnchored(node.items[0]);
    case 'alternate':
      return node.branches.every(startsAnchored);
    case 'char':
    case 'repeat':
    case 'empty':
      return false;
  }
}

/** Parses, checks and compiles a user pattern; throws UnsafeRegexError with a reason. */
export function compileSafeRegex(pattern: string): SafeRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new UnsafeRegexError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  let tree: RegexNode;
  try {
    tree = parseRegex(pattern);
  } catch (error) {
    throw new UnsafeRegexError(error instanceof Error ? error.message : 'invalid pattern');
  }
  checkShape(tree);
  const builder = new ProgramBuilder();
  const match = builder.add(MATCH, -1, -1, null, null);
  const start = builder.emit(tree, match);
  return new Program(pattern, builder, start, startsAnchored(tree));
}
