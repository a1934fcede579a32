"""Pure comparison engine: normalize two answers to the same request and say whether they mean the same."""

__all__: list[str] = []
