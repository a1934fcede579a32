"""The local runner: claims commands from Convex and does the git, file and process work it cannot."""

__all__: list[str] = []
