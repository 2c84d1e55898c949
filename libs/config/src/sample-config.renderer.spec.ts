import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from './config.loader';
import { parseIni } from './ini.parser';
import { renderSampleConfig } from './sample-config.renderer';
import { describeOptions } from './zun-conf';

void describe('renderSampleConfig', () => {
  const text = renderSampleConfig();

  void test('lists every section and every option, commented out with type and default', () => {
    const sections = describeOptions();
    assert.equal(sections.length, 17);
    for (const s of sections) {
      assert.ok(text.includes(`\n[${s.name}]\n`), `section [${s.name}]`);
      for (const o of s.options) {
        const line = o.defaultText === '' ? `#${o.name} =` : `#${o.name} = ${o.defaultText}`;
        assert.ok(text.includes(`\n${line}\n`), `[${s.name}] ${o.name}`);
        assert.ok(text.includes(`# Environment: ZUN_${s.name.toUpperCase()}__${o.name.toUpperCase()}\n`), `env of ${o.name}`);
      }
    }
    assert.match(text, /\(port value\)\n# Environment: ZUN_API__PORT\n#port = 9517\n/);
    assert.match(text, /# Possible values: keystone, noauth\n/);
    assert.match(text, /#connection = sqlite:\/\/\/\$state_path\/zun.sqlite\n/);
    assert.match(text, /#enabled_filters = AvailabilityZoneFilter,ComputeFilter,RuntimeFilter,CPUFilter,RamFilter,DiskFilter,LabelFilter\n/);
    assert.match(text, /#host = <host name of this machine>\n/);
    assert.match(text, /#password = <None>\n/);
  });

  void test('options follow their own section header', () => {
    const doc = parseIni(text.replace(/^#(\w+) =.*$/gm, '$1 = x'));
    const where = new Map(doc.entries.map((e) => [`${e.section}.${e.key}`, e.line]));
    for (const s of describeOptions()) for (const o of s.options) assert.ok(where.has(`${s.name}.${o.name}`), `${s.name}.${o.name}`);
  });

  void test('no line is wider than 80 columns (except option lines) or ends in a space', () => {
    for (const line of text.split('\n')) {
      if (!/^#\w+ =/.test(line)) assert.ok(line.length <= 80, line);
      assert.ok(!line.endsWith(' '), `trailing space: ${JSON.stringify(line)}`);
    }
  });

  void test('uncommenting every concrete default loads back to the defaults', () => {
    const uncommented = text.replace(/^#(\w+) =(?! <)(.*)$/gm, '$1 =$2');
    const dir = mkdtempSync(join(tmpdir(), 'zun-sample-spec-'));
    try {
      const f = join(dir, 'zun.conf');
      writeFileSync(f, uncommented);
      const fromFile = loadConfig(['--config-file', f], { env: {}, warn: (m) => assert.fail(m) });
      assert.deepEqual(fromFile, loadConfig([], { env: {}, warn: (m) => assert.fail(m) }));
      const concrete = describeOptions().flatMap((s) => s.options).filter((o) => !o.defaultText.startsWith('<'));
      assert.equal(parseIni(uncommented).entries.length, concrete.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
