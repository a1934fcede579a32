// The editor command 0.0.71 picks, case by case as observed on the binary (tests/e2e/test_open_editor_parity.py
// replays these cases against it).
import { describe, expect, test } from "vitest";
import { editorCommand, splitWhitespace, withOverride } from "./editor";

describe("editorCommand", () => {
  test.each([
    ["VS_CODE", "code"],
    ["CURSOR", "cursor"],
    ["WINDSURF", "windsurf"],
    ["INTELLI_J", "idea"],
    ["ZED", "zed"],
    ["XCODE", "xed"],
  ] as const)("%s runs %s, whatever the custom command says", (editorType, program) => {
    expect(editorCommand({ editor_type: editorType, custom_command: "/usr/bin/other --x" })).toEqual([program]);
  });

  test("CUSTOM splits on whitespace without quoting; null falls back to code; blank is nothing", () => {
    expect(editorCommand({ editor_type: "CUSTOM", custom_command: "/opt/ed --flag 'a b'   x\ty" })).toEqual([
      "/opt/ed",
      "--flag",
      "'a",
      "b'",
      "x",
      "y",
    ]);
    expect(editorCommand({ editor_type: "CUSTOM", custom_command: null })).toEqual(["code"]);
    expect(editorCommand({ editor_type: "CUSTOM", custom_command: "" })).toEqual([]);
    expect(editorCommand({ editor_type: "CUSTOM", custom_command: " \t\n " })).toEqual([]);
  });
});

describe("splitWhitespace", () => {
  test("follows Rust's char::is_whitespace, not JavaScript's \\s", () => {
    expect(splitWhitespace("a\u0085b\u3000c")).toEqual(["a", "b", "c"]);
    expect(splitWhitespace("a\ufeffb")).toEqual(["a\ufeffb"]);
    expect(splitWhitespace("  lead  trail  ")).toEqual(["lead", "trail"]);
  });
});

describe("withOverride", () => {
  const configured = { editor_type: "VS_CODE" as const, custom_command: "/opt/ed -w" };

  test("an exact type name replaces the configured type and keeps the configured custom command", () => {
    expect(withOverride(configured, "CUSTOM")).toEqual({ editor_type: "CUSTOM", custom_command: "/opt/ed -w" });
    expect(withOverride(configured, "ZED")).toEqual({ editor_type: "ZED", custom_command: "/opt/ed -w" });
  });

  test.each([null, undefined, "", "custom", "Custom", "vs_code", "VsCode", " CUSTOM", "NOPE"])(
    "%j keeps the configured editor",
    (requested) => {
      expect(withOverride(configured, requested)).toEqual(configured);
    },
  );
});
