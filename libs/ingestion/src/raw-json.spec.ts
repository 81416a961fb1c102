import { extractRawMember } from './raw-json';

describe('extractRawMember', () => {
  const cases: [string, string, string | undefined][] = [
    ['{"data":{"b":1,"2":3}}', 'data', '{"b":1,"2":3}'],
    ['{ "event_type" : "x", "data" : [1.0, {"a":"}"}] }', 'data', '[1.0, {"a":"}"}]'],
    ['{"data":"a \\" quote","other":1}', 'data', '"a \\" quote"'],
    ['{"data":1e3}', 'data', '1e3'],
    ['{"data":null}', 'data', 'null'],
    ['{"x":{"data":1}}', 'data', undefined],
    ['{"data":1,"data":2}', 'data', '2'],
    ['{"da\\u0074a":true}', 'data', 'true'],
    ['[1,2]', 'data', undefined],
    ['{}', 'data', undefined],
  ];
  it.each(cases)('%s', (json, key, expected) => {
    expect(extractRawMember(json, key)).toBe(expected);
    if (expected !== undefined) {
      expect(JSON.parse(expected)).toEqual((JSON.parse(json) as Record<string, unknown>)[key]);
    }
  });
});
