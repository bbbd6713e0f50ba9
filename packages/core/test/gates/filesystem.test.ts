import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filesystem, type FilesystemOptions } from '../../src/gates/filesystem/index.js';
import type { Gate, GateOutcome } from '../../src/types.js';

const signal = new AbortController().signal;

function run(gate: Gate, output: unknown): GateOutcome {
  return gate.run({ agent_id: 'agent', output }, signal) as GateOutcome;
}

/** The families a gate reports for `output`, [] when it passes. */
function familiesOf(output: unknown, options?: FilesystemOptions): string[] {
  const outcome = run(filesystem(options), output);
  if (outcome.passed) return [];
  return (outcome.details as { families: string[] }).families;
}

function assertFamily(family: string, samples: readonly string[], options?: FilesystemOptions): void {
  for (const sample of samples) assert.deepEqual(familiesOf(sample, options), [family], JSON.stringify(sample));
}

function assertPasses(samples: readonly string[], options?: FilesystemOptions): void {
  for (const sample of samples) assert.deepEqual(familiesOf(sample, options), [], JSON.stringify(sample));
}

describe('filesystem gate: recursiveDelete', () => {
  it('catches rm with recursive and force in any flag spelling and order', () => {
    assertFamily('recursiveDelete', [
      'rm -rf /',
      'rm -fr build',
      'rm -Rf build',
      'rm -fR build',
      'rm -r -f build',
      'rm -f -r build',
      'rm -R -f build',
      'rm -rfv build',
      'rm -vrf build',
      'rm -rfi build',
      'rm --recursive --force build',
      'rm --force --recursive build',
      'rm --force -r build',
      'rm -r --force build',
      'rm --rec --forc build',
      'rm -rf -- build',
      'rm build -rf',
      'rm -r build -f',
      'rm\t-rf\tbuild',
      'rm  -r   -f  build',
      'rm\u00a0-rf build',
    ]);
  });

  it('catches rm behind prefixes, paths, escapes and shell operators', () => {
    assertFamily('recursiveDelete', [
      'sudo rm -rf /srv/app',
      '/bin/rm -rf build',
      '/opt/tools/rm -rf build',
      '\\rm -rf build',
      'find . -name tmp | xargs rm -rf',
      'ls; rm -rf build',
      'make && rm -rf build',
      'false || rm -rf build',
      'echo $(rm -rf build)',
      'echo `rm -rf build`',
      'cd /tmp\nrm -rf build',
      'cd /tmp\r\nrm -rf build',
      'run "rm -rf build" now',
      "run 'rm -rf build' now",
      '$ rm -rf ~/',
      'Never run rm -rf / on a server.',
      '**rm -rf /**',
      'rm -rf build.',
      'os.system("rm -rf " + path)',
      'subprocess.run(["rm", "-rf", path])',
      "subprocess.run(['rm', '-r', '-f', path])",
      'rm -r \\\n  -f build',
    ]);
    // docs/sdk.md lists /usr itself as sensitive, so the full path of rm counts twice.
    assert.deepEqual(familiesOf('/usr/bin/rm -rf build'), ['recursiveDelete', 'sensitivePaths']);
  });

  it('reads commands inside JSON text, escaped JSON and tool-call arguments', () => {
    assertFamily('recursiveDelete', [
      '{"command":"rm -rf /tmp/x"}',
      '{"command":"cd /tmp\\nrm -rf x"}',
      '{\\"argv\\":[\\"rm\\",\\"-rf\\",\\"x\\"]}',
      '{"cmd":"ls","then":"rm -fr x"}',
    ]);
    const toolCall = { tool: 'shell', arguments: '{"command": "rm -rf node_modules"}' };
    assert.deepEqual(familiesOf(toolCall), ['recursiveDelete']);
  });

  it('reads an argv split across strings of the output as one command', () => {
    assert.deepEqual(familiesOf(['rm', '-rf', '/']), ['recursiveDelete']);
    assert.deepEqual(familiesOf({ command: 'rm', args: ['-r', '-f', 'build'] }), ['recursiveDelete']);
    assert.deepEqual(familiesOf({ cmd: ['sudo', 'rm', '--force', '--recursive', 'build'] }), ['recursiveDelete']);
    // A terminator inside one string ends the command: the next string starts fresh.
    assert.deepEqual(familiesOf(['rm build;', '-rf']), []);
    // Each evaluation starts with a clean state.
    const gate = filesystem();
    assert.equal(run(gate, ['x', 'rm']).passed, true);
    assert.equal(run(gate, ['-rf']).passed, true);
  });

  it('catches PowerShell, cmd.exe and find spellings', () => {
    assertFamily('recursiveDelete', [
      'Remove-Item -Recurse -Force C:\\build',
      'Remove-Item C:\\build -Force -Recurse',
      'remove-item build -r -fo',
      'REMOVE-ITEM -Path build -Recurse -Force',
      'rm -Recurse -Force build',
      'rmdir -Recurse -Force build',
      'del -r -fo build',
      'rmdir /s /q C:\\build',
      'RMDIR /S /Q build',
      'rd /s/q build',
      'del /f /s /q build',
      'erase /q /s build',
      'find . -name "*.tmp" -delete',
      'find /srv/log -type f -mtime +30 -delete',
      'find . \\( -name a -o -name b \\) -delete',
      'find / -type d -name cache -exec rm -rf {} +',
      'sudo find . -exec rm -r -f {} \\;',
    ]);
  });

  it('does not count rm without both recursive and force, or with the options ended', () => {
    assertPasses([
      'rm -r build',
      'rm -R build',
      'rm -f file.txt',
      'rm --recursive build',
      'rm -ri build',
      'rm -- -rf',
      'rm -RF build',
      'rm -rd build',
      'rm -i -v file',
      'Remove-Item -Force file.txt',
      'Remove-Item -LiteralPath build -Force',
      'Remove-Item -Recurse build',
      'rmdir /s build',
      'del /q file.txt',
      'del /s *.bak',
      'find . -name "*.tmp" -print',
      'shred -u secrets.txt',
    ]);
  });

  it('raises no false alarm on rm or command words inside other words or prose', () => {
    assertPasses([
      'perform -rf',
      'form -rf',
      'firm',
      'warm -rf',
      'charm -r -f',
      'arm -rf',
      'the farm -rf',
      'information',
      'rm-rf build',
      'x-rm -rf',
      'file.rm -rf',
      '$rm -rf',
      'rmx -rf',
      'rm: cannot remove build: Is a directory -f',
      'Use `rm` with `-r` and `-f` carefully',
      'The rm command removes files; pass -r for directories and -f to skip prompts.',
      'rm removes files. With -r it recurses and -f forces.',
      'To find the information you need, perform a search in the order form -rf.',
      'Please delete the old records -rf',
      'I will find it. Then -delete it',
      'recorded /s /q',
      'Don\u2019t forget the 3rd /s /q',
    ]);
  });

  it('gives up on an argument list longer than a real command', () => {
    const filler = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    assertPasses([`rm ${filler} -rf`]);
    assertFamily('recursiveDelete', [`rm ${filler.split(' ').slice(0, 10).join(' ')} -rf`]);
  });

  it('can be switched off', () => {
    assertPasses(['rm -rf build', 'find . -delete'], { recursiveDelete: false });
  });
});

describe('filesystem gate: pathTraversal', () => {
  it('catches .. as a path component with any separator', () => {
    assertFamily('pathTraversal', [
      '../secret',
      '../../../../etc',
      'read ../../secret',
      '..\\windows\\system32',
      '..\\node_modules',
      'a/../b',
      'a\\..\\b',
      'uploads/..',
      'C:\\app\\..',
      '"uploads/.."',
      'see (../x)',
      'file=../../x',
      'import x from "../utils"',
      '/..',
      '{"path":"../../x"}',
      '{\\"path\\":\\"..\\\\x\\"}',
      'cd /srv\\n../bin/run',
    ]);
  });

  it('catches a lone .. as a whole value, quoted, an option value or after cd', () => {
    const lone = ['..', '  ..  ', '".."', "'..'", '`..`', 'cd ..', 'x; cd ..', 'cd   ..', 'build --dir=..'];
    assertFamily('pathTraversal', lone);
    assert.deepEqual(familiesOf({ path: '..' }), ['pathTraversal']);
    assert.deepEqual(familiesOf(['..']), ['pathTraversal']);
  });

  it('catches URL-encoded traversal', () => {
    assertFamily('pathTraversal', [
      '%2e%2e%2fsecret',
      '%2E%2E%2Fsecret',
      'GET /download?file=..%2f..%2fsecret',
      '%2e%2e/secret',
      '..%5csecret',
      '/a/%2e%2e',
      '%252e%252e%252fsecret',
    ]);
  });

  it('raises no false alarm on dots in prose, ranges, spreads and versions', () => {
    assertPasses([
      'etc.',
      'Loading...',
      'Loading..',
      'wait..',
      'wait.. what',
      'so .. anyway',
      '1..10',
      'for i in {1..10}',
      'main..feature',
      'main...feature',
      'git log ..origin/main',
      '...',
      '....',
      '...args',
      'f(...args)',
      '1.2..3',
      '.../x',
      'a/...',
      'x/..y',
      'wait../',
      'Loading..\\nDone',
      '..a',
      'a..',
      '100% done',
      'a %2e b',
      'cd..',
      './src/index.ts',
    ]);
  });

  it('can be switched off', () => {
    assertPasses(['../secret', '..', '%2e%2e%2f'], { pathTraversal: false });
  });
});

describe('filesystem gate: sensitivePaths', () => {
  it('catches /etc, /usr and /var at the start of a path', () => {
    assertFamily('sensitivePaths', [
      '/etc',
      '/etc/passwd',
      'cat /etc/shadow',
      'look in /etc.',
      'less /etc',
      '/usr/local/bin',
      '/var/log/syslog',
      '/var/',
      'PATH=/usr/bin:/bin',
      '/usr:',
      '"/etc/hosts"',
      "'/etc/hosts'",
      '(/var/x)',
      '[link](/etc/passwd)',
      'file:///etc/passwd',
      'FILE:///etc/passwd',
      'cd /tmp\\n/etc/x',
      '--config=/etc/app.conf',
      'user@host:/var/www',
      '/etc*',
    ]);
  });

  it('catches dot-directories under every home-directory spelling', () => {
    assertFamily('sensitivePaths', [
      '~/.ssh',
      '~/.ssh/id_rsa',
      'cat ~/.aws/credentials',
      '~/.gnupg',
      '~alice/.ssh',
      '/home/alice/.ssh',
      '/home/bob/.aws/credentials',
      '/home/<user>/.gnupg/',
      '$HOME/.ssh',
      '${HOME}/.aws',
      '"$HOME/.ssh/id_ed25519"',
      '/root/.ssh',
      '/home/root/.ssh',
      '/Users/alice/.ssh/config',
      'C:\\Users\\bob\\.ssh\\id_rsa',
      'C:/Users/bob/.aws',
      '%USERPROFILE%\\.aws\\credentials',
      'keys in ~/.ssh.',
    ]);
  });

  it('raises no false alarm on prose, other names, URLs, relative paths and shebangs', () => {
    assertPasses([
      'etc.',
      'apples, pears, etc.',
      'apples/pears/etc',
      '/etcetera',
      '/etc_old',
      '/etc.bak',
      '/var-lib',
      '/variable',
      '/usrx',
      '/ETC/passwd',
      '/home/alice',
      '/home/alice/projects',
      '/home/alice/projects/.ssh',
      'https://example.com/etc/x',
      'http://localhost:8080/var/x',
      'https://example.com//etc',
      'foo/etc/x',
      '${PREFIX}/etc/app',
      '$(pwd)/var',
      '**/etc/**',
      '#!/usr/bin/env node',
      '#! /usr/bin/env python3',
      '"#!/usr/bin/env bash\\necho hi"',
      'and/or',
      's/etc/foo/',
      'your .ssh folder',
      './.ssh/config',
      '.ssh/config',
      '~/.sshx',
      '~/.ssh-backup',
      'x~/.ssh',
      '/homer/a/.ssh',
      `/home/${'u'.repeat(100)}/.ssh`,
    ]);
  });

  it('can be switched off', () => {
    assertPasses(['/etc/passwd', '~/.ssh'], { sensitivePaths: false });
  });

  it('adds extra absolute and home-relative paths as whole components', () => {
    const options = { extraSensitivePaths: ['/opt/secrets/', '~/.kube', '/proc'] };
    assertFamily(
      'sensitivePaths',
      ['/opt/secrets', '/opt/secrets/db.key', 'cat /proc/self/environ', '~/.kube/config', '/home/al/.kube'],
      options,
    );
    assertPasses(['/opt/secretsx', '/opt', 'x/opt/secrets', '/processes', '~/.kubex', 'https://h.io/proc'], options);
    // Defaults still apply next to the extras.
    assertFamily('sensitivePaths', ['/etc/passwd'], options);
  });

  it('prefers the longest of overlapping extra prefixes', () => {
    const options = { extraSensitivePaths: ['/opt/sec', '/opt/secrets'] };
    assertFamily('sensitivePaths', ['/opt/secrets/a', '/opt/sec/a'], options);
    assertPasses(['/opt/secretsx'], options);
  });
});

describe('filesystem gate: outcome', () => {
  it('has the default name and accepts an override', () => {
    assert.equal(filesystem().name, 'filesystem');
    assert.equal(filesystem({ name: 'fs-guard' }).name, 'fs-guard');
  });

  it('passes clean output with nothing but { passed: true }', () => {
    assert.deepEqual(run(filesystem(), 'All good: the report is in ./out/report.md.'), { passed: true });
  });

  it('names each family in the reason and lists several in order', () => {
    assert.deepEqual(run(filesystem(), 'rm -rf build'), {
      passed: false,
      reason: 'destructive recursive delete in output',
      details: { families: ['recursiveDelete'] },
    });
    assert.equal(run(filesystem(), '../x').reason, 'path traversal (..) in output');
    assert.equal(run(filesystem(), '/etc/passwd').reason, 'sensitive path in output');
    assert.deepEqual(run(filesystem(), '/etc/passwd then ../x'), {
      passed: false,
      reason: 'path traversal (..) and sensitive path in output',
      details: { families: ['pathTraversal', 'sensitivePaths'] },
    });
    assert.deepEqual(run(filesystem(), 'sudo rm -rf ../build /etc/app'), {
      passed: false,
      reason: 'destructive recursive delete, path traversal (..) and sensitive path in output',
      details: { families: ['recursiveDelete', 'pathTraversal', 'sensitivePaths'] },
    });
  });

  it('never quotes the payload in the reason or the details', () => {
    const payloads = ['rm -rf /srv/secret-project', '../../secret-project', '/home/secret-user/.ssh/id_rsa'];
    for (const payload of payloads) {
      const outcome = run(filesystem(), payload);
      assert.equal(outcome.passed, false);
      const shown = JSON.stringify(outcome);
      assert.ok(!shown.includes('secret'), shown);
      assert.ok(!shown.includes('/srv') && !shown.includes('id_rsa') && !shown.includes('rm -rf'), shown);
    }
  });

  it('reports only enabled families', () => {
    const all = 'rm -rf ../build /etc/app';
    assert.deepEqual(familiesOf(all), ['recursiveDelete', 'pathTraversal', 'sensitivePaths']);
    assert.deepEqual(familiesOf(all, { recursiveDelete: false }), ['pathTraversal', 'sensitivePaths']);
    assert.deepEqual(familiesOf(all, { pathTraversal: false }), ['recursiveDelete', 'sensitivePaths']);
    assert.deepEqual(familiesOf(all, { sensitivePaths: false }), ['recursiveDelete', 'pathTraversal']);
    // ../../etc climbs to /etc only from a top-level directory; it is traversal, not an absolute sensitive path.
    assert.deepEqual(familiesOf('../../etc/passwd', { pathTraversal: false }), []);
    assert.deepEqual(familiesOf('rm -rf /etc', { recursiveDelete: false, pathTraversal: false }), ['sensitivePaths']);
  });

  it('walks nested values and object keys, skipping non-string leaves', () => {
    assert.deepEqual(familiesOf({ a: [{ b: { c: ['ok', '/etc/passwd'] } }] }), ['sensitivePaths']);
    assert.deepEqual(familiesOf({ '../escape': 'value' }), ['pathTraversal']);
    assert.deepEqual(familiesOf(new Map([['k', { deep: ['rm -rf x'] }]])), ['recursiveDelete']);
    assert.deepEqual(familiesOf({ x: new Set(['~/.aws/credentials']) }), ['sensitivePaths']);
    for (const value of [42, true, null, undefined, 10n, [1, 2, 3], { n: 0, b: false }, new Date(0), /rm -rf \//]) {
      assert.deepEqual(run(filesystem(), value), { passed: true }, String(value));
    }
  });

  it('handles empty, whitespace and tiny values', () => {
    for (const value of ['', ' ', '.', '..a', '/', '~', 'rm', '-', [], {}, ['', '']]) {
      assert.equal(run(filesystem(), value).passed, true, JSON.stringify(value));
    }
  });

  it('survives cyclic output', () => {
    const cyclic: Record<string, unknown> = { text: 'fine' };
    cyclic.self = cyclic;
    assert.deepEqual(run(filesystem(), cyclic), { passed: true });
    cyclic.bad = '../x';
    assert.deepEqual(familiesOf(cyclic), ['pathTraversal']);
  });

  it('is synchronous and reusable across evaluations', () => {
    const gate = filesystem();
    assert.equal(run(gate, 'rm -rf x').passed, false);
    assert.equal(run(gate, 'fine').passed, true);
    assert.equal(run(gate, 'rm -rf x').passed, false);
    assert.ok(!(gate.run({ agent_id: 'a', output: 'x' }, signal) instanceof Promise));
  });
});

describe('filesystem gate: options', () => {
  it('rejects bad options at construction', () => {
    assert.throws(() => filesystem('strict' as never), /options must be an object/);
    assert.throws(() => filesystem(null as never), /options must be an object/);
    assert.throws(() => filesystem([] as never), /options must be an object/);
    assert.throws(() => filesystem({ name: '' }), /gate name/);
    assert.throws(() => filesystem({ name: 7 } as never), /gate name/);
    for (const key of ['recursiveDelete', 'pathTraversal', 'sensitivePaths']) {
      assert.throws(() => filesystem({ [key]: 'yes' } as never), new RegExp(`${key} must be a boolean`));
      assert.throws(() => filesystem({ [key]: 1 } as never), TypeError);
    }
    assert.throws(() => filesystem({ recursiveDeletes: false } as never), /unknown option "recursiveDeletes"/);
    assert.throws(
      () => filesystem({ recursiveDelete: false, pathTraversal: false, sensitivePaths: false }),
      /at least one check/,
    );
  });

  it('validates extraSensitivePaths', () => {
    const bad: unknown[] = [
      '/opt/secrets',
      [42],
      [''],
      ['/'],
      ['//'],
      ['~'],
      ['~/'],
      ['relative/path'],
      ['./x'],
      ['~alice/.ssh'],
      ['/opt/../etc'],
      ['/opt/./x'],
      ['/opt//x'],
      ['/opt/ x'],
      ['/opt/x\n'],
      ['C:\\secrets'],
      [`/${'a'.repeat(300)}`],
      Array.from({ length: 65 }, (_, i) => `/p${i}`),
    ];
    for (const extraSensitivePaths of bad) {
      assert.throws(() => filesystem({ extraSensitivePaths } as never), TypeError, JSON.stringify(extraSensitivePaths));
    }
    assert.throws(
      () => filesystem({ sensitivePaths: false, extraSensitivePaths: ['/opt/secrets'] }),
      /needs sensitivePaths/,
    );
    assert.doesNotThrow(() => filesystem({ extraSensitivePaths: [] }));
    assert.doesNotThrow(() => filesystem({ extraSensitivePaths: ['/opt/my secrets', '~/.config/gcloud'] }));
    assertFamily('sensitivePaths', ['~/.config/gcloud/credentials.db'], { extraSensitivePaths: ['~/.config/gcloud'] });
    assertPasses(['~/.config/other'], { extraSensitivePaths: ['~/.config/gcloud'] });
  });
});

describe('filesystem gate: adversarial input', () => {
  const MB = 1_000_000;
  it('terminates on 1 MB strings that defeat no detector', () => {
    const inputs = [
      '.'.repeat(MB),
      '-'.repeat(MB),
      '/'.repeat(MB),
      ' '.repeat(MB),
      '%'.repeat(MB),
      'a'.repeat(MB),
      'rm '.repeat(300_000),
      'rm -'.repeat(250_000),
      'rm -r '.repeat(160_000),
      'rd /s '.repeat(160_000),
      'find '.repeat(200_000),
      'rm'.repeat(500_000),
      '-rm'.repeat(330_000),
      ' ..'.repeat(330_000),
      ' '.repeat(500_000) + ' ..'.repeat(160_000),
      'x/..y'.repeat(200_000),
      'cd ..x'.repeat(160_000),
      '/etcx'.repeat(200_000),
      '#!/usr'.repeat(160_000),
      'a/.ssh'.repeat(160_000),
      ('/home/' + 'u'.repeat(100) + '/.ssh').repeat(9_000),
      '%2e'.repeat(330_000),
      '\\n'.repeat(500_000),
    ];
    const gate = filesystem();
    for (const input of inputs) assert.equal(run(gate, input).passed, true, input.slice(0, 12));
  });

  it('fails 1 MB strings that repeat a finding', () => {
    const gate = filesystem();
    assert.deepEqual(run(gate, '../'.repeat(300_000)).details, { families: ['pathTraversal'] });
    assert.deepEqual(run(gate, '/etc'.repeat(250_000)).details, { families: ['sensitivePaths'] });
    assert.deepEqual(run(gate, 'rm -rf x; '.repeat(100_000)).details, { families: ['recursiveDelete'] });
    assert.equal(run(gate, 'x'.repeat(MB) + ' rm -rf /tmp/x').passed, false);
    assert.equal(run(gate, 'x'.repeat(MB) + ' ~/.ssh').passed, false);
  });
});
