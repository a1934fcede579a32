"""The worker process of the "tee" benchmark variant: ``shadow.worker`` with the constant judge."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from tee_only_addon import tee_only_pipeline

from shadow.worker import serve


async def _main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    await serve(reader, build=tee_only_pipeline)


if __name__ == "__main__":
    asyncio.run(_main())
