// Branch names observed on the real binary (CONTRACT-CORRECTIONS item 29) and Task::to_prompt.
import { expect, test } from "vitest";
import { attemptDirName, branchSlug, taskPrompt } from "./attempt";

test.each([
  ["Add hello file", "add-hello"],
  ["Add hello file!! Émoji ünïcode", "add-hello"],
  ["no identity", "no-identit"],
  ["  --Hi--there  ", "hi-there"],
  ["ÉÉÉ", ""],
])("branchSlug(%j) = %j", (title, slug) => {
  expect(branchSlug(title)).toBe(slug);
});

test("attemptDirName uses the first 4 hex digits of the attempt id", () => {
  expect(attemptDirName("cc7d0a81-70b4-45db-b581-525a2035833c", "Add hello file")).toBe("vk-cc7d-add-hello");
});

test("taskPrompt: title and description without a space after the colon, or the bare title", () => {
  expect(taskPrompt({ title: "Add hello file", description: "agent: write hello.txt hi" })).toBe("Title: Add hello file\n\nDescription:agent: write hello.txt hi");
  expect(taskPrompt({ title: "Only", description: null })).toBe("Only");
});
