// Expected messages were captured from the real vibe-kanban 0.0.71 binary (POST /api/projects and
// POST /api/tasks with these bodies), against the compat layer's own CreateProject / CreateTask specs.
import { describe, expect, test } from "vitest";
import { CREATE_PROJECT, CREATE_TASK } from "../compat/bodies";
import { SerdeError } from "./errors";
import { deserializeJson } from "./json";
import { option, struct, unitEnum } from "./spec";

const updateTask = struct("UpdateTask", {
  status: option(unitEnum(["todo", "inprogress", "inreview", "done", "cancelled"])),
});

function failure(spec: Parameters<typeof deserializeJson>[1], body: string): { category: string; text: string } {
  try {
    deserializeJson(new TextEncoder().encode(body), spec);
  } catch (e) {
    if (e instanceof SerdeError) return { category: e.category === "data" ? "data" : "syntax", text: e.withPath };
    throw e;
  }
  throw new Error(`no error for ${body}`);
}

describe("deserializeJson: errors like serde", () => {
  test.each([
    ["null", "data", "invalid type: null, expected struct CreateProject at line 1 column 4"],
    ["[]", "data", "invalid length 0, expected struct CreateProject with 7 elements at line 1 column 2"],
    ["1", "data", "invalid type: integer `1`, expected struct CreateProject at line 1 column 1"],
    ['"x"', "data", 'invalid type: string "x", expected struct CreateProject at line 1 column 3'],
    ['{"name":"x","git_repo_path":"/y"}', "data", "missing field `use_existing_repo` at line 1 column 33"],
    ['{"name":"x","git_repo_path":"/y","use_existing_repo":"yes"}', "data", 'use_existing_repo: invalid type: string "yes", expected a boolean at line 1 column 58'],
    ['{"name":{},"git_repo_path":"/y","use_existing_repo":true}', "data", "name: invalid type: map, expected a string at line 1 column 8"],
    ['{"name":[1],"git_repo_path":"/y","use_existing_repo":true}', "data", "name: invalid type: sequence, expected a string at line 1 column 8"],
    ['{"name":null,"git_repo_path":"/y","use_existing_repo":true}', "data", "name: invalid type: null, expected a string at line 1 column 12"],
    ['{"name":"a","name":"b","git_repo_path":"/y","use_existing_repo":true}', "data", "duplicate field `name` at line 1 column 18"],
    ['{"name":"x"} x', "data", "missing field `git_repo_path` at line 1 column 12"],
    ['{"name":"x",}', "syntax", "trailing comma at line 1 column 13"],
    ['{"name" "x"}', "syntax", "expected `:` at line 1 column 9"],
    ['{"name":"x"', "syntax", "EOF while parsing an object at line 1 column 11"],
    ['{\n  "name": "x"\n}', "data", "missing field `git_repo_path` at line 3 column 1"],
    ['{"name":tru}', "syntax", "name: expected ident at line 1 column 12"],
    ['{"name":1.5}', "data", "name: invalid type: floating point `1.5`, expected a string at line 1 column 11"],
    ['{"name":-1}', "data", "name: invalid type: integer `-1`, expected a string at line 1 column 10"],
    ['{"name":"x","git_repo_path":"/y","use_existing_repo":true,"setup_script":5}', "data", "setup_script: invalid type: integer `5`, expected a string at line 1 column 74"],
    ['{"a":"\\q"}', "syntax", "a: invalid escape at line 1 column 8"],
    ['{"a":"\u0001"}', "syntax", "a: control character (\\u0000-\\u001F) found while parsing a string at line 1 column 6"],
    ['{"a":01}', "syntax", "a: invalid number at line 1 column 7"],
    ["  ", "syntax", "EOF while parsing a value at line 1 column 2"],
    ["", "syntax", "EOF while parsing a value at line 1 column 0"],
    ["{bad", "syntax", "key must be a string at line 1 column 2"],
    ['{"name":"\\u00e9é"}', "data", "missing field `git_repo_path` at line 1 column 19"],
  ])("CreateProject %j", (body, category, text) => {
    expect(failure(CREATE_PROJECT, body)).toEqual({ category, text });
  });

  test.each([
    ["{}", "missing field `project_id` at line 1 column 2"],
    ['{"project_id":"abc","title":"x"}', "project_id: UUID parsing failed: invalid length: expected length 32 for simple format, found 3 at line 1 column 19"],
    ['{"project_id":"00000000-0000-4000-8000-000000000000"}', "missing field `title` at line 1 column 53"],
    [
      '{"project_id":"00000000-0000-4000-8000-000000000000","title":"x","image_ids":["zz"]}',
      "image_ids[0]: UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `z` at 1 at line 1 column 82",
    ],
    ['{"project_id":5,"title":"x"}', "project_id: invalid type: integer `5`, expected a UUID string at line 1 column 15"],
  ])("CreateTask %j", (body, text) => {
    expect(failure(CREATE_TASK, body)).toEqual({ category: "data", text });
  });

  test("unknown enum variant", () => {
    expect(failure(updateTask, '{"status":"nope"}')).toEqual({
      category: "data",
      text: "status: unknown variant `nope`, expected one of `todo`, `inprogress`, `inreview`, `done`, `cancelled` at line 1 column 16",
    });
  });
});

describe("deserializeJson: values", () => {
  test("structs come back in field order with absent options as null and canonical uuids", () => {
    const body = '{"title":"t","project_id":"0123456789ABCDEF0123456789ABCDEF","extra":{"deep":[1,2]}}';
    const value = deserializeJson(new TextEncoder().encode(body), CREATE_TASK);
    expect(JSON.stringify(value)).toBe(
      '{"project_id":"01234567-89ab-cdef-0123-456789abcdef","title":"t","description":null,"parent_task_attempt":null,"image_ids":null}',
    );
  });

  test("positional struct input is accepted like serde_derive's visit_seq", () => {
    const value = deserializeJson(new TextEncoder().encode('["n","/p",false,null,null,null,null]'), CREATE_PROJECT);
    expect(value).toEqual({ name: "n", git_repo_path: "/p", use_existing_repo: false, setup_script: null, dev_script: null, cleanup_script: null, copy_files: null });
  });
});
