// The fault suite: a burst of `zun run` requests through the real API (real Keystone tokens) onto 2 simulated
// hosts with their own engines, and in the middle of it one fault: a service killed with SIGKILL, Redis restarted
// with or without its data, a host's engine stopped, a host cut off the network. After each, every accepted
// request must end Running or Error with a reason within 60 s of the fault's end, with no container in a task
// state, none on an engine without a record or twice, claims and quota usage matching the records, and no 500.
//
// The default run (CI) is scenarios 1, 3 and 4 with bursts of 16. The full run is every scenario with bursts of 50:
//
//   ZUN_TEST_FAULTS=full node --import tsx --test apps/conductor/tests/faults/faults.test.ts
//
// Both print the table (scenario, accepted, Running, Error, lost, orphans, duplicates, 500s, recovery).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FaultCloud } from './fixtures/fault-cloud';
import { burstWithFault, cleanUp, SCENARIOS } from './fixtures/scenarios';
import { formatTable, rowProblems, type ScenarioRow } from './fixtures/table';

const FULL = process.env['ZUN_TEST_FAULTS'] === 'full';
const BURST = FULL ? 50 : 16;
// ZUN_TEST_FAULTS_ONLY=3,5b: just those scenarios (by the number their name starts with)
const ONLY = (process.env['ZUN_TEST_FAULTS_ONLY'] ?? '').split(',').filter(Boolean);
const chosen = SCENARIOS.filter((s) => (ONLY.length ? ONLY.includes(s.name.split(' ')[0] ?? '') : FULL || !s.fullOnly));

describe(`fault suite (${FULL ? 'full' : 'CI subset'}: ${chosen.length} scenarios, bursts of ${BURST})`, { timeout: FULL ? 3_600_000 : 900_000 }, () => {
  let cloud: FaultCloud | undefined;
  const rows: ScenarioRow[] = [];

  before(async () => {
    cloud = await FaultCloud.start();
  });

  after(async () => {
    if (rows.length) process.stdout.write(`\n${formatTable(rows)}\n\n`);
    await cloud?.stop();
  });

  for (const scenario of chosen) {
    test(scenario.name, async () => {
      assert.ok(cloud, 'the cloud started');
      await cloud.computesUp();
      const row = await burstWithFault(cloud, scenario, BURST);
      rows.push(row);
      process.stdout.write(`${formatTable([row])}\n`);
      const problems = rowProblems(row);
      await cleanUp(cloud);
      assert.ok(row.accepted > 0, `no request was accepted: ${row.refusals.join('; ')}`);
      assert.deepEqual(problems, [], `${scenario.name}:\n${formatTable([row])}\n${cloud.logs(15)}`);
    });
  }
});
