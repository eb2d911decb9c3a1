// Specification of the shared JSON5 module: parsing agrees with the json5 package, errors carry
// accurate positions, unsafe integers are refused, and edits keep the user's comments and layout.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { Json5SyntaxError, editJson5, formatPath, parseJson5, stringifyJson5 } from '../../src-shared/json5/index.ts';
import { parseTree } from '../../src-shared/json5/parse.ts';

const EXAMPLES = new URL('../fixtures/examples/', import.meta.url);
const examples = existsSync(EXAMPLES)
  ? readdirSync(EXAMPLES)
      .filter((f) => /\.json5?$/.test(f))
      .map((f) => [f, readFileSync(new URL(f, EXAMPLES), 'utf8')] as const)
  : [];

const CORPUS: string[] = [
  '{}',
  '[]',
  'null',
  'true',
  'false',
  '42',
  '-0',
  '"double"',
  "'single'",
  '  \t\n 7 \n',
  '{a: 1, b: [1, 2, 3,], }',
  '[1,2,3,]',
  '{"a b": 1, \'c\\\'d\': 2, "": 3}',
  '// c\n{/* b */a/*x*/:/*y*/1 // z\n}',
  '/** doc **/ {a: /* * / */ 1}// end',
  '{a: 1}\n// trailing\n/* more */',
  '[0x1F, -0xff, +0XAbC, 0x0]',
  '[.5, 5., +.5e-3, 1E+2, 0, 0.0, 0e0, -0.0e-0, 1e21, 123456789012345678.5]',
  '[Infinity, -Infinity, +Infinity, NaN, -NaN, +NaN]',
  '[9007199254740991, -9007199254740991, +1, -1]',
  String.raw`"\b\f\n\r\t\v\0\x41\u0042\'\"\\\a\ž\/"`,
  String.raw`'\u00e9 é \uD83E\uDE99 🪙'`,
  "'a\\\nb'",
  "'a\\\r\nb'",
  "'a\\\rb'",
  "'a\\\u2028b\\\u2029c'",
  '"raw \u2028 and \u2029 inside"',
  '{ünïcödé: 1, $_a1: 2, \\u0061b: 3, ǅ: 4, 𝑥: 5, a\\u0030: 6, a\u0301\u200d: 7}',
  '{null: 1, true: 2, if: 3, Infinity: 4, NaN: 5}',
  '\uFEFF{a: 1}',
  '{\u2028a:\u20291}',
  '{\u00a0a:\u30001\u2003}',
  '{\ta:\v1\f}',
  '[[[[{a: [{}, [], [[]]]}]]]]',
  '{a: 1, a: 2, b: {c: 1, c: [2]}}',
  '{__proto__: {x: 1}, y: 2}',
  '{\r\n  a: 1,\r\n  // crlf\r\n  b: "x",\r\n}\r\n',
  '{a: "x" /* c */ , /* d */ b: \'y\'}',
  '{ "agents": { "list": [ { "id": "main" } ] }, "port": 8080 }',
  '[true, false, null, "", \'\']',
  '{a:{b:{c:{d:{e:{f:[1,{g:null}]}}}}}}',
];

describe('parseJson5', () => {
  it.each(CORPUS.map((t) => [t]))('returns the same value as the json5 package for %j', (text) => {
    const doc = parseJson5(text);
    expect(doc.value).toEqual(JSON5.parse(text));
  });

  it.each(examples)('returns the same value as the json5 package for the example %s', (_name, text) => {
    expect(parseJson5(text).value).toEqual(JSON5.parse(text));
  });

  it('keeps __proto__ as an own member instead of changing the prototype', () => {
    const value = parseJson5('{__proto__: {x: 1}}').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it('reports keys that appear twice in one object, the last one winning', () => {
    const doc = parseJson5('{\n  a: 1,\n  b: { c: 1, c: 2 },\n  a: 3,\n}');
    expect(doc.value).toEqual({ a: 3, b: { c: 2 } });
    expect(doc.duplicateKeys).toEqual([
      { path: ['b', 'c'], pos: { line: 3, column: 14, offset: 23 } },
      { path: ['a'], pos: { line: 4, column: 3, offset: 33 } },
    ]);
  });
});

describe('parse errors', () => {
  const BROKEN = [
    '{a: 1,,}',
    '{a 1}',
    '[1 2]',
    '{a: 01}',
    '{a: tru}',
    '{"a": 1}}',
    '{\n  a: 1,\n  b: @\n}',
    '[1, 2, .]',
    '{a: 1.e}',
    '{a: 0x}',
    '{\n  a: "x",\n  b: "y"\n  c: 1\n}',
    "'\\1'",
    '{a: -}',
    '{1: 2}',
    '[\n  1,\n  /x\n]',
    '{a: "\\xZZ"}',
    '{a: +-1}',
    '{éé: 1, b: ^}',
    '{a: 1} x',
    '{\\u0030: 1}',
    '{a: nul}',
    '{a: Infinit}',
    "{a: '\\09'}",
    '{℮: 1}',
  ];

  it.each(BROKEN.map((t) => [t]))('reports the same line and column as the json5 package for %j', (text) => {
    let expected: { lineNumber: number; columnNumber: number } | undefined;
    try {
      JSON5.parse(text);
    } catch (err) {
      expected = err as typeof expected;
    }
    expect(expected).toBeDefined();
    const err = catchError(() => parseJson5(text));
    expect({ line: err.line, column: err.column }).toEqual({ line: expected!.lineNumber, column: expected!.columnNumber });
    expect(err.message).toContain(`at ${err.line}:${err.column}`);
  });

  it.each([
    ['{\n  a: 1,\n    }}', "unexpected character '}' after the end of the value at 3:6"],
    ['{\n  a: [1,\n    }', "unexpected character '}' at 3:5"],
    ['{\n  a: 1\n  b: 2\n}', "expected ',' or '}' after object member, found character 'b' at 3:3"],
    ['[1\n2]', "expected ',' or ']' after array element, found character '2' at 2:1"],
    ['{a 1}', "expected ':' after object key, found character '1' at 1:4"],
    ['{\n  name: "abc,\n}', 'unterminated string (a line break inside a string must be escaped) at 2:9'],
    ['{ a: "abc', 'unterminated string at 1:6'],
    ['{ a: 1 /* open', 'unterminated block comment at 1:8'],
    ['{ a: ', 'unexpected end of input at 1:6'],
    ['', 'unexpected end of input at 1:1'],
    ['{ a: 1', "expected ',' or '}' after object member, found end of input at 1:7"],
  ])('explains %j as %j', (text, message) => {
    const err = catchError(() => parseJson5(text));
    expect(err).toBeInstanceOf(Json5SyntaxError);
    expect(err.message).toBe(message);
  });

  it('refuses absurd nesting with a positioned error instead of overflowing the stack', () => {
    expect(parseJson5(`${'['.repeat(1000)}${']'.repeat(1000)}`).value).toBeInstanceOf(Array);
    expect(catchError(() => parseJson5('['.repeat(100_000))).message).toBe('nesting deeper than 1000 levels at 1:1001');
  });

  it('counts CRLF, CR and U+2028 as line breaks and columns in UTF-16 units', () => {
    expect(pos(catchError(() => parseJson5('{\r\n a: 1,\r b: 🪙}')))).toEqual([3, 5]);
    expect(pos(catchError(() => parseJson5('{\u2028a: "🪙", b: ?}')))).toEqual([2, 13]);
  });
});

describe('unsafe integers', () => {
  it('refuses an unquoted Discord id with the path and the quoted form to write instead', () => {
    const text = '{\n  channels: { discord: { guilds: [\n    123456789012345678,\n  ] } },\n}';
    const err = catchError(() => parseJson5(text));
    expect(err.message).toBe(
      'number 123456789012345678 at channels.discord.guilds[0] is too large to be represented exactly; write it as a string: "123456789012345678"',
    );
    expect(err.path).toEqual(['channels', 'discord', 'guilds', 0]);
    expect(pos(err)).toEqual([3, 5]);
  });

  it.each([
    ['{a: 9007199254740992}', 'a'],
    ['{a: -9007199254740993}', 'a'],
    ['{"x y": [0x20000000000000]}', '["x y"][0]'],
    ['{a: +123456789012345678}', 'a'],
    ['12345678901234567890', 'the top level'],
  ])('rejects %j', (text, where) => {
    expect(catchError(() => parseJson5(text)).message).toContain(` at ${where} is too large`);
  });

  it('accepts the largest safe integers and numbers written with a fraction or exponent', () => {
    expect(parseJson5('[9007199254740991, -0x1FFFFFFFFFFFFF, 1.5e300, 123456789012345678.0, 1e20]').value).toEqual([
      9007199254740991, -9007199254740991, 1.5e300, 1.2345678901234568e17, 1e20,
    ]);
  });

  it('formats paths with identifier keys dotted and other keys bracketed', () => {
    expect(formatPath(['agents', 'list', 0, 'id'])).toBe('agents.list[0].id');
    expect(formatPath(['channels', 'discord', 'guilds', '123456789012345678'])).toBe('channels.discord.guilds["123456789012345678"]');
    expect(formatPath(['a b', 'c"d', '$ok'])).toBe('["a b"]["c\\"d"].$ok');
    expect(formatPath([])).toBe('');
  });
});

describe('locate and locateKey', () => {
  const text = [
    '// header',
    '{',
    '  agents: {',
    '    list: [',
    '      { id: "home", default: true },',
    '      {',
    '        "id": \'work\',',
    '      },',
    '    ],',
    '  },',
    '  port: 0x1F90, port: 8080,',
    '}',
  ].join('\n');
  const doc = parseJson5(text);

  it.each([
    [['agents'], 3, 11, 3, 3, '{'],
    [['agents', 'list'], 4, 11, 4, 5, '['],
    [['agents', 'list', 0], 5, 7, 5, 7, '{ id'],
    [['agents', 'list', 0, 'default'], 5, 30, 5, 21, 'true'],
    [['agents', 'list', 1, 'id'], 7, 15, 7, 9, "'work'"],
    [['agents', 'list', '1'], 6, 7, 6, 7, '{'],
    [['port'], 11, 23, 11, 17, '8080'],
    [[], 2, 1, 2, 1, '{'],
  ] as const)('finds %j: value at %i:%i, key at %i:%i', (path, line, column, keyLine, keyColumn, token) => {
    const value = doc.locate([...path])!;
    expect(value).toMatchObject({ line, column, exact: true });
    expect(text.slice(value.offset).startsWith(token)).toBe(true);
    expect(doc.locateKey([...path])).toMatchObject({ line: keyLine, column: keyColumn, exact: true });
  });

  it('falls back to the deepest existing ancestor for a missing path', () => {
    expect(doc.locate(['agents', 'list', 1, 'workspace'])).toEqual({ line: 6, column: 7, offset: 79, exact: false });
    expect(doc.locateKey(['agents', 'nope', 'deeper'])).toMatchObject({ line: 3, column: 3, exact: false });
    expect(doc.locate(['port', 'x'])).toMatchObject({ line: 11, column: 23, exact: false });
  });
});

describe('stringifyJson5', () => {
  it('writes readable JSON5 for new files', () => {
    const text = stringifyJson5({
      agents: { list: [{ id: 'home', tools: { allow: ['read', 'exec'] } }] },
      'x-y': 'a"b\n',
      empty: [],
      none: {},
      long: Array.from({ length: 30 }, (_, i) => `item-${i}`),
      n: [NaN, -Infinity, -0],
    });
    expect(text).toBe(
      [
        '{',
        '  agents: {',
        '    list: [',
        '      {',
        '        id: "home",',
        '        tools: {',
        '          allow: ["read", "exec"],',
        '        },',
        '      },',
        '    ],',
        '  },',
        '  "x-y": "a\\"b\\n",',
        '  empty: [],',
        '  none: {},',
        '  long: [',
        ...Array.from({ length: 30 }, (_, i) => `    "item-${i}",`),
        '  ],',
        '  n: [NaN, -Infinity, -0],',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through the json5 package and our parser, including awkward strings and big numbers', () => {
    const value = { s: 'q"\'\\\u2028\u0000\ud800🪙', big: 2 ** 60, tiny: 5e-324, nested: [[{ '': null }]], date: new Date(0) };
    const text = stringifyJson5(value, 4);
    const expected = { ...value, date: '1970-01-01T00:00:00.000Z' };
    expect(JSON5.parse(text)).toEqual(expected);
    expect(parseJson5(text).value).toEqual(expected);
    expect(text).toContain('\n    s: ');
  });

  it('leaves out undefined members and writes undefined elements as null, like JSON', () => {
    expect(stringifyJson5({ a: undefined, b: [undefined, () => 1], c: 1 })).toBe('{\n  b: [null, null],\n  c: 1,\n}\n');
  });
});

describe('editJson5', () => {
  it('preserves a comment above an unchanged member while another member changes', () => {
    const text =
      '{\n  // the model every agent uses\n  model: "claude-sonnet",\n  /* dashboard */ port: 8080,\n  name: "old", // note\n}\n';
    const next = { model: 'claude-sonnet', port: 8080, name: 'new' };
    expect(editJson5(text, next)).toBe(text.replace('"old"', '"new"'));
  });

  const bindings = [
    '{',
    '  bindings: [',
    '    // main bot',
    '    { agentId: "main", match: { channel: "discord" } },',
    '    // coding bot',
    '    { agentId: "coding", match: { channel: "discord", accountId: "coding" } }, // the second one',
    '',
    '    // family group',
    '    { agentId: "family", match: { channel: "whatsapp" } },',
    '    { agentId: "work", match: { channel: "telegram" } },',
    '    /* last */ { agentId: "ops", match: { channel: "webchat" } },',
    '  ],',
    '}',
  ];
  const original = bindings.join('\n');
  const value = () => structuredClone(parseJson5(original).value) as { bindings: unknown[] };

  it("removes an array element together with the comment above it and keeps the neighbours' comments", () => {
    const next = value();
    next.bindings.splice(1, 1);
    expect(editJson5(original, next)).toBe(bindings.filter((_, i) => i !== 4 && i !== 5).join('\n'));
  });

  it('inserts a binding in the middle of an array in the style of its neighbours', () => {
    const next = value();
    next.bindings.splice(2, 0, { agentId: 'new', match: { channel: 'telegram', accountId: 'b' } });
    const lines = [...bindings];
    lines.splice(7, 0, '    { agentId: "new", match: { channel: "telegram", accountId: "b" } },');
    expect(editJson5(original, next)).toBe(lines.join('\n'));
  });

  it('adds a key to an empty object at the parent indent plus two', () => {
    const text = '{\n  // channels come later\n  channels: {},\n}\n';
    expect(editJson5(text, { channels: { telegram: { enabled: true } } })).toBe(
      '{\n  // channels come later\n  channels: {\n    telegram: {\n      enabled: true,\n    },\n  },\n}\n',
    );
  });

  it("appends a key to a populated object with the siblings' indentation, after their trailing comment", () => {
    const text = '{\n\tagents: {},\n\tport: 1 // fixed\n\t// end of settings\n}';
    expect(editJson5(text, { agents: {}, port: 1, session: { dmScope: 'main' } })).toBe(
      '{\n\tagents: {},\n\tport: 1, // fixed\n\tsession: {\n\t\tdmScope: "main"\n\t}\n\t// end of settings\n}',
    );
  });

  it('keeps a strict JSON file strict JSON when adding and removing members', () => {
    const text = '{\n  "a": 1,\n  "b": [1, 2],\n  "c": "x"\n}\n';
    const out = editJson5(text, { a: 1, b: [1, 2, 3], d: { 'new key': true } });
    expect(out).toBe('{\n  "a": 1,\n  "b": [1, 2, 3],\n  "d": {\n    "new key": true\n  }\n}\n');
    expect(JSON.parse(out)).toEqual({ a: 1, b: [1, 2, 3], d: { 'new key': true } });
  });

  it.each([
    ['{ a: 1, b: 2 }', { a: 1 }, '{ a: 1 }'],
    ['{ a: 1, b: 2 }', { b: 2 }, '{ b: 2 }'],
    ['{ a: 1, b: 2, }', { a: 1, b: 2, c: [3] }, '{ a: 1, b: 2, c: [3], }'],
    ['[1, 2, 3]', [1, 3], '[1, 3]'],
    ['[1, 2, 3]', [1, 2], '[1, 2]'],
    ['[1, 2, 3]', [0, 1, 2, 3, 4], '[0, 1, 2, 3, 4]'],
    ['{\n  a: 1,\n  b: 2\n}', { a: 1 }, '{\n  a: 1\n}'],
    ['{\n  // only\n  a: 1,\n}', {}, '{}'],
    ['{\n  a: 1,\n  // keep: not about a\n}', {}, '{\n  // keep: not about a\n}'],
    ['// head\n{ a: 1 } // tail\n', { a: 2 }, '// head\n{ a: 2 } // tail\n'],
    ['{\n  a: {\n    b: 1, // one\n  },\n}', { a: 'flat' }, '{\n  a: "flat",\n}'],
    ['{\n  a: 1,\n}', { a: { b: [1], c: {} } }, '{\n  a: {\n    b: [1],\n    c: {},\n  },\n}'],
    ["{'a': 'x', a: 'y'}", { a: 'z' }, "{'a': 'x', a: 'z'}"],
    ['{\r\n  a: 1,\r\n}\r\n', { a: 1, b: { c: 2 } }, '{\r\n  a: 1,\r\n  b: {\r\n    c: 2,\r\n  },\r\n}\r\n'],
    ['{\n  a: 1,\n\n  b: 2,\n}', { a: 1 }, '{\n  a: 1,\n}'],
    ['{\n  a: 1,\n\n  b: 2,\n}', { b: 2 }, '{\n  b: 2,\n}'],
    ['{\n  // section\n\n  a: 1,\n\n  b: 2,\n}', { b: 2 }, '{\n  // section\n\n  b: 2,\n}'],
    ['[\n  { id: "a", name: "A",\n    model: "m" },\n]', [{ id: 'a', name: 'A' }], '[\n  { id: "a", name: "A" },\n]'],
    ['{a: 1, b: 2, a: 3}', { b: 2 }, '{b: 2}'],
  ])('edits %j into %j as %j', (text, next, expected) => {
    const out = editJson5(text, next);
    expect(out).toBe(expected);
    expect(parseJson5(out).value).toEqual(next);
  });

  it('returns the text unchanged when the value is unchanged, treating undefined members as absent', () => {
    const text = '/* a */ { a: 0x10, b: .5, /* c */ c: [1,], } // d\n';
    expect(editJson5(text, { a: 16, b: 0.5, c: [1], d: undefined })).toBe(text);
  });

  it('writes a fresh file when the original is empty or not JSON5', () => {
    expect(editJson5('', { a: 1 })).toBe('{\n  a: 1,\n}\n');
    expect(editJson5('{ a: ', { a: [1] })).toBe('{\n  a: [1],\n}\n');
  });

  it.each(examples)('edits the example %s without touching unchanged members', (_name, text) => {
    const next = structuredClone(parseJson5(text).value) as Record<string, unknown>;
    next.session = { dmScope: 'main' };
    const out = editJson5(text, next);
    expect(parseJson5(out).value).toEqual(next);
    expect(out.startsWith(text.trimEnd().slice(0, -1).trimEnd())).toBe(true);
  });
});

describe('editJson5 on random documents', () => {
  it('always produces text that parses to the requested value and keeps unchanged members byte for byte', () => {
    const rnd = mulberry32(20240607);
    for (let iter = 0; iter < 200; iter++) {
      let value = randomValue(rnd, 4, true);
      let text = `// header c${iter}\n${messy(rnd, value, '')}\n/* footer */\n`;
      expect(parseJson5(text).value).toEqual(JSON5.parse(text));
      expect(parseJson5(text).value).toEqual(value);
      for (let step = 0; step < 3; step++) {
        const next = mutate(rnd, value);
        const out = editJson5(text, next);
        expect(parseJson5(out).value, `iteration ${iter}.${step}:\n${text}\n--- became ---\n${out}`).toEqual(next);
        for (const span of unchangedTopLevelSpans(text, value, next)) expect(out).toContain(span);
        expect(out.startsWith(`// header c${iter}\n`) && out.endsWith('/* footer */\n')).toBe(true);
        text = out;
        value = next;
      }
    }
  });
});

describe('large files', () => {
  it('parses a 1 MB commented config to the same value as the json5 package (speed is in npm run bench)', () => {
    const agent = (i: number) => ({
      id: `agent-${i}`,
      name: `Agent ${i}`,
      workspace: `~/.switchboard/ws-${i}`,
      tools: { allow: ['read', 'exec'] },
      limits: { dailyTokens: 1e5 + i },
    });
    const text = stringifyJson5({ agents: { list: Array.from({ length: 6000 }, (_, i) => agent(i)) } }).replace(
      /\n {4}\{/g,
      '\n    // agent\n    {',
    );
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(parseJson5(text).value).toEqual(JSON5.parse(text));
  });
});

function catchError(fn: () => unknown): Json5SyntaxError {
  try {
    fn();
  } catch (err) {
    if (err instanceof Json5SyntaxError) return err;
    throw err;
  }
  throw new Error('expected a Json5SyntaxError');
}

function pos(err: Json5SyntaxError): [number, number] {
  return [err.line, err.column];
}

type Rnd = () => number;

function mulberry32(seed: number): Rnd {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const KEYS = ['a', 'b', 'id', 'name', 'model', 'list', 'x y', '123456789012345678', 'ünï', '$k', '_', 'null', '', 'a"b', "it's"];
const STRINGS = [
  '',
  'plain',
  'with "double" and \'single\'',
  'line\nbreak\r\n',
  'tab\t',
  'emoji 🪙',
  '\u2028sep\u2029',
  'back\\slash',
  '\u0000nul',
  'lone \ud800',
  '/* no */ // no',
];
const NUMBERS = [0, -0, 1, -1, 42, 3.14, -2.5e-7, 1e300, 9007199254740991, 2 ** 60, NaN, Infinity, -Infinity, 31];

function randomValue(rnd: Rnd, depth: number, container = false): unknown {
  const k = rnd();
  if (!container && (depth <= 0 || k < 0.45)) {
    const p = rnd();
    return p < 0.35 ? pick(rnd, STRINGS) : p < 0.7 ? pick(rnd, NUMBERS) : p < 0.85 ? rnd() < 0.5 : null;
  }
  const size = Math.floor(rnd() * 5);
  if (k < 0.7 && !container) return Array.from({ length: size }, () => randomValue(rnd, depth - 1));
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) obj[pick(rnd, KEYS)] = randomValue(rnd, depth - 1);
  return obj;
}

/** Changes one to three random places: set, delete, insert, or replace a subtree. */
function mutate(rnd: Rnd, value: unknown): unknown {
  const root = structuredClone(value);
  const times = 1 + Math.floor(rnd() * 3);
  for (let t = 0; t < times; t++) {
    const containers: object[] = [];
    const collect = (v: unknown) => {
      if (typeof v !== 'object' || v === null) return;
      containers.push(v);
      Object.values(v).forEach(collect);
    };
    collect(root);
    const target = pick(rnd, containers) as Record<string, unknown> | unknown[];
    const op = rnd();
    if (Array.isArray(target)) {
      const i = Math.floor(rnd() * (target.length + 1));
      if (op < 0.4) target.splice(i, 0, randomValue(rnd, 2));
      else if (op < 0.7 && target.length > 0) target.splice(Math.min(i, target.length - 1), 1);
      else if (target.length > 0) target[Math.min(i, target.length - 1)] = randomValue(rnd, 2);
    } else {
      const keys = Object.keys(target);
      if (op < 0.4 || keys.length === 0) target[pick(rnd, KEYS)] = randomValue(rnd, 2);
      else if (op < 0.7) delete target[pick(rnd, keys)];
      else target[pick(rnd, keys)] = randomValue(rnd, 2);
    }
  }
  return root;
}

/** Random but valid JSON5 layout: inline or one member per line, comments, quoting, trailing commas. */
function messy(rnd: Rnd, v: unknown, indent: string): string {
  if (typeof v === 'string') return JSON5.stringify(v, { quote: rnd() < 0.5 ? '"' : "'" });
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return '-0';
    if (Number.isInteger(v) && Math.abs(v) < 1e6 && rnd() < 0.3)
      return `${v < 0 ? '-' : rnd() < 0.3 ? '+' : ''}0x${Math.abs(v).toString(16)}`;
    return Math.abs(v) > Number.MAX_SAFE_INTEGER && Number.isFinite(v) ? v.toExponential() : String(v);
  }
  if (typeof v !== 'object' || v === null) return String(v);
  const isArray = Array.isArray(v);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  const entries = Object.entries(v).map(([k, x]) => {
    const key = isArray
      ? ''
      : /^[A-Za-z_$][\w$]*$/.test(k) && rnd() < 0.6
        ? `${k}: `
        : `${JSON5.stringify(k, { quote: rnd() < 0.5 ? '"' : "'" })}: `;
    return { key, x };
  });
  const c = () => `c${Math.floor(rnd() * 1e9)}`;
  if (entries.length === 0) return rnd() < 0.2 ? `${open} /* ${c()} */ ${close}` : `${open}${close}`;
  const trailing = rnd() < 0.5 ? ',' : '';
  if (rnd() < 0.35) {
    return `${open} ${entries.map((e) => `${rnd() < 0.1 ? `/* ${c()} */ ` : ''}${e.key}${messy(rnd, e.x, indent)}`).join(', ')}${trailing} ${close}`;
  }
  const inner = `${indent}  `;
  let out = open + '\n';
  entries.forEach((e, i) => {
    if (rnd() < 0.1) out += '\n';
    if (rnd() < 0.3) out += `${inner}// ${c()}\n`;
    if (rnd() < 0.1) out += `${inner}/* ${c()}\n${inner}   more */\n`;
    out += `${inner}${e.key}${messy(rnd, e.x, inner)}${i < entries.length - 1 ? ',' : trailing}`;
    out += rnd() < 0.2 ? ` // ${c()}\n` : '\n';
  });
  if (rnd() < 0.15) out += `${inner}// ${c()} closing remark\n`;
  return `${out}${indent}${close}`;
}

/** Source text of every top-level member whose value is the same before and after. */
function unchangedTopLevelSpans(text: string, before: unknown, after: unknown): string[] {
  const root = parseTree(text).root;
  if (root.type !== 'object' || typeof after !== 'object' || after === null || Array.isArray(after)) return [];
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return root.items
    .filter(
      (it) => Object.prototype.hasOwnProperty.call(a, it.key!) && b[it.key!] !== undefined && isDeepStrictEqual(a[it.key!], b[it.key!]),
    )
    .map((it) => text.slice(it.value.start, it.value.end));
}
