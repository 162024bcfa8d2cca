"""The Tadamon demo case: public facts with their sources, plus synthetic people."""

from dalil.demo.build import DEMO_ACTOR, BuildResult, build, load_data

__all__ = ["DEMO_ACTOR", "BuildResult", "build", "load_data"]
