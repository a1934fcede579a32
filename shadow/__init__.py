"""The teeing service: proxy addon, pipeline, store, metrics and the command line."""

__all__: list[str] = []
