import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const guarantees = readFileSync(path.join(root, 'docs/guarantees.md'), 'utf8');

/** The bullets of docs/guarantees.md, each as one line of text. */
function bullets(markdown: string): string[] {
  const found: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('- ')) found.push(line.slice(2));
    else if (line.startsWith('  ') && found.length > 0)
      found[found.length - 1] = `${found.at(-1)!} ${line.trim()}`;
  }
  return found;
}

interface NamedTest {
  file: string;
  name?: string;
}

/** `path/to/file.spec.ts` and, when given, › "the test's name" after it. */
function namedTests(bullet: string): NamedTest[] {
  const pattern = /`([\w./-]+\.(?:e2e-spec|int-spec|spec)\.ts)`(?: › "([^"]+)")?/g;
  return [...bullet.matchAll(pattern)].map((match) => ({ file: match[1]!, name: match[2] }));
}

/** The titles of a test file's `it(...)`s; `${...}` in a template title matches anything. */
function testTitles(source: string): RegExp[] {
  const pattern = /\bit(?:\.each\([\s\S]*?\))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  return [...source.matchAll(pattern)].map((match) => {
    const title = match[2]!.replace(/\\(.)/g, '$1');
    const parts = title
      .split(/\$\{[^}]*\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${parts.join('.+')}$`);
  });
}

// docs/guarantees.md is a promise to users: each promise names the tests that keep it true, and
// those tests exist, so a guarantee cannot outlive (or predate) its proof unnoticed.
describe('docs/guarantees.md', () => {
  const all = bullets(guarantees);

  it('has guarantees', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it.each(all.map((bullet) => [bullet.slice(0, 60), bullet]))(
    '"%s…" names a test that exists',
    (_title, bullet) => {
      const named = namedTests(bullet);
      expect(named.length).toBeGreaterThan(0);
      for (const { file, name } of named) {
        expect({ file, exists: existsSync(path.join(root, file)) }).toEqual({ file, exists: true });
        if (name === undefined) continue;
        const titles = testTitles(readFileSync(path.join(root, file), 'utf8'));
        expect({ file, name, found: titles.some((title) => title.test(name)) }).toEqual({
          file,
          name,
          found: true,
        });
      }
    },
  );
});
