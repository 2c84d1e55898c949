import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBody, type CreateFormValues, FormError, parseEnvironment, parseMounts, splitCommand } from './create-form';

const empty: CreateFormValues = { name: '', image: '', command: '', cpu: '', memory: '', environment: '', networks: [], mounts: '', interactive: false };

void describe('the new-container form', () => {
  test('every field filled: the body of POST /v1/containers', () => {
    assert.deepEqual(
      createBody({
        name: 'web-1',
        image: ' busybox ',
        command: `sh -c 'echo "a b"; sleep 300'`,
        cpu: '0.5',
        memory: '64',
        environment: 'FOO=bar\n\n# comment\nGREETING=hello world=yes',
        networks: ['net-a', 'net-b'],
        mounts: 'data:/data\n1G:/scratch',
        interactive: true,
      }),
      {
        image: 'busybox',
        name: 'web-1',
        command: ['sh', '-c', 'echo "a b"; sleep 300'],
        cpu: 0.5,
        memory: '64',
        environment: { FOO: 'bar', GREETING: 'hello world=yes' },
        nets: [{ network: 'net-a' }, { network: 'net-b' }],
        mounts: [{ source: 'data', destination: '/data' }, { size: '1', destination: '/scratch' }],
        interactive: true,
        tty: true,
      },
    );
  });

  test('only the image: nothing else is sent (the API applies its defaults)', () => {
    assert.deepEqual(createBody({ ...empty, image: 'busybox' }), { image: 'busybox' });
  });

  test('each wrong field is a FormError naming it', () => {
    const wrong: Array<[Partial<CreateFormValues>, RegExp]> = [
      [{ image: '' }, /^Image: required/],
      [{ image: 'a b' }, /^Image: no spaces/],
      [{ name: '-x' }, /^Name:/],
      [{ cpu: '0' }, /^CPU: "0" is not a positive number/],
      [{ cpu: 'lots' }, /^CPU:/],
      [{ memory: '1.5' }, /^Memory \(MiB\): "1.5" is not a positive whole number/],
      [{ command: `echo 'oops` }, /^Command: unclosed ' quote/],
      [{ environment: 'NOEQUALS' }, /^Environment line 1: expected KEY=VALUE/],
      [{ environment: 'OK=1\n1BAD=2' }, /^Environment line 2: "1BAD" is not a variable name/],
      [{ mounts: 'data' }, /^Mounts line 1/],
      [{ mounts: 'data:relative' }, /^Mounts line 1/],
    ];
    for (const [over, message] of wrong) {
      assert.throws(() => createBody({ ...empty, image: 'busybox', ...over }), (err: unknown) => err instanceof FormError && message.test(err.message), JSON.stringify(over));
    }
  });

  test('commands split like a shell splits them (quotes, backslashes), without expansion', () => {
    assert.deepEqual(splitCommand('sleep 300'), ['sleep', '300']);
    assert.deepEqual(splitCommand(`  echo "a  b" 'c d' e\\ f "x\\"y" $HOME ''`), ['echo', 'a  b', 'c d', 'e f', 'x"y', '$HOME', '']);
    assert.deepEqual(splitCommand(''), []);
  });

  test('environment and mounts skip blank lines', () => {
    assert.deepEqual(parseEnvironment('\n A=1 \n'), { A: '1' });
    assert.deepEqual(parseMounts('\n vol : /m \n'), [{ source: 'vol', destination: '/m' }]);
  });
});
