import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMarker } from '../../standards/markers.js';
import { decodeRequirementsBytes, logicalLines, shellSplit, splitArgsAndOptions } from './lines.js';
import { parseOptionWords } from './options.js';
import {
  eggFragment,
  parseRequirementsText,
  wheelNameAndVersion,
  type RequirementEntry,
} from './parse.js';

const requirements = (text: string): RequirementEntry[] =>
  parseRequirementsText(text).entries.filter(
    (e): e is RequirementEntry => e.kind === 'requirement',
  );

describe('logical lines (pip preprocessing)', () => {
  it('joins continuations, strips comments, keeps the first line number', () => {
    expect(
      logicalLines(
        'a==1 \\\n  --hash=sha256:x\n# full comment\n\nb==2  # trailing\nc==3 #no-space\n',
      ),
    ).toEqual([
      { line: 1, text: 'a==1   --hash=sha256:x' },
      { line: 5, text: 'b==2' },
      { line: 6, text: 'c==3' },
    ]);
  });

  it('keeps "#" that is not preceded by whitespace (URL fragments)', () => {
    expect(logicalLines('https://e.org/p.zip#egg=p\n')).toEqual([
      { line: 1, text: 'https://e.org/p.zip#egg=p' },
    ]);
  });

  it('a comment line ends a continuation and is not itself continued', () => {
    expect(logicalLines('a==1 \\\n# note \\\nb==2\n')).toEqual([
      { line: 1, text: 'a==1' },
      { line: 3, text: 'b==2' },
    ]);
  });

  it('a continuation on the last line is kept', () => {
    expect(logicalLines('a==1 \\')).toEqual([{ line: 1, text: 'a==1' }]);
  });

  it('expands ${VAR} (upper case, digits, _) and leaves unset or other forms alone', () => {
    expect(logicalLines('x==${V1}\ny==$V1\nz==${lower}\nw==${UNSET}\n', { V1: '2.0' })).toEqual([
      { line: 1, text: 'x==2.0' },
      { line: 2, text: 'y==$V1' },
      { line: 3, text: 'z==${lower}' },
      { line: 4, text: 'w==${UNSET}' },
    ]);
  });

  it('splits CRLF, CR and the other Python line boundaries', () => {
    expect(logicalLines('a==1\r\nb==2\rc==3\u2028d==4').map((l) => [l.line, l.text])).toEqual([
      [1, 'a==1'],
      [2, 'b==2'],
      [3, 'c==3'],
      [4, 'd==4'],
    ]);
  });
});

describe('decoding', () => {
  it('honours UTF-8 and UTF-16 byte-order marks', () => {
    expect(decodeRequirementsBytes(Buffer.from('\ufeffsix==1', 'utf8'))).toBe('six==1');
    expect(
      decodeRequirementsBytes(
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('six==1', 'utf16le')]),
      ),
    ).toBe('six==1');
    const be = Buffer.from('six==1', 'utf16le').swap16();
    expect(decodeRequirementsBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe('six==1');
  });

  it('honours a PEP 263 coding comment', () => {
    expect(decodeRequirementsBytes(Buffer.from('# coding: latin-1\n# caf\xe9\n', 'latin1'))).toBe(
      '# coding: latin-1\n# café\n',
    );
  });

  it('rejects bytes that are not valid UTF-8', () => {
    expect(() => decodeRequirementsBytes(Buffer.from([0x73, 0xff, 0x0a]))).toThrow(
      'the file is not valid UTF-8',
    );
  });
});

describe('options', () => {
  it('splits the requirement from its options at the first word starting with -', () => {
    expect(splitArgsAndOptions('foo==1 --hash=sha256:a --hash sha256:b')).toEqual({
      args: 'foo==1',
      options: '--hash=sha256:a --hash sha256:b',
    });
  });

  it('parses long, long=value, short and attached short forms, and unique prefixes', () => {
    expect(
      parseOptionWords(['--index-url=u1', '-i', 'u2', '-rreq.txt', '--extra-index', 'u3', '--pre']),
    ).toEqual({
      options: [
        { dest: 'index_url', flag: '--index-url', value: 'u1' },
        { dest: 'index_url', flag: '-i', value: 'u2' },
        { dest: 'requirements', flag: '-r', value: 'req.txt' },
        { dest: 'extra_index_urls', flag: '--extra-index-url', value: 'u3' },
        { dest: 'pre', flag: '--pre', value: true },
      ],
      leftover: [],
    });
  });

  it('rejects unknown options and missing values', () => {
    expect(() => parseOptionWords(['--frobnicate'])).toThrow('no such option: --frobnicate');
    expect(() => parseOptionWords(['--index-url'])).toThrow(
      '--index-url option requires 1 argument',
    );
    expect(() => parseOptionWords(['--pre=yes'])).toThrow('--pre option does not take a value');
  });

  it('splits option words like a POSIX shell', () => {
    expect(shellSplit(`--global-option="--no-user-cfg" -c 'a b.txt' x\\ y`)).toEqual([
      '--global-option=--no-user-cfg',
      '-c',
      'a b.txt',
      'x y',
    ]);
    expect(() => shellSplit('"open')).toThrow('No closing quotation');
  });
});

describe('requirements files', () => {
  it('records global options', () => {
    const parsed = parseRequirementsText(
      '--index-url https://a/simple\n--extra-index-url https://b/simple\n-f ./wheels\n--no-index\n--pre\n--trusted-host a\n--no-binary :all:\n--only-binary numpy\n--prefer-binary\n--require-hashes\n--use-feature truststore\n',
    );
    expect(parsed.options).toEqual({
      indexUrl: 'https://a/simple',
      extraIndexUrls: ['https://b/simple'],
      noIndex: true,
      findLinks: ['./wheels'],
      noBinary: [':all:'],
      onlyBinary: ['numpy'],
      preferBinary: true,
      requireHashes: true,
      pre: true,
      trustedHosts: ['a'],
      useFeatures: ['truststore'],
    });
    expect(parsed.problems).toEqual([]);
  });

  it('records includes with their line', () => {
    expect(
      parseRequirementsText('-r a.txt\n--requirement=b.txt\n-c c.txt\n--constraint d.txt\n')
        .entries,
    ).toEqual([
      { kind: 'include', line: 1, type: 'requirements', target: 'a.txt' },
      { kind: 'include', line: 2, type: 'requirements', target: 'b.txt' },
      { kind: 'include', line: 3, type: 'constraints', target: 'c.txt' },
      { kind: 'include', line: 4, type: 'constraints', target: 'd.txt' },
    ]);
  });

  it('parses named requirements with extras, markers and hashes', () => {
    const [entry] = requirements(
      'Requests[socks,security] >= 2.8.1, == 2.8.* ; python_version < "2.7" --hash=SHA256:ab\n',
    );
    expect(entry!.requirement!.name).toBe('Requests');
    expect(entry!.requirement!.extras).toEqual(['socks', 'security']);
    expect(entry!.requirement!.specifier).toBe('>= 2.8.1,== 2.8.*');
    expect(formatMarker(entry!.marker!)).toBe('python_version < "2.7"');
    expect(entry!.hashes).toEqual(['sha256:ab']);
    expect(entry!.link).toBeNull();
  });

  it('reads URLs, paths, archives, wheels and editables as pip does', () => {
    const entries = requirements(
      [
        'https://example.org/pkg-1.0.tar.gz#egg=pkg',
        'name @ https://example.org/name-2.0.tar.gz ; sys_platform == "linux"',
        './local/project',
        '../archive/thing-3.1.zip',
        './wheels/Foo_Bar-1.2.3-py3-none-any.whl',
        'https://host/simple/numpy-1.9.2-cp34-none-win32.whl; python_version < "3.5"',
        '-e ./src/app',
        '--editable git+https://github.com/org/repo.git@main#egg=repo[extra]',
        '-e .[dev]',
      ].join('\n'),
    );
    expect(
      entries.map((e) => [
        e.requirement?.name ?? null,
        e.requirement?.specifier ?? null,
        e.link,
        e.editable,
      ]),
    ).toEqual([
      ['pkg', '', 'https://example.org/pkg-1.0.tar.gz#egg=pkg', false],
      ['name', '', 'https://example.org/name-2.0.tar.gz', false],
      [null, null, './local/project', false],
      [null, null, '../archive/thing-3.1.zip', false],
      ['Foo-Bar', '==1.2.3', './wheels/Foo_Bar-1.2.3-py3-none-any.whl', false],
      ['numpy', '==1.9.2', 'https://host/simple/numpy-1.9.2-cp34-none-win32.whl', false],
      [null, null, './src/app', true],
      ['repo', '', 'git+https://github.com/org/repo.git@main#egg=repo[extra]', true],
      [null, null, '.', true],
    ]);
    expect(formatMarker(entries[5]!.marker!)).toBe('python_version < "3.5"');
  });

  it('reports each bad line with its number and keeps going', () => {
    const parsed = parseRequirementsText(
      'good==1\nthis is not a requirement!!\n--no-such-option\nfoo==1 --hash=md5:abc\nbar=1.0\n-e https://example.org/x.zip\nbaz==1 --pre\n--hash=sha256:aa\n',
    );
    expect(parsed.problems).toEqual([
      {
        line: 2,
        severity: 'error',
        message:
          "invalid requirement 'this is not a requirement!!': Expected semicolon (after name with no version specifier) or end",
      },
      { line: 3, severity: 'error', message: 'no such option: --no-such-option' },
      {
        line: 4,
        severity: 'error',
        message: "unknown hash name 'md5' (pip accepts sha256, sha384, sha512)",
      },
      {
        line: 5,
        severity: 'error',
        message:
          "invalid requirement 'bar=1.0': Expected semicolon (after name with no version specifier) or end (= is not a valid operator; did you mean ==?)",
      },
      {
        line: 6,
        severity: 'error',
        message:
          '-e https://example.org/x.zip is not a valid editable requirement: use a path to a local project or a VCS URL such as git+https://…',
      },
      {
        line: 7,
        severity: 'error',
        message: 'option --pre cannot follow a requirement on the same line',
      },
      {
        line: 8,
        severity: 'error',
        message: 'option --hash must follow a requirement on the same line',
      },
    ]);
    expect(requirements('good==1\n').map((e) => e.requirement!.name)).toEqual(['good']);
  });

  it('warns about text pip ignores after options', () => {
    expect(parseRequirementsText('--index-url https://a/simple SomePackage\n').problems).toEqual([
      {
        line: 1,
        severity: 'warning',
        message: 'ignored text after the options (pip ignores it too): SomePackage',
      },
    ]);
  });
});

describe('link helpers', () => {
  it('reads the project name of #egg=', () => {
    expect(eggFragment('git+https://h/r.git#egg=Name_1&subdirectory=x')).toBe('Name_1');
    expect(eggFragment('git+https://h/r.git#subdirectory=x&egg=a.b[x]>=1')).toBe('a.b');
    expect(eggFragment('https://h/r.zip')).toBeNull();
  });

  it('reads wheel file names (PEP 427), build tags included', () => {
    expect(wheelNameAndVersion('x/Foo_Bar-1.0.post1-1abc-py3-none-any.whl#sha256=00')).toEqual({
      name: 'Foo-Bar',
      version: '1.0.post1',
    });
    expect(wheelNameAndVersion('pkg-1.0.tar.gz')).toBeNull();
  });
});

describe('requirements parser properties', () => {
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,6}(?:[._-][A-Za-z0-9]{1,4})?$/);
  const version = fc.tuple(fc.nat(40), fc.nat(40), fc.nat(9)).map((p) => p.join('.'));
  const comment = fc.constantFrom('', '  # pinned', ' #x');

  it('every pinned line comes back with its name, version and line number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, version, comment), { minLength: 1, maxLength: 20 }),
        (lines) => {
          const text = lines.map(([n, v, c]) => `${n}==${v}${c}`).join('\n');
          const entries = requirements(text);
          expect(
            entries.map((e) => [e.line, e.requirement!.name, e.requirement!.specifier]),
          ).toEqual(lines.map(([n, v], i) => [i + 1, n, `==${v}`]));
        },
      ),
    );
  });

  it('line continuations never change what is parsed', () => {
    fc.assert(
      fc.property(name, version, fc.integer({ min: 1, max: 4 }), (n, v, breaks) => {
        const hash = '--hash=sha256:' + 'a'.repeat(64);
        const continued = `${n}==${v} ${Array(breaks).fill('\\\n   ').join('')}${hash}\n`;
        const [entry] = requirements(continued);
        expect([entry!.line, entry!.requirement!.name, entry!.hashes]).toEqual([
          1,
          n,
          [`sha256:${'a'.repeat(64)}`],
        ]);
      }),
    );
  });

  it('never throws on arbitrary text: problems are reported instead', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const parsed = parseRequirementsText(text);
        for (const p of parsed.problems) expect(p.line).toBeGreaterThan(0);
      }),
    );
  });
});
