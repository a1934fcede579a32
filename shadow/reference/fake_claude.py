#!/usr/bin/env python3
"""A scripted coding agent that speaks Claude Code's ``--output-format=stream-json``.

Real coding agents cannot reach their model APIs on these machines, so both stacks run this script
instead (plugged in as the ``CLAUDE_CODE`` variant ``FAKE`` through ``PUT /api/profiles``). It reads the
prompt from stdin, like Claude Code, obeys ``agent:`` directive lines found in it, and prints the same
JSON lines Claude Code prints, so the backends' log normalizers, session-id capture, auto-commit and
follow-ups run for real. Standard library only: it runs under whatever Python the backend finds.

Directives (one per line, anywhere in the prompt; without any, it writes ``hello.txt``):

    agent: write <path> <text...>       create or overwrite a file (``\\n`` in text becomes a newline)
    agent: append <path> <text...>      append a line to a file
    agent: delete <path>                remove a file
    agent: say <text...>                an assistant message (the last one becomes the commit message)
    agent: sleep <seconds>              be slow
    agent: stderr <text...>             write a line to stderr
    agent: fail <exit code>             stop here and exit with that code
    agent: nothing                      do no file work at all
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

DEFAULT_FILE = "hello.txt"
DEFAULT_TEXT = "hello from fake agent\n"
DEFAULT_SUMMARY = "Created hello.txt with a greeting."


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def session_id_for(prompt: str, argv: list[str]) -> str:
    # A resumed session keeps its id (Claude's --resume); a new one is derived from the prompt, so two
    # backends running the same workload see the same session ids.
    if "--resume" in argv:
        index = argv.index("--resume")
        if index + 1 < len(argv):
            return argv[index + 1]
    return "sess-" + hashlib.sha256(prompt.encode()).hexdigest()[:16]


def directives(prompt: str) -> list[tuple[str, str]]:
    found = []
    for line in prompt.splitlines():
        stripped = line.strip()
        if stripped.lower().startswith("agent:"):
            verb, _, rest = stripped[len("agent:") :].strip().partition(" ")
            found.append((verb.lower(), rest.strip()))
    return found


class Agent:
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.turn = 0
        self.cwd = os.getcwd()

    def assistant(self, content: list[dict]) -> None:
        self.turn += 1
        emit(
            {
                "type": "assistant",
                "message": {
                    "id": f"msg_fake_{self.turn:04d}",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-fake",
                    "content": content,
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 1, "output_tokens": 1},
                },
                "parent_tool_use_id": None,
                "session_id": self.session_id,
            }
        )

    def say(self, text: str) -> None:
        self.assistant([{"type": "text", "text": text}])

    def tool(self, name: str, tool_input: dict, result: str) -> None:
        tool_id = f"toolu_fake_{self.turn + 1:04d}"
        self.assistant([{"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}])
        emit(
            {
                "type": "user",
                "message": {
                    "role": "user",
                    "content": [{"tool_use_id": tool_id, "type": "tool_result", "content": result}],
                },
                "parent_tool_use_id": None,
                "session_id": self.session_id,
            }
        )

    def write(self, path: str, text: str, *, append: bool = False) -> None:
        full = os.path.join(self.cwd, path)
        os.makedirs(os.path.dirname(full) or ".", exist_ok=True)
        with open(full, "a" if append else "w") as handle:
            handle.write(text)
        self.tool("Write", {"file_path": full, "content": text}, f"File written successfully at: {full}")

    def delete(self, path: str) -> None:
        full = os.path.join(self.cwd, path)
        if os.path.exists(full):
            os.remove(full)
        self.tool("Bash", {"command": f"rm -f {path}", "description": "Delete file"}, "")


def run(prompt: str, argv: list[str]) -> int:
    agent = Agent(session_id_for(prompt, argv))
    emit(
        {
            "type": "system",
            "subtype": "init",
            "cwd": agent.cwd,
            "session_id": agent.session_id,
            "tools": ["Bash", "Read", "Write", "Edit"],
            "mcp_servers": [],
            "model": "claude-fake",
            "permissionMode": "bypassPermissions",
            "apiKeySource": "none",
        }
    )
    steps = directives(prompt)
    if not steps:
        steps = [("write", f"{DEFAULT_FILE} {DEFAULT_TEXT.rstrip()}"), ("say", DEFAULT_SUMMARY)]
    summary = ""
    for verb, rest in steps:
        if verb in ("write", "append"):
            path, _, text = rest.partition(" ")
            text = text.replace("\\n", "\n")
            if not text.endswith("\n"):
                text += "\n"
            agent.write(path, text, append=verb == "append")
        elif verb == "delete":
            agent.delete(rest)
        elif verb == "say":
            agent.say(rest)
            summary = rest
        elif verb == "sleep":
            time.sleep(float(rest or "1"))
        elif verb == "stderr":
            sys.stderr.write(rest + "\n")
            sys.stderr.flush()
        elif verb == "fail":
            code = int(rest or "1")
            emit(
                {
                    "type": "result",
                    "subtype": "error_during_execution",
                    "is_error": True,
                    "duration_ms": 1,
                    "num_turns": agent.turn,
                    "result": f"failed with exit code {code}",
                    "session_id": agent.session_id,
                }
            )
            return code
        elif verb == "nothing":
            continue
    emit(
        {
            "type": "result",
            "subtype": "success",
            "is_error": False,
            "duration_ms": 1,
            "duration_api_ms": 1,
            "num_turns": agent.turn,
            "result": summary or "Done.",
            "session_id": agent.session_id,
            "total_cost_usd": 0.0,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.stdin.read(), sys.argv[1:]))
