import { describe, expect, it } from "vitest";
import { parsePlayRecap, totalChanged } from "./play-recap.ts";

const output = `
TASK [firedrill_stack : Write the lab file for firedrill's existing provider] ***
ok: [control1 -> localhost]

PLAY RECAP *********************************************************************
control1                   : ok=8    changed=0    unreachable=0    failed=0    skipped=7    rescued=0    ignored=0
control2                   : ok=16   changed=2    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0
node1                      : ok=16   changed=0    unreachable=1    failed=0    skipped=4    rescued=0    ignored=0
`;

describe("PLAY RECAP", () => {
  it("reads every host's counts", () => {
    const r = parsePlayRecap(output);
    expect(Object.keys(r)).toEqual(["control1", "control2", "node1"]);
    expect(r.control2).toEqual({
      ok: 16,
      changed: 2,
      unreachable: 0,
      failed: 0,
      skipped: 1,
      rescued: 0,
      ignored: 0,
    });
    expect(r.node1!.unreachable).toBe(1);
    expect(totalChanged(r)).toBe(2);
  });

  it("a run without a recap is an error, not zero changes", () => {
    expect(() => parsePlayRecap("ERROR! the playbook could not be found")).toThrow(/no PLAY RECAP/);
    expect(() => parsePlayRecap("PLAY RECAP ***\n\n")).toThrow(/no host/);
  });
});
