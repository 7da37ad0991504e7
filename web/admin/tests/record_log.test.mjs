// The run's download log (src/generator/record_log.ts) in node: every record comes back, in order, one JSON line
// each, across the chunks moved into its Blob. Bundled on the fly with esbuild (no DOM dependencies).
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const bundled = await esbuild.build({entryPoints: [path.join(HERE, '../src/generator/record_log.ts')], bundle: true,
                                     format: 'esm', platform: 'neutral', write: false, logLevel: 'silent'});
const {RecordLog} = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

const lines = async (log) => (await log.blob().text()).split('\n').filter(Boolean).map((line) => JSON.parse(line));

test('the record log keeps every record, in order, across its chunks', async () => {
  const log = new RecordLog();
  assert.deepEqual(await lines(log), []);
  for (let i = 0; i < 123; ++i) {
    log.add({id: String(i), result: i % 7 ? 'completed' : 'failed', reason: i % 7 ? '' : `line\nbreak ${i}`});
    if (i === 10) assert.equal((await lines(log)).length, 11, 'a download mid-run has what came so far');
  }
  assert.equal(log.count, 123);
  const records = await lines(log);
  assert.deepEqual(records.map((r) => r.id), Array.from({length: 123}, (_, i) => String(i)));
  assert.equal(records[7].reason, 'line\nbreak 7');
  assert.equal(log.blob().type, 'application/x-ndjson');
});
