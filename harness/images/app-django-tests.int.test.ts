import { MariaDbContainer } from "@testcontainers/mariadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerClient } from "../engine/docker-client.ts";
import { runLabels } from "../lab/labels.ts";
import { removeLabeled } from "../lab/reaper.ts";
import { newRunId } from "../lab/run-id.ts";
import { onLoopbackOnly } from "../providers/testcontainers/loopback.ts";
import { imageTags } from "../testing/images-for-tests.ts";
import { runOnce } from "../testing/run-once.ts";

// The app's own Django tests, inside the app image, against a real MariaDB from our mariadb image.
describe("the to-do app's Django test suite", () => {
  const runId = newRunId();
  const network = `firedrill-${runId}`;

  beforeAll(async () => {
    await dockerClient().createNetwork({ Name: network, Labels: runLabels(runId, "none") });
  });
  afterAll(async () => {
    await removeLabeled([`firedrill.run=${runId}`]);
  });

  it("passes against MariaDB 10.11 (driven by @testcontainers/mariadb)", async () => {
    const tags = await imageTags();
    const db = await onLoopbackOnly(
      new MariaDbContainer(tags.mariadb)
        .withRootPassword("apptests-root-pw")
        .withDatabase("todo")
        .withLabels({ ...runLabels(runId, "none"), "firedrill.role": "apptests-db" })
        .withNetworkMode(network)
        .withNetworkAliases("apptests-db"),
    ).start();
    expect(db.getConnectionUri(true)).toMatch(/^mariadb:\/\/root:apptests-root-pw@/);
    const result = await runOnce({
      image: tags.app,
      cmd: ["python3", "manage.py", "test", "--noinput", "-v", "2"],
      env: {
        DJANGO_SECRET_KEY: "apptests-only",
        DB_HOST: "apptests-db",
        DB_PORT: "3306",
        DB_NAME: "todo",
        DB_USER: "root",
        DB_PASSWORD: "apptests-root-pw",
        NODE_NAME: "apptests",
      },
      network,
      runId,
    });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/^Ran \d+ tests? in/m);
    expect(result.output).toMatch(/^OK/m);
  });
});
