from tests.sdk.world import world

__all__ = ["world"]
