import { expect, test } from "vitest";
import { EXECUTOR_ACTION, PROCESS, orderKeys, sortKeysDeep } from "./shapes";

test("orderKeys restores serde's order, recursively through the executor action chain", () => {
  const scrambled = {
    updated_at: "u",
    executor_action: {
      next_action: { next_action: null, typ: { prompt: "p", type: "CodingAgentInitialRequest", executor_profile_id: { variant: "FAKE", executor: "CLAUDE_CODE" } } },
      typ: { context: "SetupScript", type: "ScriptRequest", language: "Bash", script: "s" },
    },
    id: "i",
  };
  expect(JSON.stringify(orderKeys(scrambled, PROCESS))).toBe(
    '{"id":"i","executor_action":{"typ":{"type":"ScriptRequest","script":"s","language":"Bash","context":"SetupScript"},' +
      '"next_action":{"typ":{"type":"CodingAgentInitialRequest","prompt":"p","executor_profile_id":{"executor":"CLAUDE_CODE","variant":"FAKE"}},"next_action":null}},"updated_at":"u"}',
  );
  expect(orderKeys([{ next_action: null, typ: null }], EXECUTOR_ACTION)).toEqual([{ typ: null, next_action: null }]);
});

test("unknown keys are kept after the known ones; sortKeysDeep sorts like a BTreeMap", () => {
  expect(Object.keys(orderKeys({ z: 1, id: 2 }, PROCESS) as object)).toEqual(["id", "z"]);
  expect(JSON.stringify(sortKeysDeep({ b: [{ d: 1, c: 2 }], a: null }))).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
});
